/**
 * The panel's summary strip: per worker (every lane that ran tasks) the share of its life spent
 * running tasks and idle, and the slowest tasks of the run. Plain TypeScript, from a Timeline.
 */
import type { TaskEvent } from '../../../protocol/src/timeline';
import type { Lane, Timeline } from './model';

export interface WorkerUsage {
  lane: string;
  /** `ForkPoolWorker-1` or `ForkPoolWorker-1 · Thread-2` when the process has several lanes. */
  label: string;
  tasks: number;
  /** Microseconds running tasks (overlaps counted once) within the worker's span. */
  busy: number;
  /** The worker's span: its lifetime bar, else the run's span. */
  span: number;
  busyPct: number;
  idlePct: number;
}

export interface SlowTask {
  ev: number;
  function: string;
  index?: number;
  dur: number;
  worker: string;
  outcome: TaskEvent['args']['outcome'];
}

export interface TimelineSummary {
  workers: WorkerUsage[];
  slowest: SlowTask[];
  tasks: number;
  failures: number;
  kills: number;
  /** Median task duration, for "how much slower than usual" (0 without tasks). */
  medianTask: number;
}

export function summarize(timeline: Timeline, slowestCount = 5): TimelineSummary {
  const workers: WorkerUsage[] = [];
  const slow: SlowTask[] = [];
  const durations: number[] = [];
  for (const group of timeline.layout()) {
    for (const lane of group.lanes) {
      if (lane.tasks.start.length === 0) continue;
      const label = group.lanes.length > 1 ? `${group.name} · ${lane.name}` : group.name;
      workers.push(usage(timeline, lane, label));
      for (let i = 0; i < lane.tasks.start.length; i++) {
        const dur = lane.tasks.end[i] - lane.tasks.start[i];
        durations.push(dur);
        keepSlowest(slow, slowestCount, () => slowTask(timeline, lane.tasks.ev[i], label), dur);
      }
    }
  }
  durations.sort((a, b) => a - b);
  return {
    workers,
    slowest: slow,
    tasks: timeline.taskCount,
    failures: timeline.markCount,
    kills: timeline.killCount,
    medianTask: durations.length > 0 ? durations[Math.floor((durations.length - 1) / 2)] : 0,
  };
}

function usage(timeline: Timeline, lane: Lane, label: string): WorkerUsage {
  const life = lane.lifetime !== undefined ? timeline.events[lane.lifetime] : undefined;
  const from = life && life.ph === 'X' ? life.ts : timeline.start;
  const to = life && life.ph === 'X' ? life.ts + life.dur : timeline.end;
  let busy = 0;
  let reach = from;
  // Bars are sorted by start: count each covered microsecond once, clipped to the span.
  for (let i = 0; i < lane.tasks.start.length; i++) {
    const s = Math.max(lane.tasks.start[i], reach);
    const e = Math.min(lane.tasks.end[i], to);
    if (e > s) busy += e - s;
    reach = Math.max(reach, Math.min(lane.tasks.end[i], to));
  }
  const span = Math.max(0, to - from);
  const busyPct = span > 0 ? Math.min(100, (busy / span) * 100) : 0;
  return { lane: lane.key, label, tasks: lane.tasks.start.length, busy, span, busyPct, idlePct: span > 0 ? 100 - busyPct : 0 };
}

/** Inserts into a list kept sorted, longest first, of at most `count` tasks. */
function keepSlowest(list: SlowTask[], count: number, make: () => SlowTask, dur: number): void {
  if (count <= 0 || (list.length >= count && dur <= list[list.length - 1].dur)) return;
  const item = make();
  let at = list.findIndex((t) => dur > t.dur);
  if (at < 0) at = list.length;
  list.splice(at, 0, item);
  if (list.length > count) list.pop();
}

function slowTask(timeline: Timeline, ev: number, worker: string): SlowTask {
  const e = timeline.events[ev] as TaskEvent;
  return { ev, function: e.args.function, ...(e.args.index !== undefined ? { index: e.args.index } : {}), dur: e.dur, worker, outcome: e.args.outcome };
}

/** `1.25 s`, `340 ms`, `85 µs`: the unit that keeps 3 significant digits readable. */
export function formatDuration(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(us >= 10_000_000 ? 1 : 2)} s`;
  if (us >= 1000) return `${(us / 1000).toFixed(us >= 100_000 ? 0 : 1)} ms`;
  return `${Math.round(us)} µs`;
}
