/**
 * The state of a traced run, built from channel records as they arrive (live) or from a saved
 * report (post-mortem): the processes and threads seen, the failures with their tasks, the races.
 * Knows nothing of DAP and prints nothing; the debug session and other users listen to its events.
 */
import { EventEmitter } from 'node:events';
import type { ChannelRecord } from './channelReader';
import type { FailureKind, ProcessRole, TraceFailure, TraceInFlight, TraceRace, TraceReport, TraceTask } from './report';
import * as wire from '../wire';
import { asRole, dropUndefined, exception, frames, guessRole, joinHangDetails, location, normalizeFailure, num, signalName, str, task } from './recordFields';

export { signalName } from './recordFields';

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

export interface TraceModelEvents {
  processStarted: [ModelThread];
  processExited: [ModelThread];
  /** A new failure, or a known one that changed kind (an exception later found never retrieved). */
  failure: [ModelFailure];
  resumed: [ModelFailure, string];
  race: [TraceRace];
}

interface Submission {
  pid: number;
  function?: string;
  chunksize: number;
  indexBase: number;
  indexed: boolean;
  submittedAt?: { file: string; line: number };
}

interface PendingTask {
  failure: ModelFailure;
  key: string;
  chunk: number;
  pos: number;
  owners: number[];
}

/** Records that describe context other records refer to; applied first within a batch. */
const CONTEXT_KINDS: ReadonlySet<string> = new Set([wire.PROCESS_START, wire.START_METHOD, wire.SUBMIT]);

/** Records only a parent process writes. */
const PARENT_KINDS: ReadonlySet<string> = new Set([wire.START_METHOD, wire.SUBMIT, wire.CHILD_EXIT, wire.WORKER_LOST, wire.SWALLOWED]);

export class TraceModel extends EventEmitter<TraceModelEvents> {
  readonly failures: ModelFailure[] = [];
  readonly races: TraceRace[] = [];
  /** Tasks in flight when the main process ended or the run was stopped (the last such record). */
  inFlight: TraceInFlight[] = [];
  startMethod: string | undefined;
  /** Time of the last `in-flight` "ended" record: failures after it are consequences of the end. */
  private endedAt: number | undefined;
  private readonly threadsById = new Map<number, ModelThread>();
  private readonly threadsByKey = new Map<string, ModelThread>();
  private readonly owners = new Map<number, number>();
  private readonly submissions = new Map<string, Submission[]>();
  private readonly pendingTasks: PendingTask[] = [];
  private readonly failuresById = new Map<string, ModelFailure>();
  /** Failure id -> `key/chunk` of the task it ran, to fold a later `swallowed` record into it. */
  private readonly taskKeys = new Map<string, string>();
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

  /** Applies one record at once. */
  apply(record: ChannelRecord): void {
    const r = record as ChannelRecord & Record<string, unknown>;
    this.applying = num(r.t);
    const pid = typeof r.pid === 'number' ? r.pid : 0;
    // The main process announces no process-start: it shows itself by what it does as a parent.
    if (PARENT_KINDS.has(r.kind) && !this.threadsByKey.has(String(pid))) this.processThread(pid, 'main', 'MainProcess');
    switch (r.kind) {
      case wire.PROCESS_START: {
        if (typeof r.owner === 'number') this.owners.set(pid, r.owner);
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
      case wire.SUBMIT: {
        const key = str(r.key);
        if (key === undefined) return;
        const submission: Submission = {
          pid,
          function: str(r.function),
          chunksize: num(r.chunksize) ?? 1,
          indexBase: num(r.indexBase) ?? 0,
          indexed: r.indexed === true,
          submittedAt: location(r.submittedAt),
        };
        const list = this.submissions.get(key) ?? [];
        list.push(submission);
        this.submissions.set(key, list);
        this.completePendingTasks(key);
        return;
      }
      case wire.TASK_EXCEPTION:
      case wire.PROCESS_EXCEPTION:
      case wire.THREAD_EXCEPTION:
        this.onException(r, pid);
        return;
      case wire.WORKER_LOST:
        this.onWorkerLost(r, pid);
        return;
      case wire.SWALLOWED: {
        // The report folds a swallowed result into the worker's own failure for the same task:
        // do the same, so the live view and the report count alike. The failure is announced again.
        // A map's result that nobody read swallows the failures of all its chunks (`allChunks`).
        const key = str(r.key);
        const chunk = num(r.chunk) ?? 0;
        const folds = (id: string): boolean => {
          const taskKey = this.taskKeys.get(id);
          return taskKey !== undefined && (taskKey === `${key}/${chunk}` || (r.allChunks === true && taskKey.startsWith(`${key}/`)));
        };
        const raised = key === undefined ? [] : this.failures.filter((f) => f.kind === 'exception' && folds(f.id));
        if (raised.length > 0) {
          for (const failure of raised) {
            failure.kind = 'swallowed';
            failure.paused = false;
            this.emit('failure', failure);
          }
          return;
        }
        const failure = this.addFailure({
          kind: 'swallowed',
          pid,
          task: task(r.task),
          exception: exception(r.exception),
          frames: frames(r.frames),
        }, this.processThread(pid, 'main', undefined));
        this.taskFromSubmission(failure, r, [pid]);
        this.emit('failure', failure);
        return;
      }
      case wire.HANG: {
        const child = num(r.child);
        // A queue deadlock's child is a Process: its frames are the parent's join() and its own puts.
        const drain = r.reason === wire.HANG_JOIN_BEFORE_DRAIN;
        const owner = child !== undefined ? this.processThread(child, drain ? 'process' : 'pool-worker', str(r.worker)) : this.processThread(pid, 'main', undefined);
        const failure = this.addFailure({ kind: 'hang', pid: child ?? pid, worker: str(r.worker), task: task(r.task), ...(drain ? joinHangDetails(r) : {}) }, owner);
        this.emit('failure', failure);
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
        const failure = this.failuresById.get(String(r.id));
        if (failure) failure.paused = true;
        return;
      }
      case wire.RESUMED: {
        const failure = this.failuresById.get(String(r.id));
        if (!failure) return;
        failure.paused = false;
        this.emit('resumed', failure, str(r.reason) ?? 'continue');
        return;
      }
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
      model.addFailure(normalizeFailure(f), owner);
    }
    for (const race of report.races) model.races.push({ ...race, pids: race.pids ? [...race.pids] : undefined });
    return model;
  }

  private ownerOfReportFailure(f: TraceFailure): ModelThread {
    const pid = f.pid ?? 0;
    if (f.kind === 'thread-exception' && f.thread && f.thread !== 'MainThread') return this.threadOf(pid, f.thread);
    const role: ProcessRole = f.kind === 'thread-exception' ? 'main' : guessRole(f.worker);
    return this.processThread(pid, role, f.worker);
  }

  private onException(r: ChannelRecord & Record<string, unknown>, pid: number): void {
    const kind: FailureKind = r.kind === wire.THREAD_EXCEPTION ? 'thread-exception' : 'exception';
    const threadName = str(r.thread);
    const worker = str(r.worker);
    const role = asRole(r.role) ?? (r.kind === wire.PROCESS_EXCEPTION ? 'process' : guessRole(worker));
    const process = this.processThread(pid, role, worker);
    const owner = kind === 'thread-exception' && threadName && threadName !== 'MainThread' ? this.threadOf(pid, threadName) : process;
    const failure = this.addFailure({
      kind,
      pid,
      thread: threadName,
      worker,
      task: r.kind === wire.THREAD_EXCEPTION ? undefined : task(r.task),
      exception: exception(r.exception),
      frames: frames(r.frames),
    }, owner, str(r.id), r.paused === true);
    if (r.kind === wire.TASK_EXCEPTION) {
      this.taskFromSubmission(failure, r, this.ownersOf(pid));
      if (typeof r.key === 'string') this.taskKeys.set(failure.id, `${r.key}/${num(r.chunk) ?? 0}`);
    }
    this.emit('failure', failure);
  }

  private onWorkerLost(r: ChannelRecord & Record<string, unknown>, pid: number): void {
    const child = num(r.child) ?? 0;
    const worker = str(r.worker);
    const thread = this.processThread(child, asRole(r.role) ?? guessRole(worker), worker);
    if (thread.ppid === undefined) thread.ppid = pid;
    const exitCode = num(r.exitCode);
    const signal = str(r.signal) ?? (exitCode !== undefined && exitCode < 0 ? signalName(-exitCode) : undefined);
    const failure = this.addFailure({
      kind: signal ? 'killed' : 'exited',
      pid: child,
      worker,
      task: task(r.task),
      signal,
      exitCode,
      frames: frames(r.frames),
    }, thread);
    this.taskFromSubmission(failure, r, [pid]);
    this.processExited(child, exitCode, signal);
    this.emit('failure', failure);
  }

  /**
   * A stall becomes one failure per running task, on its worker's thread, with the live stack
   * (no locals); the tasks running at the main process's end are kept as the report keeps them.
   */
  private onInFlight(r: ChannelRecord & Record<string, unknown>): void {
    const tasks = Array.isArray(r.tasks) ? r.tasks.filter((t): t is Record<string, unknown> => !!t && typeof t === 'object') : [];
    if (r.reason === 'ended') {
      // As the report marks them: only after a death by a signal (a Stop's snapshot names none).
      this.endedAt = str(r.signal) ? (num(r.t) ?? 0) : undefined;
      this.inFlight = tasks.map((t) => dropUndefined({ pid: num(t.pid) ?? 0, worker: str(t.worker), task: task(t.task), runningFor: num(t.runningFor), frames: (frames(t.frames) ?? []).map(({ file, line, function: fn }) => ({ file, line, function: fn })) }));
      return;
    }
    if (r.reason !== 'stall') return;
    for (const t of tasks) {
      const pid = num(t.pid);
      if (pid === undefined) continue;
      const worker = str(t.worker);
      const owner = this.processThread(pid, asRole(t.role) ?? guessRole(worker), worker);
      const failure = this.addFailure({ kind: 'stall', pid, thread: 'MainThread', worker, task: task(t.task), frames: frames(t.frames), runningFor: num(t.runningFor) }, owner);
      this.emit('failure', failure);
    }
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
    const race: TraceRace = { file, line, kind: 'unlocked-read-modify-write', object, count, pids: [pid] };
    this.races.push(race);
    this.emit('race', race);
  }

  private addFailure(f: TraceFailure, owner: ModelThread, id?: string, paused = false): ModelFailure {
    const failure: ModelFailure = { ...dropUndefined(f), id: id ?? `failure-${this.nextFailureSeq}`, paused, threadId: owner.id };
    // As the report marks them: recorded after the main process's end, a consequence of it.
    if (this.endedAt !== undefined && this.applying !== undefined && this.applying > this.endedAt) failure.afterMainEnded = true;
    this.nextFailureSeq += 1;
    if (this.failuresById.has(failure.id)) failure.id = `${failure.id}#${this.nextFailureSeq}`;
    this.failures.push(failure);
    this.failuresById.set(failure.id, failure);
    return failure;
  }

  /**
   * Gives a failure its element index and submission site from the parent's `submit` record
   * (index = indexBase + chunk * chunksize + pos), now or when that record arrives.
   */
  private taskFromSubmission(failure: ModelFailure, r: Record<string, unknown>, owners: number[]): void {
    const key = str(r.key);
    if (key === undefined) return;
    const pending: PendingTask = { failure, key, chunk: num(r.chunk) ?? 0, pos: num(r.pos) ?? 0, owners };
    if (!this.completeTask(pending)) this.pendingTasks.push(pending);
  }

  private completePendingTasks(key: string): void {
    for (let i = this.pendingTasks.length - 1; i >= 0; i--) {
      const pending = this.pendingTasks[i];
      if (pending.key === key && this.completeTask(pending)) this.pendingTasks.splice(i, 1);
    }
  }

  private completeTask(pending: PendingTask): boolean {
    const list = this.submissions.get(pending.key);
    if (!list || list.length === 0) return false;
    const submission = list.find((s) => pending.owners.includes(s.pid)) ?? list[list.length - 1];
    const t: TraceTask = pending.failure.task ?? {};
    if (t.function === undefined && submission.function !== undefined) t.function = submission.function;
    if (t.index === undefined && submission.indexed) t.index = submission.indexBase + pending.chunk * submission.chunksize + pending.pos;
    if (t.submittedAt === undefined && submission.submittedAt) t.submittedAt = submission.submittedAt;
    pending.failure.task = t;
    return true;
  }

  /** The pids whose `submit` records may describe a task run by `pid`: its owner, then its parent. */
  private ownersOf(pid: number): number[] {
    const result: number[] = [];
    const owner = this.owners.get(pid);
    if (owner !== undefined) result.push(owner);
    const ppid = this.threadsByKey.get(String(pid))?.ppid;
    if (ppid !== undefined) result.push(ppid);
    return result;
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
