/**
 * Wall-time overhead of tracing as the editor and `workerscope run` trace: the runtime spawns the
 * program itself (and, past a second, a supervisor) and builds the report. Compares a Pool(2).map
 * of BENCH_TASKS small tasks (chunksize BENCH_CHUNKSIZE, else CPython's) run plain and through the runtime (reading records live as the
 * editor does, and not, as `workerscope run`), all spawned from this process, and the whole
 * `workerscope run` command as typed in a terminal (with Node's own start-up, measured beside
 * it); prints medians as JSON.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceRuntime } from '../../runtime/src/traceRuntime';
import { median, now, POOL_MAP_WORKLOAD as WORKLOAD } from './poolMapWorkload';


const python = process.env.BENCH_PYTHON ?? 'python3';
const tasks = process.env.BENCH_TASKS ?? '10000';
// BENCH_CHUNKSIZE=1 makes every task a message of its own: the tracer's per-task cost shows.
const chunkArgs = process.env.BENCH_CHUNKSIZE ? [process.env.BENCH_CHUNKSIZE] : [];
const runs = Number(process.env.BENCH_RUNS ?? '41');

/** Wall time of a whole command, as a shell would wait for it. */
function command(file: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(now() - start) : reject(new Error(`${file} ${args.join(' ')} failed (${code})`))));
  });
}

function plain(script: string): Promise<number> {
  return command(python, [script, tasks, ...chunkArgs]);
}

/** `workerscope run -- script` typed in a terminal: Node's own start-up included. */
const cliBundle = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
function wholeCommand(script: string): Promise<number> {
  return command(process.execPath, [cliBundle, 'run', '--python', python, '--', script, tasks, ...chunkArgs]);
}

/**
 * [program ended, report ready] in ms since the launch. `live`: records are read as they are
 * written, as the debug adapter reads them (`workerscope run` only wants the report).
 */
async function traced(script: string, live: boolean): Promise<[number, number]> {
  const runtime = new TraceRuntime();
  const start = now();
  let exited = 0;
  runtime.on('output', () => undefined);
  if (live) runtime.on('record', () => undefined);
  runtime.on('exit', () => (exited = now() - start));
  const ended = new Promise<void>((resolve, reject) =>
    runtime.once('end', (end) => (end.exitCode === 0 && end.report ? resolve() : reject(new Error(`traced run failed: ${end.exitCode} ${end.reportError ?? ''}`)))),
  );
  await runtime.launch({ program: script, args: [tasks, ...chunkArgs], python, stdio: 'pipe' });
  await ended;
  return [exited, now() - start];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-bench-'));
  const script = path.join(dir, 'pool_map_bench.py');
  fs.writeFileSync(script, WORKLOAD);
  try {
    for (let i = 0; i < 2; i++) {
      await plain(script); // warm-up: page cache and bytecode
      await traced(script, true);
    }
    const plainMs: number[] = [];
    const exitMs: number[] = [];
    const reportMs: number[] = [];
    const cliExitMs: number[] = [];
    const cliReportMs: number[] = [];
    const commandMs: number[] = [];
    const nodeMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      plainMs.push(await plain(script));
      const [exited, reported] = await traced(script, true);
      exitMs.push(exited);
      reportMs.push(reported);
      const [cliExited, cliReported] = await traced(script, false);
      cliExitMs.push(cliExited);
      cliReportMs.push(cliReported);
    }
    // Apart: interleaved, the Node processes of the whole command disturbed the runs above.
    const commandPlainMs: number[] = [];
    for (let i = 0; i < runs && fs.existsSync(cliBundle); i++) {
      commandPlainMs.push(await plain(script));
      commandMs.push(await wholeCommand(script));
      nodeMs.push(await command(process.execPath, ['-e', '0']));
    }
    const figure = (values: number[], base = median(plainMs)): { medianMs: number; overheadPercent: number } => ({
      medianMs: Math.round(median(values) * 10) / 10,
      overheadPercent: Math.round((median(values) / base - 1) * 1000) / 10,
    });
    console.log(
      JSON.stringify({
        python,
        tasks: Number(tasks),
        chunksize: chunkArgs.length ? Number(chunkArgs[0]) : null,
        runs,
        plain: figure(plainMs),
        editor: { programEnded: figure(exitMs), reportReady: figure(reportMs) },
        cli: { programEnded: figure(cliExitMs), reportReady: figure(cliReportMs) },
        ...(commandMs.length ? { wholeCommand: { ...figure(commandMs, median(commandPlainMs)), plainMs: figure(commandPlainMs).medianMs, nodeStartMs: figure(nodeMs).medianMs } } : {}),
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
