// Issue #18 measurement: runs a program whose worker is SIGKILLed through the BUILT debug adapter
// (dist/, `node esbuild.mjs` first) N times and says, per run, whether the session stopped at the
// kill while the program was still running and held there until Continue.
//   node scripts/executor-kill-loop.mjs [--runs N] [--method fork|spawn|forkserver]
//        [--program executor_worker_sigkill.py] [--burn] [--verbose]
// --burn runs a CPU burner per core beside the runs (the race the issue shows needs load).
// With --records (needs `npx tsc -p tsconfig.test.json`), the TraceRuntime runs the program
// without the adapter and prints, per run, the channel records and model failures in the order
// they arrived, timed from the launch, with the program's exit among them.
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROGRAMS = path.join(ROOT, 'test-fixtures', 'programs');

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const flag = (name) => argv.includes(`--${name}`);
const runs = Number(opt('runs', '20'));
const method = opt('method', 'fork');
const programName = opt('program', 'executor_worker_sigkill.py');
const program = path.join(PROGRAMS, programName);
const python = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';
// A stop that holds the program: no `exited` within this long after `stopped`, before Continue.
const HOLD_MS = Number(opt('hold-ms', '1500'));

if (process.argv[2] === '--burner') {
  for (;;) Math.sqrt(Math.random());
}

function startBurners() {
  return cpus().map(() => fork(fileURLToPath(import.meta.url), ['--burner'], { stdio: 'ignore' }));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(events, pred, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = events.find(pred);
    if (found) return found;
    await sleep(10);
  }
  return undefined;
}

/** One session: the verdict and the timeline of the events that matter. */
async function dapRun() {
  const { DebugClient } = require('@vscode/debugadapter-testsupport');
  const dc = new DebugClient('node', path.join(ROOT, 'dist', 'debugAdapter.js'), 'workerscope');
  dc.defaultTimeout = 60_000;
  const t0 = Date.now();
  const events = [];
  const emit = dc.emit.bind(dc);
  dc.emit = (name, ...args) => {
    const e = args[0];
    if (typeof name === 'string' && e && e.type === 'event') events.push({ ...e, at: Date.now() - t0 });
    return emit(name, ...args);
  };
  await dc.start();
  try {
    await Promise.all([dc.configurationSequence(), dc.launch({ program, args: [method], cwd: PROGRAMS, python })]);
    const first = await waitFor(events, (e) => e.event === 'stopped' || e.event === 'terminated', 60_000);
    let verdict;
    if (!first || first.event === 'terminated') {
      verdict = 'NO-STOP';
    } else {
      const exitedBefore = events.some((e) => e.event === 'exited' && e.at <= first.at);
      const exitedSoon = exitedBefore || (await waitFor(events, (e) => e.event === 'exited', HOLD_MS)) !== undefined;
      verdict = exitedBefore ? 'STOP-AFTER-EXIT' : exitedSoon ? 'STOP-NOT-HELD' : 'STOP-HELD';
      if (!events.some((e) => e.event === 'terminated')) {
        events.push({ event: 'continue sent', at: Date.now() - t0 });
        await dc.continueRequest({ threadId: first.body.threadId });
      }
    }
    await waitFor(events, (e) => e.event === 'terminated', 60_000);
    const stdout = events.filter((e) => e.event === 'output' && e.body.category === 'stdout').map((e) => e.body.output).join('');
    const timeline = events
      .filter((e) => ['stopped', 'exited', 'terminated', 'workerscope/failure', 'continued', 'continue sent'].includes(e.event))
      .map((e) => `${e.at}ms ${e.event}${e.event === 'workerscope/failure' ? `(${e.body.failure.kind})` : ''}${e.event === 'stopped' ? `(${e.body.description ?? e.body.reason})` : ''}${e.event === 'exited' ? `(${e.body.exitCode})` : ''}`);
    return { verdict, timeline, stdout: stdout.trim() };
  } finally {
    await dc.stop().catch(() => undefined);
  }
}

/** One run under the TraceRuntime alone: the records and failures in the order they came. */
async function recordsRun() {
  const { TraceRuntime } = require(path.join(ROOT, 'out', 'runtime', 'src', 'traceRuntime.js'));
  const runtime = new TraceRuntime();
  const t0 = Date.now();
  const lines = [];
  const at = () => `${String(Date.now() - t0).padStart(5)}ms`;
  runtime.on('record', (r) => {
    if (['process-start', 'process-exit', 'submit', 'start-method'].includes(r.kind)) return;
    lines.push(`${at()} record ${r.kind} pid=${r.pid}${r.child ? ` child=${r.child}` : ''}${r.key ? ` key=${r.key}` : ''}${r.exitCode !== undefined ? ` exit=${r.exitCode}` : ''}${r.id ? ` id=${r.id}` : ''}`);
  });
  runtime.model.on('failure', (f) => {
    lines.push(`${at()} FAILURE ${f.kind} pid=${f.pid} id=${f.id} paused=${f.paused}`);
    // As Continue would: a failure the tracer holds for the debugger is let go.
    if (f.paused && f.pid !== undefined) setTimeout(() => runtime.resume(f.pid, f.id), 200);
  });
  runtime.on('exit', (code) => lines.push(`${at()} program exit ${code}`));
  const ended = new Promise((resolve) => runtime.on('end', resolve));
  await runtime.launch({ program, args: [method], cwd: PROGRAMS, python, live: true, pauseOnFailure: true, stdio: 'pipe' });
  const end = await ended;
  lines.push(`${at()} end: report failures ${end.report?.failures.map((f) => f.kind).join(',')}`);
  return lines;
}

const burners = flag('burn') ? startBurners() : [];
try {
  const tally = {};
  for (let i = 1; i <= runs; i++) {
    if (flag('records')) {
      console.log(`-- run ${i}\n${(await recordsRun()).join('\n')}`);
      continue;
    }
    const { verdict, timeline, stdout } = await dapRun();
    tally[verdict] = (tally[verdict] ?? 0) + 1;
    console.log(`run ${String(i).padStart(2)}: ${verdict.padEnd(15)} ${flag('verbose') ? `${timeline.join(' | ')} | stdout ${JSON.stringify(stdout)}` : ''}`);
  }
  if (!flag('records')) console.log(`${programName} ${method}${burners.length ? ' (CPU burners)' : ''}: ${Object.entries(tally).map(([k, v]) => `${k} ${v}/${runs}`).join(', ')}`);
} finally {
  for (const b of burners) b.kill();
}
