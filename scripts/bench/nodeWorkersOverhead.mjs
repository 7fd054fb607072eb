// The Node tracer's overhead: 100,000 small messages through a plain worker_threads pool of 4
// (each worker answers each message; the main thread keeps 64 in flight per worker), run
// interleaved plainly (`node pool.js`), with the tracer's preload alone, and as the whole
// `workerscope run -- node pool.js` command. Prints one JSON line: medians of wall and CPU time, and ratios.
// Env: BENCH_NODE (default: this node), BENCH_MESSAGES (100000), BENCH_RUNS (9).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const node = process.env.BENCH_NODE || process.execPath;
const messages = Number(process.env.BENCH_MESSAGES || 100000);
const runs = Number(process.env.BENCH_RUNS || 9);

const POOL = `
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
if (!isMainThread) {
  parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, r: m.n * 2 }));
} else {
  const total = Number(process.argv[2]);
  const workers = Array.from({ length: 4 }, () => new Worker(__filename));
  let sent = 0, done = 0, sum = 0;
  const send = (w) => { if (sent < total) { w.postMessage({ id: sent, n: sent }); sent++; } };
  for (const w of workers) {
    w.on('message', (m) => {
      sum += m.r;
      if (++done === total) { console.log(sum); for (const x of workers) x.terminate(); } else send(w);
    });
    for (let i = 0; i < 64; i++) send(w);
  }
}
`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-node-bench-'));
const program = path.join(dir, 'pool.js');
writeFileSync(program, POOL);
const preload = path.join(root, 'dist', 'node', 'workerscope_node.cjs');

// CPU seconds (user + system, all threads and children) beside wall time: on a shared machine
// the wall clock moves with the load of others, the CPU the program spends much less.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpu = Object.fromEntries(['plain', 'preload', 'workerscopeRun'].map((m) => [m, []]));

function timed(cmd, args, env, mode) {
  const [command, argv] = TIME && mode ? [TIME, ['-f', 'ws-cpu %U %S', cmd, ...args]] : [cmd, args];
  const started = process.hrtime.bigint();
  const r = spawnSync(command, argv, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const m = /ws-cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (m && mode) cpu[mode].push(Number(m[1]) + Number(m[2]));
  return seconds;
}

const modes = {
  plain: () => timed(node, [program, String(messages)], {}, 'plain'),
  preload: () => {
    const channel = path.join(dir, `ch-${process.hrtime.bigint()}`);
    mkdirSync(channel, { mode: 0o700 });
    try {
      return timed(node, [program, String(messages)], { NODE_OPTIONS: `--require ${preload}`, WORKERSCOPE_CHANNEL: channel }, 'preload');
    } finally {
      rmSync(channel, { recursive: true, force: true });
    }
  },
  workerscopeRun: () => timed(process.execPath, [path.join(root, 'dist', 'cli.js'), 'run', '--', node, program, String(messages)], {}, 'workerscopeRun'),
};
const times = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
for (const mode of Object.keys(modes)) modes[mode](); // warm the page cache
for (const mode of Object.keys(cpu)) cpu[mode].length = 0;
for (let i = 0; i < runs; i++) for (const [mode, fn] of Object.entries(modes)) times[mode].push(fn());
rmSync(dir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plain = median(times.plain);
const out = { node: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim(), messages, workers: 4, runs, medianSeconds: {}, overheadPercent: {}, medianCpuSeconds: {}, cpuOverheadPercent: {} };
for (const mode of Object.keys(modes)) {
  out.medianSeconds[mode] = +median(times[mode]).toFixed(3);
  if (mode !== 'plain') out.overheadPercent[mode] = +((median(times[mode]) / plain - 1) * 100).toFixed(1);
  if (cpu[mode].length === 0) continue;
  out.medianCpuSeconds[mode] = +median(cpu[mode]).toFixed(3);
  if (mode !== 'plain') out.cpuOverheadPercent[mode] = +((median(cpu[mode]) / median(cpu.plain) - 1) * 100).toFixed(1);
}
// The whole command includes starting the CLI's own Node: shown beside it.
out.medianSeconds.nodeStartup = +median(Array.from({ length: runs }, () => timed(process.execPath, ['-e', '0'], {}))).toFixed(3);
console.log(JSON.stringify(out));
