/**
 * The timeline of a run, folded from the tracer's records: `spans` batches become task and wait
 * bars, process and thread records become lifetimes and lane names, failures, kills, hangs,
 * stalls and races become marks (protocol/src/timeline.ts). It takes records one at a time, live
 * or after the run, hands out what is new (`take`) and, at the end, the whole trace (`finish`).
 */
import type { FailureEvent, LifetimeEvent, MetadataEvent, TaskArgs, TaskEvent, TimelineEvent, TimelineSite, WaitEvent } from '../../protocol/src/timeline';
import * as wire from './wire';
import { get, isDict, isInt, type Obj } from './pyValues';
import { signalName } from './traceFold';

/** Beyond this many events a run's timeline keeps no more (each one counted in `droppedTasks`). */
export const MAX_EVENTS = 2_000_000;

/** Now on the monotonic clock every traced process stamps its spans with, in microseconds. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** `start`/`end`: monotonic µs; `startT`/`endT`: a record's epoch seconds, converted once the clocks' offset is known. */
interface ProcessLife { name?: string; role: string; start?: number; end?: number; startT?: number; endT?: number; endText?: string; emitted?: boolean }
interface ThreadLife { name: string; start: number; end?: number }
/** What the tasks of one submit record share. */
interface Job { function: string; name: string; def?: TimelineSite; submit?: TimelineSite; pool: string }
/** A task span whose submit record has not been read yet (another process's file). */
interface Deferred { pid: number; span: unknown[] }

const FAILURE_RECORDS: ReadonlySet<string> = new Set([
  wire.TASK_EXCEPTION, wire.PROCESS_EXCEPTION, wire.THREAD_EXCEPTION, wire.WORKER_LOST, wire.HANG, wire.RACE, wire.SWALLOWED,
]);

export class TimelineFold {
  /** Epoch microseconds minus monotonic ones: from the first `spans` record (both read at once), else this process's. */
  private offset: number;
  private offsetExact = false;
  private rootPid: number | undefined;
  private readonly submits = new Map<string, Obj>();
  private readonly deferred = new Map<string, Deferred[]>();
  private readonly processes = new Map<number, ProcessLife>();
  private readonly threads = new Map<string, ThreadLife>();
  private readonly covered = new Map<number, number>();
  private readonly lastEnd = new Map<string, number>();
  private readonly killed: Obj[] = [];
  private readonly named = new Map<string, string>();
  private readonly all: TimelineEvent[] = [];
  private fresh: TimelineEvent[] = [];
  private dropped = 0;

  /** `t0`: the run's start on the monotonic clock (µs), which is time 0 of every event. */
  constructor(private readonly t0: number = monotonicMicros()) {
    this.offset = Date.now() * 1000 - monotonicMicros();
  }

  get droppedTasks(): number {
    return this.dropped;
  }

  /** The program's own process: its lifetime ends with the run, hangs without a worker mark it. */
  setRoot(pid: number): void {
    this.rootPid = pid;
    if (!this.processes.has(pid)) this.processes.set(pid, { name: 'MainProcess', role: wire.ROLE_MAIN, start: this.t0 });
  }

  /** One record of the channel, in the order its process wrote it. */
  add(record: Obj): void {
    const kind = record.kind;
    if (kind === wire.SPANS) this.addSpans(record);
    else if (kind === wire.SUBMIT) this.addSubmit(record);
    else if (kind === wire.PROCESS_START) this.processStarted(record);
    else if (kind === wire.PROCESS_EXIT) this.processEnded(record.pid as number, record, isInt(record.exitCode) ? `exit code ${record.exitCode}` : undefined);
    else if (kind === wire.CHILD_EXIT || kind === wire.LEFTOVER) this.childEnded(record);
    else if (kind === wire.IN_FLIGHT) this.inFlight(record);
    if (typeof kind === 'string' && FAILURE_RECORDS.has(kind)) this.failure(record);
  }

  /**
   * The spans a process left unwritten in its `<pid>.spans` file (read after the run, after every
   * record): those its records already hold (killed between writing and emptying it) are skipped.
   */
  addResidual(pid: number, seq: number, spans: unknown[]): void {
    const from = this.covered.get(pid) ?? 0;
    spans.forEach((span, i) => {
      if (seq + i >= from && Array.isArray(span)) this.span(pid, span);
    });
  }

  /** Counts tasks known lost (an unreadable buffer). */
  lost(count: number): void {
    this.dropped += count;
  }

  /** The events made since the last call, each lane's names before its first event. */
  take(): TimelineEvent[] {
    const out: TimelineEvent[] = [];
    for (const event of this.fresh) {
      if (event.ph !== 'M') this.nameLane(event, out);
      out.push(event);
    }
    this.fresh = [];
    return out;
  }

  /**
   * The whole trace, once the run has ended at `end` (monotonic µs): open lives end there, killed
   * tasks are drawn (`take` then hands out what this added, for a live view's last batch).
   */
  finish(end: number = monotonicMicros(), rootExit?: string): TimelineEvent[] {
    for (const span of [...this.deferred.values()].flat()) this.taskEvent(span.pid, span.span, null);
    this.deferred.clear();
    for (const record of this.killed) this.killedTask(record);
    if (this.rootPid !== undefined) {
      const root = this.processes.get(this.rootPid);
      if (root && root.end === undefined) {
        root.end = end;
        root.endT = undefined;
        root.endText = rootExit ?? 'running';
      }
    }
    for (const [pid, life] of this.processes) this.lifetime(pid, life, end);
    for (const [lane, life] of this.threads) {
      if (life.end === undefined) {
        const [pid, tid] = lane.split(':').map(Number);
        this.push(this.threadLifetime(pid, tid, life, this.processes.get(pid)?.end ?? end));
      }
    }
    const events = this.all.filter((event) => event.ph !== 'M').sort((a, b) => a.ts - b.ts);
    return [...this.metadata(), ...events];
  }

  // ---- spans ------------------------------------------------------------------------------

  private addSpans(record: Obj): void {
    const pid = record.pid as number;
    const seq = isInt(record.seq) ? record.seq : 0;
    const spans = Array.isArray(record.spans) ? record.spans : [];
    if (!this.offsetExact && typeof record.t === 'number' && isInt(record.m)) {
      this.offset = record.t * 1e6 - record.m;
      this.offsetExact = true;
    }
    this.covered.set(pid, Math.max(this.covered.get(pid) ?? 0, seq + spans.length));
    for (const span of spans) if (Array.isArray(span)) this.span(pid, span);
  }

  private span(pid: number, span: unknown[]): void {
    const kind = span[0];
    if (kind === 'task') {
      const key = span[4];
      if (typeof key === 'string' && !this.submits.has(key)) {
        const waiting = this.deferred.get(key) ?? [];
        waiting.push({ pid, span });
        this.deferred.set(key, waiting);
        return;
      }
      this.taskEvent(pid, span, typeof key === 'string' ? (this.submits.get(key) ?? null) : null);
    } else if (kind === 'wait' && isInt(span[1]) && isInt(span[2]) && isInt(span[3])) {
      const event: WaitEvent = { name: String(span[4]), ph: 'X', cat: 'wait', pid, tid: span[1], ts: this.rel(span[2]), dur: micros(span[3] - span[2]), args: {} };
      const site = siteOf(span[5]);
      if (site) event.args.site = site;
      this.push(event);
    } else if (kind === 'thread' && isInt(span[1]) && isInt(span[2])) {
      const lane = `${pid}:${span[1]}`;
      const life: ThreadLife = { name: String(span[4]), start: span[2], end: isInt(span[3]) ? span[3] : undefined };
      this.threads.set(lane, life);
      this.setName(lane, life.name);
      if (life.end !== undefined) this.push(this.threadLifetime(pid, span[1], life, life.end));
    }
  }

  private taskEvent(pid: number, span: unknown[], submit: Obj | null): void {
    const [, tid, begin, end, key, chunk, pos, fn, submitSite, defSite, args, outcome, error] = span;
    if (!isInt(tid) || !isInt(begin) || !isInt(end)) return;
    // What a job's tasks share is made once per submit record: 100,000 bars share a few objects.
    const job = submit ? this.jobOf(submit) : undefined;
    const fnName = fn === null || fn === undefined ? (job?.function ?? '?') : String(fn);
    const taskArgs: TaskArgs = { function: fnName, outcome: outcome === 'raised' ? 'raised' : 'ok' };
    const def = siteOf(defSite) ?? job?.def;
    const at = siteOf(submitSite) ?? job?.submit;
    if (def) taskArgs.def = def;
    if (at) taskArgs.submit = at;
    const index = taskIndex(submit, chunk, pos);
    if (index !== undefined) taskArgs.index = index;
    if (typeof args === 'string') taskArgs.args = args;
    if (typeof key === 'string') taskArgs.pool = job?.pool ?? key.slice(0, key.lastIndexOf(':'));
    if (typeof error === 'string') taskArgs.error = error;
    const lane = `${pid}:${tid}`;
    this.lastEnd.set(lane, Math.max(this.lastEnd.get(lane) ?? 0, end));
    this.push({ name: job && fnName === job.function ? job.name : shortName(fnName), ph: 'X', cat: 'task', pid, tid, ts: this.rel(begin), dur: micros(end - begin), args: taskArgs });
  }

  private readonly jobs = new Map<Obj, Job>();

  private jobOf(submit: Obj): Job {
    let job = this.jobs.get(submit);
    if (!job) {
      const key = String(submit.key);
      const fn = String(get(submit, 'function') ?? '?');
      job = { function: fn, name: shortName(fn), def: siteOf(submit.def), submit: siteOf(submit.submittedAt), pool: key.slice(0, key.lastIndexOf(':')) };
      this.jobs.set(submit, job);
    }
    return job;
  }

  private addSubmit(record: Obj): void {
    const key = record.key;
    if (typeof key !== 'string') return;
    this.submits.set(key, record);
    const waiting = this.deferred.get(key);
    if (!waiting) return;
    this.deferred.delete(key);
    for (const span of waiting) this.taskEvent(span.pid, span.span, record);
  }

  // ---- processes and threads ------------------------------------------------------------

  private processStarted(record: Obj): void {
    const pid = record.pid as number;
    const life = this.processes.get(pid) ?? { role: String(record.role ?? 'process') };
    life.role = String(record.role ?? life.role);
    if (typeof record.name === 'string') life.name = record.name;
    if (pid !== this.rootPid) life.startT = timeOfRecord(record);
    this.processes.set(pid, life);
    if (life.name) this.setName(`${pid}`, life.name);
  }

  private processEnded(pid: number, record: Obj, endText: string | undefined): void {
    const life = this.processes.get(pid);
    if (!life || life.end !== undefined || life.endT !== undefined || pid === this.rootPid) return;
    life.endT = timeOfRecord(record);
    life.endText = endText;
  }

  private childEnded(record: Obj): void {
    const child = record.child;
    if (!isInt(child)) return;
    const code = record.exitCode;
    const signal = typeof record.signal === 'string' ? record.signal : isInt(code) && code < 0 ? signalName(-code) : undefined;
    this.processEnded(child, record, signal ?? (isInt(code) ? `exit code ${code}` : undefined));
  }

  private lifetime(pid: number, life: ProcessLife, end: number): void {
    if (life.emitted) return;
    life.emitted = true;
    const start = this.startOf(life) ?? this.t0;
    const stop = life.end ?? (life.endT !== undefined ? this.fromEpoch(life.endT) : end);
    const event: LifetimeEvent = { name: life.name ?? `process ${pid}`, ph: 'X', cat: 'lifetime', pid, tid: pid, ts: this.rel(start), dur: micros(stop - start), args: { role: life.role, end: life.endText ?? 'running' } };
    this.push(event);
  }

  private threadLifetime(pid: number, tid: number, life: ThreadLife, end: number): LifetimeEvent {
    const ended = life.end !== undefined;
    life.end ??= end;
    return { name: life.name, ph: 'X', cat: 'lifetime', pid, tid, ts: this.rel(life.start), dur: micros(end - life.start), args: { role: 'thread', end: ended ? 'ended' : 'running' } };
  }

  // ---- failures ---------------------------------------------------------------------------

  private failure(record: Obj): void {
    const kind = String(record.kind);
    const at = this.mono(record);
    if (kind === wire.HANG) {
      const lane = isInt(record.child) ? record.child : (this.rootPid ?? (record.pid as number));
      this.mark(lane, lane, at, 'hang', `hang: ${taskName(record.task) ?? 'the pool can no longer finish'} (after ${String(record.timeout ?? '?')} s)`, undefined);
      return;
    }
    if (kind === wire.RACE) {
      const site = typeof record.file === 'string' && isInt(record.line) ? { file: record.file, line: record.line } : undefined;
      this.mark(record.pid as number, record.pid as number, at, 'race', `unlocked read-modify-write of ${String(record.object ?? '?')} (${String(record.count ?? '?')} times)`, site);
      return;
    }
    if (kind === wire.WORKER_LOST) {
      const child = isInt(record.child) ? record.child : (record.pid as number);
      const how = typeof record.signal === 'string' ? record.signal : `exit code ${String(record.exitCode)}`;
      this.mark(child, child, at, 'worker-lost', `${String(record.worker ?? 'worker')} lost (${how})${taskName(record.task) ? ` running ${taskName(record.task)}` : ''}`, innermost(record.frames) ?? siteOf(get(asObj(record.task), 'submittedAt')));
      if (isDict(record.task)) this.killed.push(record);
      return;
    }
    const pid = record.pid as number;
    const threadName = typeof record.threadName === 'string' ? record.threadName : record.thread;
    const tid = kind === wire.SWALLOWED ? pid : this.tidNamed(pid, threadName);
    const exc = asObj(record.exception);
    const text = `${String(exc.type ?? 'Exception')}: ${String(exc.message ?? '')}`;
    this.mark(pid, tid, at, kind, text, innermost(record.frames) ?? siteOf(get(asObj(record.task), 'submittedAt')));
  }

  private inFlight(record: Obj): void {
    const at = this.mono(record);
    const tasks = Array.isArray(record.tasks) ? record.tasks : [];
    for (const item of tasks) {
      if (!isDict(item) || !isInt(item.pid)) continue;
      const name = taskName(item.task) ?? '?';
      if (record.reason === 'stall') this.mark(item.pid, item.pid, at, 'stall', `stall: ${name} running for ${Number(item.runningFor ?? 0).toFixed(1)} s`, innermost(item.frames));
      const begin = typeof item.startedAt === 'number' ? item.startedAt * 1e6 - this.offset : at;
      const task = asObj(item.task);
      const args: TaskArgs = { function: name, outcome: 'unfinished' };
      const submit = siteOf(task.submittedAt);
      if (submit) args.submit = submit;
      if (isInt(task.index)) args.index = task.index;
      if (Array.isArray(task.args)) args.args = task.args.join(', ').slice(0, 80);
      this.push({ name: shortName(name), ph: 'X', cat: 'task', pid: item.pid, tid: item.pid, ts: this.rel(begin), dur: micros(at - begin), args });
    }
  }

  /** A task that was running when its worker died: from the lane's last task end (or its start) to the loss. */
  private killedTask(record: Obj): void {
    const child = isInt(record.child) ? record.child : (record.pid as number);
    const end = this.mono(record);
    const life = this.processes.get(child);
    const begin = Math.min(end, this.lastEnd.get(`${child}:${child}`) ?? (life ? this.startOf(life) : undefined) ?? end);
    const task = asObj(record.task);
    const name = taskName(task) ?? '?';
    const args: TaskArgs = { function: name, outcome: 'killed', error: (typeof record.signal === 'string' ? `killed by ${record.signal}` : `exited with code ${String(record.exitCode)}`) };
    const submit = siteOf(task.submittedAt);
    if (submit) args.submit = submit;
    if (isInt(task.index)) args.index = task.index;
    if (Array.isArray(task.args)) args.args = task.args.join(', ').slice(0, 80);
    if (typeof record.key === 'string') args.pool = record.key.slice(0, record.key.lastIndexOf(':'));
    const event: TaskEvent = { name: shortName(name), ph: 'X', cat: 'task', pid: child, tid: child, ts: this.rel(begin), dur: micros(end - begin), args };
    this.push(event);
  }

  private mark(pid: number, tid: number, at: number, kind: string, message: string, site: TimelineSite | undefined): void {
    const event: FailureEvent = { name: kind, ph: 'i', s: 't', cat: 'failure', pid, tid, ts: this.rel(at), args: { kind, message: oneLine(message) } };
    if (site) event.args.site = site;
    this.push(event);
  }

  // ---- lanes --------------------------------------------------------------------------------

  private tidNamed(pid: number, thread: unknown): number {
    if (typeof thread === 'string' && thread !== 'MainThread') {
      for (const [lane, life] of this.threads) if (life.name === thread && lane.startsWith(`${pid}:`)) return Number(lane.split(':')[1]);
    }
    return pid;
  }

  private setName(lane: string, name: string): void {
    if (this.named.get(lane) === name) return;
    this.named.set(lane, name);
    // A name learnt after its lane was drawn is sent again (the client keeps the last one).
    if (this.sentLanes.has(lane)) this.fresh.push(this.metaFor(lane));
  }

  private nameLane(event: { pid: number; tid: number }, out: TimelineEvent[]): void {
    for (const lane of [`${event.pid}`, `${event.pid}:${event.tid}`]) {
      if (this.sentLanes.has(lane)) continue;
      this.sentLanes.add(lane);
      if (!this.named.has(lane)) this.named.set(lane, lane.includes(':') ? this.defaultThreadName(event.pid, event.tid) : `process ${event.pid}`);
      out.push(this.metaFor(lane));
    }
  }

  private readonly sentLanes = new Set<string>();

  private defaultThreadName(pid: number, tid: number): string {
    return tid === pid ? 'MainThread' : `thread ${tid}`;
  }

  private metaFor(lane: string): MetadataEvent {
    const [pid, tid] = lane.split(':').map(Number);
    const name = this.named.get(lane) ?? lane;
    return tid === undefined ? { ph: 'M', name: 'process_name', pid, args: { name } } : { ph: 'M', name: 'thread_name', pid, tid, args: { name } };
  }

  /** One name per lane, and processes in the order they started (the program's own first). */
  private metadata(): MetadataEvent[] {
    const out: MetadataEvent[] = [];
    const lanes = new Set<string>();
    for (const event of this.all) if (event.ph !== 'M') lanes.add(`${event.pid}`).add(`${event.pid}:${event.tid}`);
    const pids = [...this.processes.entries()].sort((a, b) => (a[0] === this.rootPid ? -1 : b[0] === this.rootPid ? 1 : (this.startOf(a[1]) ?? 0) - (this.startOf(b[1]) ?? 0))).map(([pid]) => pid);
    for (const lane of lanes) {
      if (!this.named.has(lane)) this.named.set(lane, lane.includes(':') ? this.defaultThreadName(Number(lane.split(':')[0]), Number(lane.split(':')[1])) : `process ${lane}`);
      out.push(this.metaFor(lane));
    }
    pids.forEach((pid, i) => {
      if (lanes.has(`${pid}`)) out.push({ ph: 'M', name: 'process_sort_index', pid, args: { sort_index: i } });
    });
    return out;
  }

  // ---- time ---------------------------------------------------------------------------------

  /** A record's epoch time `t` on the monotonic clock (µs). */
  private mono(record: Obj): number {
    return this.fromEpoch(timeOfRecord(record));
  }

  private fromEpoch(seconds: number): number {
    return seconds * 1e6 - this.offset;
  }

  private startOf(life: ProcessLife): number | undefined {
    return life.start ?? (life.startT !== undefined ? this.fromEpoch(life.startT) : undefined);
  }

  /** Microseconds since the run started (never before it). */
  private rel(mono: number): number {
    return Math.max(0, Math.round(mono - this.t0));
  }

  private push(event: TimelineEvent): void {
    if (this.all.length >= MAX_EVENTS) {
      if (event.ph === 'X' && event.cat === 'task') this.dropped += 1;
      return;
    }
    this.all.push(event);
    this.fresh.push(event);
  }
}

/** A duration in whole microseconds, never negative. */
function micros(value: number): number {
  return Math.max(0, Math.round(value));
}

function timeOfRecord(record: Obj): number {
  return typeof record.t === 'number' ? record.t : 0;
}

function asObj(value: unknown): Obj {
  return isDict(value) ? value : {};
}

function siteOf(value: unknown): TimelineSite | undefined {
  if (Array.isArray(value) && typeof value[0] === 'string' && isInt(value[1])) return { file: value[0], line: value[1] };
  if (isDict(value) && typeof value.file === 'string' && isInt(value.line)) return { file: value.file, line: value.line };
  return undefined;
}

/** The innermost frame of a failure (frames are outermost first). */
function innermost(frames: unknown): TimelineSite | undefined {
  return Array.isArray(frames) && frames.length > 0 ? siteOf(frames[frames.length - 1]) : undefined;
}

function taskName(task: unknown): string | undefined {
  return isDict(task) && typeof task.function === 'string' ? task.function : undefined;
}

function taskIndex(submit: Obj | null, chunk: unknown, pos: unknown): number | undefined {
  if (!submit) return isInt(pos) ? pos : undefined;
  if (!submit.indexed || !isInt(pos)) return undefined;
  const base = isInt(submit.indexBase) ? submit.indexBase : 0;
  const size = isInt(submit.chunksize) ? submit.chunksize : 1;
  return base + (isInt(chunk) ? chunk : 0) * size + pos;
}

/** A bar's label: the function's own name (`__main__.work` -> `work`); `args.function` keeps it whole. */
function shortName(qualified: string): string {
  if (qualified.startsWith('functools.partial(')) return qualified;
  return qualified.slice(qualified.lastIndexOf('.') + 1) || qualified;
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
