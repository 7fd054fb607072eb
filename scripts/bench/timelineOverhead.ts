/**
 * The timeline's cost (issue #22): a Pool(2).map of BENCH_TASKS small tasks (chunksize
 * BENCH_CHUNKSIZE, else CPython's) run plain, through the runtime with the tracer and no timeline
 * (as `workerscope run` runs it), with the timeline on (the file written, as `workerscope run
 * --timeline` does) and with it on and read live (as a debug session with `timeline` does),
 * interleaved; prints medians as JSON, the timeline's overhead over the tracer alone, and whether
 * it is within the target (+25 %).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TimelineRecorder } from '../../runtime/src/timelineRecorder';
import { TraceRuntime } from '../../runtime/src/traceRuntime';

const WORKLOAD = `import multiprocessing
import sys

def sq(x):
    return x * x

if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        chunksize = int(sys.argv[2]) if len(sys.argv) > 2 else None
        total = sum(pool.map(sq, range(int(sys.argv[1])), chunksize))
    print(total)
`;

const python = process.env.BENCH_PYTHON ?? 'python3';
const tasks = process.env.BENCH_TASKS ?? '10000';
const chunkArgs = process.env.BENCH_CHUNKSIZE ? [process.env.BENCH_CHUNKSIZE] : [];
const runs = Number(process.env.BENCH_RUNS ?? '21');
const TARGET = 1.25;

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function plain(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(python, [script, tasks, ...chunkArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(now() - start) : reject(new Error(`plain run failed (${code})`))));
  });
}

/** Launch to report (and timeline file) ready, in ms; the number of task bars drawn, with a timeline. */
async function traced(script: string, timeline: 'off' | 'file' | 'live', out: string): Promise<[number, number]> {
  const runtime = new TraceRuntime();
  const start = now();
  runtime.on('output', () => undefined);
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
  return [now() - start, bars];
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
    const times: Record<'plain' | 'off' | 'file' | 'live', number[]> = { plain: [], off: [], file: [], live: [] };
    let bars = 0;
    for (let i = 0; i < runs; i++) {
      times.plain.push(await plain(script));
      times.off.push((await traced(script, 'off', out))[0]);
      const [fileMs, drawn] = await traced(script, 'file', out);
      times.file.push(fileMs);
      bars = drawn;
      times.live.push((await traced(script, 'live', out))[0]);
    }
    const ms = (values: number[]): number => Math.round(median(values) * 10) / 10;
    const ratio = (values: number[], base: number[]): number => Math.round((median(values) / median(base)) * 1000) / 1000;
    console.log(
      JSON.stringify({
        python,
        tasks: Number(tasks),
        chunksize: chunkArgs.length ? Number(chunkArgs[0]) : null,
        runs,
        medianMs: { plain: ms(times.plain), tracer: ms(times.off), timelineFile: ms(times.file), timelineLive: ms(times.live) },
        timelineVsTracer: { file: ratio(times.file, times.off), live: ratio(times.live, times.off) },
        tracerVsPlain: ratio(times.off, times.plain),
        taskBars: bars,
        fileBytes: fs.statSync(out).size,
        target: { timelineVsTracer: TARGET, pass: ratio(times.file, times.off) <= TARGET },
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
