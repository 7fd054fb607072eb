/**
 * The timeline as the panel draws it: checked events (a file's, or live batches merged as they
 * arrive) sorted into one lane group per process and one lane per thread, main process first,
 * then by start; bars kept per lane in start order for the renderer's binary search. Plain
 * TypeScript: the extension keeps one per session for export, the webview one to draw.
 */
import type { TaskOutcome, TimelineEvent, TimelineFile } from '../../../protocol/src/timeline';

/** Bars of one kind on a lane, as parallel arrays (fast to scan at 100,000 tasks). */
export interface Bars {
  start: number[];
  end: number[];
  /** Index of the bar's event in `Timeline.events`. */
  ev: number[];
  /** Longest bar, so a search by start can reach back to bars that began before the window. */
  maxDur: number;
  sorted: boolean;
}

export interface Lane {
  key: string;
  pid: number;
  tid: number;
  /** The thread's name (metadata), else `thread <tid>`. */
  name: string;
  sortIndex?: number;
  /** Earliest time any event of the lane starts. */
  first: number;
  tasks: Bars;
  waits: Bars;
  /** The lifetime event of the thread (or of the process, on its main thread). */
  lifetime?: number;
  /** Failure marks: event indices, in arrival order. */
  marks: number[];
}

export interface LaneGroup {
  pid: number;
  /** The process's name (metadata), else its role and pid. */
  name: string;
  role?: string;
  main: boolean;
  sortIndex?: number;
  first: number;
  lanes: Lane[];
}

export const OUTCOME_CODE: Record<TaskOutcome, number> = { ok: 0, raised: 1, killed: 2, unfinished: 3 };

/** Failure kinds drawn as a kill: the worker was lost (killed by a signal or exited). */
export function isKill(kind: string): boolean {
  return kind === 'worker-lost';
}

export class Timeline {
  readonly events: TimelineEvent[] = [];
  /** Functions in order of first appearance: a function's colour never changes as the run goes on. */
  readonly functions: string[] = [];
  start = Infinity;
  end = -Infinity;
  taskCount = 0;
  markCount = 0;
  killCount = 0;
  private readonly functionIndex = new Map<string, number>();
  private readonly groups = new Map<number, LaneGroup>();
  private readonly lanes = new Map<string, Lane>();
  private readonly processNames = new Map<number, string>();
  private readonly threadNames = new Map<string, string>();
  private ordered: LaneGroup[] | undefined;

  constructor(events: readonly TimelineEvent[] = []) {
    this.add(events);
  }

  /** Adds checked events (a live batch or a whole file). */
  add(events: readonly TimelineEvent[]): void {
    for (const event of events) this.addOne(event);
    if (events.length > 0) this.ordered = undefined;
  }

  get empty(): boolean {
    return this.events.length === 0;
  }

  /** The colour slot of a function (first seen, first slot). */
  functionOf(ev: number): number {
    const e = this.events[ev];
    return e && e.ph === 'X' && e.cat === 'task' ? (this.functionIndex.get(e.args.function) ?? 0) : 0;
  }

  /** Groups and lanes in drawing order; each lane's bars sorted by start. */
  layout(): LaneGroup[] {
    if (this.ordered) return this.ordered;
    for (const lane of this.lanes.values()) {
      sortBars(lane.tasks);
      sortBars(lane.waits);
    }
    const groups = [...this.groups.values()];
    for (const group of groups) {
      group.name = this.processNames.get(group.pid) ?? (group.role ? `${group.role} ${group.pid}` : `pid ${group.pid}`);
      for (const lane of group.lanes) lane.name = this.threadNames.get(lane.key) ?? (lane.tid === lane.pid && group.lanes.length === 1 ? 'main thread' : `thread ${lane.tid}`);
      group.lanes.sort((a, b) => mainThreadFirst(a, b) || bySortIndex(a.sortIndex, b.sortIndex) || a.first - b.first || a.tid - b.tid);
    }
    // The main process is the one whose role says so; else the one with the lowest sort index, else the first to start.
    if (!groups.some((g) => g.main) && groups.length > 0) {
      const first = [...groups].sort((a, b) => bySortIndex(a.sortIndex, b.sortIndex) || a.first - b.first || a.pid - b.pid)[0];
      first.main = true;
    }
    groups.sort((a, b) => Number(b.main) - Number(a.main) || bySortIndex(a.sortIndex, b.sortIndex) || a.first - b.first || a.pid - b.pid);
    this.ordered = groups;
    return groups;
  }

  /** All lanes in drawing order. */
  laneList(): Lane[] {
    return this.layout().flatMap((g) => g.lanes);
  }

  /** The lane and group of an event's (pid, tid). */
  laneOf(pid: number, tid: number): Lane | undefined {
    return this.lanes.get(`${pid}:${tid}`);
  }

  groupOf(pid: number): LaneGroup | undefined {
    return this.groups.get(pid);
  }

  /** The Chrome Trace JSON to export: metadata first, then every other event in time order. */
  toFile(about: Partial<TimelineFile['otherData']> = {}): TimelineFile {
    const meta = this.events.filter((e) => e.ph === 'M');
    const timed = this.events.filter((e): e is Exclude<TimelineEvent, { ph: 'M' }> => e.ph !== 'M').sort((a, b) => a.ts - b.ts);
    return {
      traceEvents: [...meta, ...timed],
      displayTimeUnit: 'ms',
      otherData: { workerscope: 1, program: about.program ?? '', runtime: about.runtime ?? 'python', started: about.started ?? '', droppedTasks: about.droppedTasks ?? 0 },
    };
  }

  private addOne(event: TimelineEvent): void {
    const ev = this.events.length;
    this.events.push(event);
    if (event.ph === 'M') {
      this.addMetadata(event);
      return;
    }
    const lane = this.lane(event.pid, event.tid, event.ts);
    const end = event.ph === 'X' ? event.ts + event.dur : event.ts;
    this.start = Math.min(this.start, event.ts);
    this.end = Math.max(this.end, end);
    if (event.ph === 'i') {
      lane.marks.push(ev);
      this.markCount++;
      if (isKill(event.args.kind)) this.killCount++;
      return;
    }
    if (event.cat === 'lifetime') {
      lane.lifetime = ev;
      const group = this.groups.get(event.pid)!;
      if (event.tid === event.pid || !group.role) group.role = event.args.role;
      if (event.args.role === 'main') group.main = true;
      return;
    }
    if (event.cat === 'task') {
      this.taskCount++;
      if (!this.functionIndex.has(event.args.function)) {
        this.functionIndex.set(event.args.function, this.functions.length);
        this.functions.push(event.args.function);
      }
    }
    pushBar(event.cat === 'task' ? lane.tasks : lane.waits, event.ts, end, ev);
  }

  private addMetadata(event: Extract<TimelineEvent, { ph: 'M' }>): void {
    const { name, sort_index: sortIndex } = event.args;
    if (event.name === 'process_name' && name) this.processNames.set(event.pid, name);
    else if (event.name === 'thread_name' && name && event.tid !== undefined) this.threadNames.set(`${event.pid}:${event.tid}`, name);
    else if (event.name === 'process_sort_index' && sortIndex !== undefined) this.group(event.pid, Infinity).sortIndex = sortIndex;
    else if (event.name === 'thread_sort_index' && sortIndex !== undefined && event.tid !== undefined) this.lane(event.pid, event.tid, Infinity).sortIndex = sortIndex;
    this.ordered = undefined;
  }

  private group(pid: number, ts: number): LaneGroup {
    let group = this.groups.get(pid);
    if (!group) {
      group = { pid, name: '', main: false, first: ts, lanes: [] };
      this.groups.set(pid, group);
    }
    group.first = Math.min(group.first, ts);
    return group;
  }

  private lane(pid: number, tid: number, ts: number): Lane {
    const group = this.group(pid, ts);
    const key = `${pid}:${tid}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { key, pid, tid, name: '', first: ts, tasks: emptyBars(), waits: emptyBars(), marks: [] };
      this.lanes.set(key, lane);
      group.lanes.push(lane);
      this.ordered = undefined;
    }
    lane.first = Math.min(lane.first, ts);
    return lane;
  }
}

function emptyBars(): Bars {
  return { start: [], end: [], ev: [], maxDur: 0, sorted: true };
}

function pushBar(bars: Bars, start: number, end: number, ev: number): void {
  const n = bars.start.length;
  if (n > 0 && start < bars.start[n - 1]) bars.sorted = false;
  bars.start.push(start);
  bars.end.push(end);
  bars.ev.push(ev);
  bars.maxDur = Math.max(bars.maxDur, end - start);
}

/** Sorts a lane's bars by start (live batches can arrive out of order across threads of a worker). */
function sortBars(bars: Bars): void {
  if (bars.sorted) return;
  const order = bars.start.map((_, i) => i).sort((a, b) => bars.start[a] - bars.start[b] || bars.ev[a] - bars.ev[b]);
  const pick = (values: number[]): number[] => order.map((i) => values[i]);
  bars.start = pick(bars.start);
  bars.end = pick(bars.end);
  bars.ev = pick(bars.ev);
  bars.sorted = true;
}

function mainThreadFirst(a: Lane, b: Lane): number {
  return Number(b.tid === b.pid) - Number(a.tid === a.pid);
}

function bySortIndex(a: number | undefined, b: number | undefined): number {
  return (a ?? Infinity) === (b ?? Infinity) ? 0 : (a ?? Infinity) < (b ?? Infinity) ? -1 : 1;
}
