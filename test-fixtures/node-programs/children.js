// Child processes: a Node child that throws, a shell child killed by SIGKILL, one that exits 3,
// and one the program kills itself (no failure).
const { fork, spawn } = require('node:child_process');

if (process.argv[2] === 'child') {
  throw new Error('child gave up');
}
const children = [
  fork(__filename, ['child'], { stdio: 'ignore' }),
  spawn('sh', ['-c', 'kill -9 $$']),
  spawn('sh', ['-c', 'exit 3']),
];
const sleeper = spawn('sleep', ['30']);
sleeper.on('spawn', () => sleeper.kill('SIGTERM'));
// The children end in any order: their ends are printed sorted, once all have ended.
const ends = [];
for (const child of [...children, sleeper]) {
  child.on('exit', (code, signal) => {
    ends.push(`child exit ${code} ${signal}`);
    if (ends.length === children.length + 1) console.log(`${ends.sort().join('\n')}\nall done`);
  });
}
