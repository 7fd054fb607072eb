/**
 * The timeline's cost (issue #22): a Pool(2).map of BENCH_TASKS small tasks (chunksize
 * BENCH_CHUNKSIZE, else CPython's) run plain, through the runtime with the tracer and no timeline
 * (as `workerscope run` runs it), with the timeline on (the file written, as `workerscope run
 * --timeline` does) and with it on and batched live (as a debug session with `timeline` does),
 * interleaved; prints medians as JSON — until the program has ended (what recording costs the
 * program) and until the report and the file are ready — the timeline's overhead over the tracer
 * alone, and whether it is within the target (+25 %).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TimelineRecorder } from '../../runtime/src/timelineRecorder';
import { TraceRuntime } from '../../runtime/src/traceRuntime';
import { median, now, POOL_MAP_WORKLOAD as WORKLOAD } from './poolMapWorkload';


const python = process.env.BENCH_PYTHON ?? 'python3';
const tasks = process.env.BENCH_TASKS ?? '10000';
const chunkArgs = process.env.BENCH_CHUNKSIZE ? [process.env.BENCH_CHUNKSIZE] : [];
const runs = Number(process.env.BENCH_RUNS ?? '21');
const TARGET = 1.25;

function plain(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(python, [script, tasks, ...chunkArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(now() - start) : reject(new Error(`plain run failed (${code})`))));
  });
}

/** [program ended, report (and timeline file) ready] in ms since the launch; the task bars drawn. */
async function traced(script: string, timeline: 'off' | 'file' | 'live', out: string): Promise<[number, number, number]> {
  const runtime = new TraceRuntime();
  const start = now();
  let exited = 0;
  runtime.on('output', () => undefined);
  runtime.on('exit', () => (exited = now() - start));
  let bars = 0;
  if (timeline !== 'off') {
    const recorder = new TimelineRecorder(runtime, { program: script, file: out, live: timeline === 'live' });
    recorder.once('final', (end) => {
      bars = end.timeline.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'task').length;
    });
  }
  const ended = new Promise<void>((resolve, reject) =>
    runtime.once('end', (end) => (end.exitCode === 0 && end.report ? resolve() : reject(new Error(`traced run failed: ${end.exitCode} ${end.reportError ?? ''}`)))),
  );
  await runtime.launch({ program: script, args: [tasks, ...chunkArgs], python, stdio: 'pipe', timeline: timeline !== 'off' });
  await ended;
  return [exited, now() - start, bars];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-bench-timeline-'));
  const script = path.join(dir, 'pool_map_bench.py');
  const out = path.join(dir, 'timeline.json');
  fs.writeFileSync(script, WORKLOAD);
  try {
    for (let i = 0; i < 2; i++) {
      await plain(script); // warm-up: page cache and bytecode
      await traced(script, 'file', out);
    }
    const ended: Record<'off' | 'file' | 'live', number[]> = { off: [], file: [], live: [] };
    const ready: Record<'off' | 'file' | 'live', number[]> = { off: [], file: [], live: [] };
    const plainMs: number[] = [];
    let bars = 0;
    for (let i = 0; i < runs; i++) {
      plainMs.push(await plain(script));
      for (const variant of ['off', 'file', 'live'] as const) {
        const [exited, done, drawn] = await traced(script, variant, out);
        ended[variant].push(exited);
        ready[variant].push(done);
        if (variant === 'file') bars = drawn;
      }
    }
    const ms = (values: number[]): number => Math.round(median(values) * 10) / 10;
    const ratio = (values: number[], base: number[]): number => Math.round((median(values) / median(base)) * 1000) / 1000;
    console.log(
      JSON.stringify({
        python,
        tasks: Number(tasks),
        chunksize: chunkArgs.length ? Number(chunkArgs[0]) : null,
        runs,
        plainMs: ms(plainMs),
        programEndedMs: { tracer: ms(ended.off), timelineFile: ms(ended.file), timelineLive: ms(ended.live) },
        readyMs: { tracer: ms(ready.off), timelineFile: ms(ready.file), timelineLive: ms(ready.live) },
        timelineVsTracer: {
          programEnded: { file: ratio(ended.file, ended.off), live: ratio(ended.live, ended.off) },
          ready: { file: ratio(ready.file, ready.off), live: ratio(ready.live, ready.off) },
        },
        tracerVsPlain: ratio(ended.off, plainMs),
        taskBars: bars,
        fileBytes: fs.statSync(out).size,
        target: {
          timelineVsTracer: TARGET,
          programEndedPass: ratio(ended.file, ended.off) <= TARGET,
          readyPass: ratio(ready.file, ready.off) <= TARGET,
        },
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
