// Reads stdin, writes to stdout and stderr from the main thread and a worker, then ends as asked:
// `exit N` with status N, `term` by SIGTERM, `throw` by an uncaught error.
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

if (!isMainThread) {
  parentPort.on('message', (text) => {
    console.error(`worker saw ${text.length} bytes`);
    parentPort.postMessage(text.toUpperCase());
  });
} else {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { input += chunk; });
  process.stdin.on('end', () => {
    const worker = new Worker(__filename);
    worker.once('message', (upper) => {
      process.stdout.write(upper);
      worker.terminate().then(() => {
        const how = process.argv[2];
        if (how === 'exit') process.exit(Number(process.argv[3]));
        if (how === 'term') process.kill(process.pid, 'SIGTERM');
        if (how === 'throw') throw new Error('the end');
      });
    });
    worker.postMessage(input);
  });
}
