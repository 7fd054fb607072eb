/**
 * The state of a traced run, built from channel records as they arrive (live) or from a saved
 * report (post-mortem): the processes and threads seen, the failures with their tasks, the races.
 * Knows nothing of DAP and prints nothing; the debug session and other users listen to its events.
 */
import { EventEmitter } from 'node:events';
import type { ChannelRecord } from './channelReader';
import { parseFailure, parseInFlight, type ProcessRole, type TraceFailure, type TraceInFlight, type TraceRace, type TraceReport } from './report';
import * as wire from './wire';
import { asRole, guessRole, normalizeFailure, num, signalName, str } from './recordFields';
import { inFlightTasks, TraceFold, type Obj, type ReportContext } from './traceFold';
import { stopFromRecord, type ModelStop } from './modelStop';

export { signalName } from './recordFields';
export type { ModelStop } from './modelStop';

/** A process, or a thread of a process that had a failure of its own. */
export interface ModelThread {
  /** Small positive number, unique in this model; stable for the whole run. */
  id: number;
  pid: number;
  ppid?: number;
  role: ProcessRole;
  /** Process name (`ForkPoolWorker-2`, `MainProcess`) or, for a thread, the thread's name. */
  name: string;
  alive: boolean;
  exitCode?: number | null;
  signal?: string;
  /** Still running when the main process ended (the supervisor then ended it). */
  outlived?: boolean;
}

export interface ModelFailure extends TraceFailure {
  /** The tracer's failure id when it has one (`<pid>-<n>`), else one made up here. */
  id: string;
  /** The failing worker is waiting for `resume`. */
  paused: boolean;
  /** The model thread the failure belongs to. */
  threadId: number;
}

/** A logpoint's message, as the program's process wrote it. */
export interface ModelLog {
  pid: number;
  message: string;
  file?: string;
  line?: number;
  worker?: string;
}

export interface TraceModelEvents {
  processStarted: [ModelThread];
  processExited: [ModelThread];
  /** A new failure, or a known one that changed kind (an exception later found never retrieved). */
  failure: [ModelFailure];
  resumed: [ModelFailure | ModelStop, string];
  stopped: [ModelStop];
  log: [ModelLog];
  race: [TraceRace];
}

/** Records that describe context other records refer to; applied first within a batch. */
const CONTEXT_KINDS: ReadonlySet<string> = new Set([wire.PROCESS_START, wire.START_METHOD, wire.SUBMIT]);

/** Records only a parent process writes. */
const PARENT_KINDS: ReadonlySet<string> = new Set([wire.START_METHOD, wire.SUBMIT, wire.CHILD_EXIT, wire.WORKER_LOST, wire.SWALLOWED]);

/** A live failure and the record it was folded from (a later submit or swallowed record refolds it). */
interface Source {
  record: Obj;
  /** Its place among the failures the record stands for (a stall names several tasks). */
  index: number;
  failure: ModelFailure;
}

export class TraceModel extends EventEmitter<TraceModelEvents> {
  readonly failures: ModelFailure[] = [];
  readonly races: TraceRace[] = [];
  /** Tasks in flight when the main process ended or the run was stopped (the last such record). */
  inFlight: TraceInFlight[] = [];
  startMethod: string | undefined;
  /** What the records fold into; the report is made from it. */
  private readonly fold = new TraceFold();
  /** Time of the last `in-flight` "ended" record: failures after it are consequences of the end. */
  private endedAt: number | undefined;
  private readonly threadsById = new Map<number, ModelThread>();
  private readonly threadsByKey = new Map<string, ModelThread>();
  private readonly failuresById = new Map<string, ModelFailure>();
  private readonly stopsById = new Map<string, ModelStop>();
  /** Task key -> the live failures whose records carry it, to refold when its submit or swallowed record comes. */
  private readonly sources = new Map<string, Source[]>();
  /** The time of the record being applied (failures compare it with `endedAt`). */
  private applying: number | undefined;
  private nextThreadId = 1;
  private nextFailureSeq = 1;
  private batch: ChannelRecord[] = [];
  private flushScheduled = false;

  /** Every process and thread seen, in order of appearance. */
  get threads(): ModelThread[] {
    return [...this.threadsById.values()];
  }

  thread(id: number): ModelThread | undefined {
    return this.threadsById.get(id);
  }

  failure(id: string): ModelFailure | undefined {
    return this.failuresById.get(id);
  }

  /** The main process's own announcement (its interpreter and bytecode tag), if it made one. */
  rootAnnouncement(rootPid: number): { python?: string; cacheTag?: string } {
    return this.fold.rootAnnouncement(rootPid);
  }

  /** The supervisor ended the run: a hang, or a stall when stalls end runs. */
  endedByWatch(stallEnds: boolean): boolean {
    return this.fold.endedByWatch(stallEnds);
  }

  /** The trace report of what the records so far describe, with what only the runtime knows. */
  report(context: ReportContext): Obj {
    this.flush();
    return this.fold.report(context);
  }

  /**
   * Queues a record and applies the queue on the next turn of the event loop. The channel reader
   * delivers a whole drain synchronously, file by file, so a worker's failure can come before its
   * parent's `submit`; applying context records first within a batch gives the failure its index.
   */
  push(record: ChannelRecord): void {
    this.batch.push(record);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Applies every queued record now (also called before reading the final state). */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    this.batch = [];
    for (const record of batch) if (CONTEXT_KINDS.has(record.kind)) this.apply(record);
    for (const record of batch) if (!CONTEXT_KINDS.has(record.kind)) this.apply(record);
  }

  /**
   * Applies one record at once: the fold takes it in, then the live view follows (threads, the
   * failures it stands for, the joins it completes).
   */
  // Long: one short case per record kind; the view's reaction to each kind reads best side by side.
  apply(record: ChannelRecord): void {
    const r = record as ChannelRecord & Record<string, unknown>;
    this.fold.add(r);
    this.applying = typeof r.t === 'number' ? r.t : undefined;
    const pid = typeof r.pid === 'number' ? r.pid : 0;
    // The main process announces no process-start: it shows itself by what it does as a parent.
    if (PARENT_KINDS.has(r.kind) && !this.threadsByKey.has(String(pid))) this.processThread(pid, 'main', 'MainProcess');
    switch (r.kind) {
      case wire.PROCESS_START: {
        const role = asRole(r.role) ?? 'process';
        const thread = this.processThread(pid, role, str(r.name));
        if (typeof r.ppid === 'number') thread.ppid = r.ppid;
        thread.role = role;
        if (typeof r.name === 'string') thread.name = r.name;
        return;
      }
      case wire.PROCESS_EXIT:
        this.processExited(pid, num(r.exitCode), undefined);
        return;
      case wire.CHILD_EXIT: {
        const child = num(r.child);
        if (child === undefined) return;
        const thread = this.processThread(child, asRole(r.role) ?? 'process', str(r.name));
        if (thread.ppid === undefined) thread.ppid = pid;
        const exitCode = num(r.exitCode);
        this.processExited(child, exitCode, exitCode !== undefined && exitCode < 0 ? signalName(-exitCode) : undefined);
        return;
      }
      case wire.START_METHOD:
        if (this.startMethod === undefined && typeof r.method === 'string') this.startMethod = r.method;
        return;
      case wire.SUBMIT:
        // The task's index and call site come with its submission: refolded quietly.
        for (const source of this.sourcesOf(r.key)) this.refold(source);
        return;
      case wire.TASK_EXCEPTION:
      case wire.PROCESS_EXCEPTION:
      case wire.THREAD_EXCEPTION:
        this.onException(r, pid);
        return;
      case wire.WORKER_LOST:
        this.onWorkerLost(r, pid);
        return;
      case wire.SWALLOWED:
        this.onSwallowed(r, pid);
        return;
      case wire.HANG: {
        const child = num(r.child);
        // A queue deadlock's child is a Process: its frames are the parent's join() and its own puts.
        const drain = r.reason === wire.HANG_JOIN_BEFORE_DRAIN;
        const owner = child !== undefined ? this.processThread(child, drain ? 'process' : 'pool-worker', str(r.worker)) : this.processThread(pid, 'main', undefined);
        this.announce(this.addFailures(r, () => owner));
        return;
      }
      case wire.RACE:
        this.onRace(r, pid);
        return;
      case wire.IN_FLIGHT:
        this.onInFlight(r);
        return;
      case wire.LEFTOVER: {
        const child = num(r.child);
        if (child === undefined) return;
        const thread = this.processThread(child, asRole(r.role) ?? 'process', str(r.name));
        thread.outlived = true;
        const exitCode = num(r.exitCode);
        // As the report says it: the signal named by the exit code, if any.
        this.processExited(child, exitCode, exitCode !== undefined && exitCode < 0 ? signalName(-exitCode) : undefined);
        return;
      }
      case wire.PAUSED: {
        const held = this.failuresById.get(String(r.id)) ?? this.stopsById.get(String(r.id));
        if (held) held.paused = true;
        return;
      }
      case wire.RESUMED: {
        const held = this.failuresById.get(String(r.id)) ?? this.stopsById.get(String(r.id));
        if (!held) return;
        held.paused = false;
        this.emit('resumed', held, str(r.reason) ?? 'continue');
        return;
      }
      case wire.STOPPED:
        this.onStopped(r, pid);
        return;
      case wire.LOG:
        if (typeof r.message === 'string') this.emit('log', { pid, message: r.message, file: str(r.file), line: num(r.line), worker: str(r.worker) });
        return;
      default:
        // evaluate-result records answer requests; the runtime matches them, not the model.
        return;
    }
  }

  /** Builds the whole model from a saved report: processes, threads with failures, races. */
  static fromReport(report: TraceReport): TraceModel {
    const model = new TraceModel();
    model.startMethod = report.startMethod ?? undefined;
    for (const p of report.processes) {
      const thread = p.role === 'thread' ? model.threadOf(p.pid, p.name ?? 'thread') : model.processThread(p.pid, p.role, p.name);
      thread.ppid = p.ppid;
      thread.role = p.role;
      if (p.name) thread.name = p.name;
      thread.exitCode = p.exitCode;
      thread.alive = false;
      if (p.signal) thread.signal = p.signal;
      else if (typeof p.exitCode === 'number' && p.exitCode < 0) thread.signal = signalName(-p.exitCode);
      if (p.outlived) thread.outlived = true;
    }
    model.inFlight = report.inFlight.map((t) => ({ ...t, frames: [...t.frames] }));
    for (const f of report.failures) {
      const owner = model.ownerOfReportFailure(f);
      owner.alive = false;
      model.addFailure(f as unknown as Obj, owner, {});
    }
    for (const race of report.races) model.races.push({ ...race, pids: race.pids ? [...race.pids] : undefined });
    return model;
  }

  private ownerOfReportFailure(f: TraceFailure): ModelThread {
    const pid = f.pid ?? 0;
    if (f.kind === 'thread-exception' && f.thread && f.thread !== 'MainThread') return this.threadOf(pid, f.thread);
    // A hang's pid is the pool owner's: as live (and in the summary) it goes on the lost worker, named among the owner's children.
    const lost = f.kind === 'hang' && f.worker ? this.threads.filter((t) => t.role !== 'thread' && t.name === f.worker && t.pid !== pid && (t.ppid ?? pid) === pid).pop() : undefined;
    if (lost) return lost;
    const role: ProcessRole = f.kind === 'thread-exception' ? 'main' : guessRole(f.worker);
    return this.processThread(pid, role, f.worker);
  }

  private onException(r: ChannelRecord & Record<string, unknown>, pid: number): void {
    const threadName = str(r.thread);
    const worker = str(r.worker);
    const role = asRole(r.role) ?? (r.kind === wire.PROCESS_EXCEPTION ? 'process' : guessRole(worker));
    const process = this.processThread(pid, role, worker);
    const owner = r.kind === wire.THREAD_EXCEPTION && threadName && threadName !== 'MainThread' ? this.threadOf(pid, threadName) : process;
    this.announce(this.addFailures(r, () => owner, str(r.id), r.paused === true));
  }

  /** A thread stopped for the debugger: on its process's thread (MainThread) or a thread of its own. */
  private onStopped(r: ChannelRecord & Record<string, unknown>, pid: number): void {
    const parsed = this.guard(() => stopFromRecord(r, pid));
    if (!parsed || this.stopsById.has(parsed.id)) return;
    const process = this.processThread(pid, asRole(r.role) ?? guessRole(parsed.worker), parsed.worker);
    const owner = parsed.thread && parsed.thread !== 'MainThread' ? this.threadOf(pid, parsed.thread) : process;
    const stop: ModelStop = { ...parsed, threadId: owner.id };
    this.stopsById.set(stop.id, stop);
    this.emit('stopped', stop);
  }

  private onWorkerLost(r: ChannelRecord & Record<string, unknown>, pid: number): void {
    const child = num(r.child) ?? 0;
    const worker = str(r.worker);
    const thread = this.processThread(child, asRole(r.role) ?? guessRole(worker), worker);
    if (thread.ppid === undefined) thread.ppid = pid;
    const exitCode = num(r.exitCode);
    const signal = str(r.signal) ?? (exitCode !== undefined && exitCode < 0 ? signalName(-exitCode) : undefined);
    // An executor's manager thread that waits for the debugger names its wait by the record's id.
    const failures = this.addFailures(r, () => thread, str(r.id), r.paused === true);
    this.processExited(child, exitCode, signal);
    this.announce(failures);
  }

  /**
   * A result nobody retrieved: the worker failures of its task (every chunk of an unread map's)
   * become swallowed and are announced again, as the report folds them; with none seen, it is a
   * failure of its own.
   */
  private onSwallowed(r: ChannelRecord & Record<string, unknown>, pid: number): void {
    for (const source of this.sourcesOf(r.key)) {
      const was = source.failure.kind;
      this.refold(source);
      if (was !== source.failure.kind) {
        source.failure.paused = false;
        this.emit('failure', source.failure);
      }
    }
    const own = this.guard(() => this.fold.swallowedFailure(r));
    const failure = own && this.addFailure(own.out, this.processThread(pid, 'main', undefined), r);
    if (failure) this.announce([failure]);
  }

  /**
   * A stall becomes one failure per running task, on its worker's thread, with the live stack
   * (no locals); the tasks running at the main process's end are kept as the report keeps them.
   */
  private onInFlight(r: ChannelRecord & Record<string, unknown>): void {
    if (r.reason === 'ended') {
      // As the report marks them: only after a death by a signal (a Stop's snapshot names none).
      this.endedAt = str(r.signal) ? (num(r.t) ?? 0) : undefined;
      this.inFlight = (this.guard(() => inFlightTasks(r)) ?? []).flatMap((t) => this.guard(() => [normalizeInFlight(parseInFlight(t))]) ?? []);
      return;
    }
    if (r.reason !== 'stall') return;
    const tasks = (Array.isArray(r.tasks) ? r.tasks : []).filter((x): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x));
    this.announce(this.addFailures(r, (index) => {
      const t = tasks[index] ?? {};
      const worker = str(t.worker);
      return this.processThread(num(t.pid) ?? 0, asRole(t.role) ?? guessRole(worker), worker);
    }));
  }

  private onRace(r: ChannelRecord & Record<string, unknown>, pid: number): void {
    const file = str(r.file) ?? '';
    const line = num(r.line) ?? 0;
    const object = str(r.object);
    const count = num(r.count) ?? 1;
    const existing = this.races.find((race) => race.file === file && race.line === line && race.object === object);
    if (existing) {
      existing.count += count;
      if (!existing.pids?.includes(pid)) existing.pids = [...(existing.pids ?? []), pid];
      return;
    }
    const race: TraceRace = { file, line, kind: str(r.raceKind) ?? 'unlocked-read-modify-write', object, count, pids: [pid] };
    this.races.push(race);
    this.emit('race', race);
  }

  /** The failures a record stands for, as the fold makes them, each on the thread `owner` names. */
  private addFailures(r: Obj, owner: (index: number) => ModelThread, id?: string, paused = false): ModelFailure[] {
    const folded = this.guard(() => this.fold.failuresOf(r)) ?? [];
    return folded.flatMap((f, index) => {
      // Only a tracer id per record: a stall's second task gets one made up here.
      const failure = this.addFailure(f.out, owner(index), r, index, index === 0 ? id : undefined, paused);
      return failure ? [failure] : [];
    });
  }

  private announce(failures: readonly ModelFailure[]): void {
    for (const failure of failures) this.emit('failure', failure);
  }

  /** A folded failure, checked as a saved report's are, becomes a live one (none if it fails the check). */
  private addFailure(out: Obj, owner: ModelThread, record: Obj, index = 0, id?: string, paused = false): ModelFailure | undefined {
    const checked = this.guard(() => viewOf(out));
    if (!checked) return undefined;
    const failure: ModelFailure = { ...checked, id: id ?? `failure-${this.nextFailureSeq}`, paused, threadId: owner.id };
    // As the report marks them: recorded after the main process's end, a consequence of it.
    if (this.endedAt !== undefined && this.applying !== undefined && this.applying > this.endedAt) failure.afterMainEnded = true;
    this.nextFailureSeq += 1;
    if (this.failuresById.has(failure.id)) failure.id = `${failure.id}#${this.nextFailureSeq}`;
    this.failures.push(failure);
    this.failuresById.set(failure.id, failure);
    if (typeof record.key === 'string' && record.kind !== wire.SWALLOWED) {
      const list = this.sources.get(record.key) ?? [];
      list.push({ record, index, failure });
      this.sources.set(record.key, list);
    }
    return failure;
  }

  /** Folds a live failure's record again, now that more of its task is known; kept in place. */
  private refold(source: Source): void {
    const out = this.guard(() => this.fold.failuresOf(source.record)[source.index]?.out);
    const checked = out && this.guard(() => viewOf(out));
    if (!checked) return;
    const failure = source.failure;
    for (const key of Object.keys(checked) as (keyof TraceFailure)[]) (failure as unknown as Obj)[key] = checked[key];
  }

  private sourcesOf(key: unknown): Source[] {
    return typeof key === 'string' ? (this.sources.get(key) ?? []) : [];
  }

  /** A record the fold cannot take (a hostile or torn one) leaves the live view as it was. */
  private guard<T>(make: () => T): T | undefined {
    try {
      return make();
    } catch {
      return undefined;
    }
  }

  private processThread(pid: number, role: ProcessRole, name: string | undefined): ModelThread {
    const key = String(pid);
    let thread = this.threadsByKey.get(key);
    if (!thread) {
      thread = { id: this.nextThreadId++, pid, role, name: name ?? (role === 'main' ? 'MainProcess' : `process ${pid}`), alive: true };
      this.threadsByKey.set(key, thread);
      this.threadsById.set(thread.id, thread);
      this.emit('processStarted', thread);
    }
    return thread;
  }

  private threadOf(pid: number, threadName: string): ModelThread {
    const key = `${pid}/${threadName}`;
    let thread = this.threadsByKey.get(key);
    if (!thread) {
      const process = this.threadsByKey.get(String(pid));
      thread = { id: this.nextThreadId++, pid, ppid: process ? pid : undefined, role: 'thread', name: threadName, alive: true };
      this.threadsByKey.set(key, thread);
      this.threadsById.set(thread.id, thread);
      this.emit('processStarted', thread);
    }
    return thread;
  }

  private processExited(pid: number, exitCode: number | undefined, signal: string | undefined): void {
    const thread = this.threadsByKey.get(String(pid));
    if (!thread) return;
    if (exitCode !== undefined && thread.exitCode === undefined) thread.exitCode = exitCode;
    if (signal && !thread.signal) thread.signal = signal;
    if (!thread.alive) return;
    thread.alive = false;
    // Threads of the process end with it.
    for (const t of this.threadsById.values()) {
      if (t.role === 'thread' && t.pid === pid && t.alive) {
        t.alive = false;
        this.emit('processExited', t);
      }
    }
    this.emit('processExited', thread);
  }
}

/**
 * A folded failure as the live view and a reopened report both hold it: checked, nulls left out;
 * a stall's frames are live stacks, which have no locals.
 */
function viewOf(out: Obj): TraceFailure {
  const failure = normalizeFailure(parseFailure(out));
  if (failure.kind === 'stall' && failure.frames) failure.frames = failure.frames.map(({ file, line, function: fn }) => ({ file, line, function: fn }));
  return failure;
}

function normalizeInFlight(t: TraceInFlight): TraceInFlight {
  const task = t.task ? normalizeFailure({ kind: 'stall', task: t.task }).task : undefined;
  return { pid: t.pid, ...(t.worker !== undefined ? { worker: t.worker } : {}), ...(task ? { task } : {}), ...(t.runningFor !== undefined ? { runningFor: t.runningFor } : {}), frames: t.frames.map(({ file, line, function: fn }) => ({ file, line, function: fn })) };
}
