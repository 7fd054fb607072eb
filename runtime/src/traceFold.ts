/**
 * The one fold of trace records: what the tracer's processes recorded, folded into the trace
 * report (processes, failures with their tasks, races, tasks in flight). It takes records one at
 * a time, live or from the channel files, and answers both the live view (`failuresOf`, for
 * the trace model) and the end of the run (`report`) with the same joins.
 */
import * as wire from './wire';
import { NodeThreads, nodeFailureFields, nodeVersionOf, threadProcesses } from './nodeFold';
import { asDict, byTime, get, isDict, isInt, num, or, pairKey, pyInt, pyList, setDefault, timeOf, truthy, type Obj } from './pyValues';

export type { Obj } from './pyValues';

/** What only the runtime knows of a run: how it was started and how it ended. */
export interface ReportContext {
  /** Absolute path of the program. */
  program: string;
  argv: readonly string[];
  /** The interpreter's version; null for a Node program. */
  python: string | null;
  /** Which tracer recorded the run (default: python). */
  runtime?: 'python' | 'node';
  /** HANG_EXIT_CODE after a hang, else the program's own code (negative: its signal). */
  exitCode: number | null;
  rootPid: number;
  rootPpid: number;
  rootExit: number | null;
}

/** A failure as the report writes it, and the time of the record it came from (which orders). */
export interface FoldedFailure {
  out: Obj;
  t: number;
}

const FAILURE_FIELDS = ['kind', 'pid', 'thread', 'worker', 'task', 'exception', 'signal', 'exitCode', 'frames'] as const;

/** Records the fold keeps: everything the report is made of. Others (control answers, queue notes) pass by. */
const KEPT: ReadonlySet<string> = new Set([
  wire.PROCESS_START, wire.PROCESS_EXIT, wire.CHILD_EXIT, wire.START_METHOD, wire.SUBMIT, wire.TASK_EXCEPTION,
  wire.PROCESS_EXCEPTION, wire.THREAD_EXCEPTION, wire.WORKER_LOST, wire.SWALLOWED, wire.HANG, wire.IN_FLIGHT,
  wire.LEFTOVER, wire.RACE, wire.THREAD_START, wire.THREAD_EXIT,
]);

/** Records that become failures of their own (a swallowed one only when no worker failure takes it in). */
export const FAILURE_KINDS: ReadonlySet<string> = new Set([
  wire.TASK_EXCEPTION, wire.PROCESS_EXCEPTION, wire.THREAD_EXCEPTION, wire.WORKER_LOST, wire.HANG, wire.IN_FLIGHT,
]);

/**
 * The joins between records: a task's submission (its function, element index and call site)
 * and a result nobody retrieved (which turns the worker's exception into a swallowed failure).
 */
class Joins {
  readonly submits = new Map<string, Obj>();
  readonly swallowed = new Map<string, Obj>();
  /** A map's result nobody read swallows the failures of all its chunks: key -> its record's pair key. */
  readonly wholeJobs = new Map<string, string>();
  /** Task exceptions by their key: only those can be taken in by a swallowed record of that key. */
  readonly exceptions = new Map<string, Obj[]>();
  /** Worker threads of Node programs: their names, and which of them raised. */
  readonly threads = new NodeThreads();

  add(e: Obj): void {
    this.threads.add(e);
    if (e.kind === wire.TASK_EXCEPTION) setDefault(this.exceptions, JSON.stringify(get(e, 'key')), [] as Obj[]).push(e);
    else if (e.kind === wire.SUBMIT && typeof e.key === 'string') this.submits.set(e.key, e);
    else if (e.kind === wire.SWALLOWED) {
      const skey = pairKey(get(e, 'key'), get(e, 'chunk'));
      this.swallowed.set(skey, e);
      if (truthy(get(e, 'allChunks')) && typeof e.key === 'string') this.wholeJobs.set(e.key, skey);
    }
  }

  submitFor(key: unknown): Obj | null {
    return typeof key === 'string' ? (this.submits.get(key) ?? null) : null;
  }

  /** The swallowed record that takes in a task exception, by its pair key, if any. */
  swallowedKeyOf(e: Obj): string | undefined {
    let skey = pairKey(get(e, 'key'), get(e, 'chunk'));
    if (!this.swallowed.has(skey) && typeof e.key === 'string' && this.wholeJobs.has(e.key)) skey = this.wholeJobs.get(e.key) as string;
    return this.swallowed.has(skey) ? skey : undefined;
  }
}

export class TraceFold {
  private readonly records: Obj[] = [];
  private readonly joins = new Joins();

  constructor(records: Iterable<Obj> = []) {
    for (const record of records) this.add(record);
  }

  /** Takes in one record (any order; the report orders by time). Never throws. */
  add(record: Obj): void {
    if (typeof record.kind !== 'string' || !KEPT.has(record.kind)) return;
    this.records.push(record);
    this.joins.add(record);
  }

  /** The failures a record stands for now, with what the records so far join to it (live view). */
  failuresOf(record: Obj): FoldedFailure[] {
    return failuresOf(record, this.joins);
  }

  /** A swallowed record's own failure, when no worker failure of the same task takes it in. */
  swallowedFailure(record: Obj): FoldedFailure | undefined {
    const skey = pairKey(get(record, 'key'), get(record, 'chunk'));
    // A swallowed record's pair key holds its own task key, so only exceptions of that key can match.
    const candidates = this.joins.exceptions.get(JSON.stringify(get(record, 'key'))) ?? [];
    const taken = candidates.some((e) => this.joins.swallowedKeyOf(e) === skey);
    return taken ? undefined : swallowedOnly(record, this.joins);
  }

  /** The main process's own announcement (`process-start` with `python`), if it made one. */
  rootAnnouncement(rootPid: number): { python?: string; cacheTag?: string } {
    const record = this.records.find((e) => e.kind === wire.PROCESS_START && e.pid === rootPid && typeof e.python === 'string');
    if (!record) return {};
    return { python: record.python as string, cacheTag: typeof record.cacheTag === 'string' ? record.cacheTag : undefined };
  }

  /** The supervisor ended the run: a hang, or a stall when stalls end runs. */
  endedByWatch(stallEnds: boolean): boolean {
    return this.records.some((e) => e.kind === wire.HANG || (stallEnds && e.kind === wire.IN_FLIGHT && e.reason === 'stall'));
  }

  /** The report object, keys in report.py's order, private keys already dropped. */
  report(context: ReportContext): Obj {
    const events = byTime(this.records);
    const joins = new Joins();
    for (const e of events) joins.add(e);
    const failures: FoldedFailure[] = [];
    const usedSwallowed = new Set<string>();
    // The last `in-flight` record of the main process's end (or of the editor's Stop).
    let ended: Obj | null = null;
    for (const e of events) {
      if (e.kind === wire.TASK_EXCEPTION) {
        const skey = joins.swallowedKeyOf(e);
        if (skey !== undefined) usedSwallowed.add(skey);
      }
      if (e.kind === wire.IN_FLIGHT && get(e, 'reason') === 'ended') ended = e;
      if (FAILURE_KINDS.has(e.kind as string) && !joins.threads.superseded(e)) failures.push(...failuresOf(e, joins));
      const threadExit = joins.threads.exitFailure(e);
      if (threadExit) failures.push(failure('exited', e, threadExit));
    }
    for (const [skey, e] of joins.swallowed) if (!usedSwallowed.has(skey)) failures.push(swallowedOnly(e, joins));
    // Array sort is stable, as Python's is; the record's time only orders, it is no failure field.
    const ordered = failures.sort((a, b) => a.t - b.t).map((f) => f.out);
    markAfterMainEnded(failures, ended);
    const node = context.runtime === 'node';
    return {
      version: 1,
      program: context.program,
      argv: [...context.argv],
      python: context.python,
      startMethod: startMethodOf(events, context.rootPid),
      runtime: context.runtime ?? 'python',
      ...(node ? { node: nodeVersionOf(events, context.rootPid) } : {}),
      exitCode: context.exitCode,
      processes: node ? [...processesOf(events, context), ...threadProcesses(events)] : processesOf(events, context),
      failures: ordered,
      races: racesOf(events),
      inFlight: inFlightTasks(ended),
    };
  }
}

// ---- failures ---------------------------------------------------------------------------------

function failuresOf(e: Obj, joins: Joins): FoldedFailure[] {
  const pid = get(e, 'pid');
  switch (e.kind) {
    case wire.TASK_EXCEPTION:
      return [failure(joins.swallowedKeyOf(e) !== undefined ? wire.SWALLOWED : 'exception', e, {
        pid,
        thread: get(e, 'thread'),
        worker: get(e, 'worker'),
        task: task(or(get(e, 'task'), {}), joins.submitFor(e.key), get(e, 'chunk'), get(e, 'pos')),
        exception: get(e, 'exception'),
        frames: get(e, 'frames'),
      })];
    case wire.PROCESS_EXCEPTION:
      return [failure('exception', e, {
        pid, thread: get(e, 'thread'), worker: get(e, 'worker'), task: task(get(e, 'task'), null), exception: get(e, 'exception'), frames: get(e, 'frames'), ...nodeFailureFields(e),
      })];
    case wire.THREAD_EXCEPTION: {
      const thread = joins.threads.threadName(e, or(get(e, 'threadName'), get(e, 'thread')));
      // A Node worker thread's record names the message it was handling; Python's have no task.
      return [failure('thread-exception', e, {
        pid, thread, worker: or(get(e, 'worker'), isInt(e.threadId) ? thread : null), task: 'task' in e ? task(get(e, 'task'), null) : null, exception: get(e, 'exception'), frames: get(e, 'frames'), ...nodeFailureFields(e),
      })];
    }
    case wire.WORKER_LOST: {
      const code = get(e, 'exitCode');
      return [failure(isInt(code) && code < 0 ? 'killed' : 'exited', e, {
        pid: get(e, 'child'),
        thread: 'MainThread',
        worker: get(e, 'worker'),
        task: task(get(e, 'task'), joins.submitFor(e.key), get(e, 'chunk'), get(e, 'pos')),
        signal: get(e, 'signal'),
        exitCode: code,
        frames: get(e, 'frames'),
        ...(typeof e.cause === 'string' ? { cause: e.cause } : {}),
      })];
    }
    case wire.HANG:
      return [joinHang(e, failure('hang', e, {
        pid: get(e, 'owner'), thread: 'MainThread', worker: get(e, 'worker'), task: get(e, 'task'), signal: get(e, 'signal'), exitCode: get(e, 'exitCode'),
      }))];
    case wire.IN_FLIGHT:
      return get(e, 'reason') === 'stall' ? stallFailures(e) : [];
    default:
      return [];
  }
}

function swallowedOnly(e: Obj, joins: Joins): FoldedFailure {
  return failure(wire.SWALLOWED, e, {
    pid: get(e, 'pid'),
    thread: 'thread' in e ? get(e, 'thread') : 'MainThread',
    worker: null,
    task: task(get(e, 'task'), joins.submitFor(e.key)),
    exception: get(e, 'exception'),
    frames: get(e, 'frames'),
  });
}

function failure(kind: string, record: Obj, fields: Obj): FoldedFailure {
  const out: Obj = {};
  for (const name of FAILURE_FIELDS) out[name] = name in fields ? fields[name] : null;
  // Fields of one kind only (a stall's runningFor) follow the common ones, as dict.update adds them.
  for (const [name, value] of Object.entries(fields)) if (!Object.prototype.hasOwnProperty.call(out, name)) out[name] = value;
  out.kind = kind;
  out.frames = frames(fields.frames);
  return { out, t: timeOf(record) };
}

/** One `stall` failure per task running when no task had finished for the stall timeout. */
function stallFailures(record: Obj): FoldedFailure[] {
  const tasks = get(record, 'tasks');
  if (!Array.isArray(tasks)) return [];
  return tasks.filter(isDict).map((t) => failure('stall', record, {
    pid: get(t, 'pid'),
    thread: 'MainThread',
    worker: get(t, 'worker'),
    task: get(t, 'task'),
    frames: get(t, 'frames'),
    runningFor: get(t, 'runningFor'),
  }));
}

/**
 * A queue deadlock's hang (report.py's `_join_hang_fields`): the parent's join() call then the
 * child's put sites as frames, the reason, and how many items were left unwritten.
 */
function joinHang(record: Obj, built: FoldedFailure): FoldedFailure {
  if (get(record, 'reason') !== wire.HANG_JOIN_BEFORE_DRAIN) return built;
  const sites = [get(record, 'joinedAt'), ...pyList(or(get(record, 'puts'), []))].filter(isDict);
  built.out.frames = sites.map((s) => ({ file: get(s, 'file'), line: get(s, 'line'), function: get(s, 'function'), locals: {} }));
  built.out.reason = get(record, 'reason');
  built.out.items = get(record, 'items');
  return built;
}

/**
 * Failures recorded after the main process was killed (an "ended" record that names its
 * signal) are consequences of its death (a worker's BrokenPipeError), not causes.
 */
function markAfterMainEnded(failures: readonly FoldedFailure[], ended: Obj | null): void {
  if (ended === null || !truthy(get(ended, 'signal'))) return;
  const killedAt = num(or(get(ended, 't'), 0));
  for (const f of failures) if (f.t > killedAt) f.out.afterMainEnded = true;
}

function frames(raw: unknown): Obj[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isDict).map((fr) => ({ file: get(fr, 'file'), line: get(fr, 'line'), function: get(fr, 'function'), locals: or(get(fr, 'locals'), {}) }));
}

function task(base: unknown, submit: Obj | null, chunk: unknown = 0, pos: unknown = 0): Obj | null {
  if (base === null && submit === null) return null;
  const b = asDict(or(base, {}));
  const s = asDict(or(submit, {}));
  let index = get(b, 'index');
  if (index === null) index = taskIndex(s, chunk, pos);
  return {
    function: or(get(b, 'function'), get(s, 'function')),
    args: pyList(or(get(b, 'args'), [])),
    kwargs: { ...asDict(or(get(b, 'kwargs'), {})) },
    index,
    submittedAt: or(get(b, 'submittedAt'), get(s, 'submittedAt')),
  };
}

/** Element index = indexBase + chunk * chunksize + pos, for the APIs whose elements are numbered. */
function taskIndex(submit: Obj, chunk: unknown, pos: unknown): number | null {
  if (!truthy(submit) || !truthy(get(submit, 'indexed'))) return null;
  try {
    return pyInt(or(get(submit, 'indexBase'), 0)) + pyInt(or(chunk, 0)) * pyInt(or(get(submit, 'chunksize'), 1)) + pyInt(or(pos, 0));
  } catch {
    return null;
  }
}

// ---- processes, races, the end of a run ---------------------------------------------------------

/** Every process: the main one first, then in the order the records first name them. */
function processesOf(events: readonly Obj[], context: ReportContext): Obj[] {
  const processes = new Map<number, Obj>([
    [context.rootPid, { pid: context.rootPid, ppid: context.rootPpid, role: wire.ROLE_MAIN, name: 'MainProcess', exitCode: context.rootExit }],
  ]);
  for (const e of events) {
    const pid = get(e, 'pid');
    if (e.kind === wire.PROCESS_START && isInt(pid)) {
      Object.assign(setDefault(processes, pid, { pid, exitCode: null }), { ppid: get(e, 'ppid'), role: get(e, 'role'), name: get(e, 'name') });
    } else if (e.kind === wire.PROCESS_EXIT && isInt(pid)) {
      setDefault(processes, pid, { pid, ppid: null, role: null, name: null }).exitCode = get(e, 'exitCode');
    } else if (e.kind === wire.CHILD_EXIT && isInt(e.child)) {
      setDefault(processes, e.child, { pid: e.child, ppid: pid, role: get(e, 'role'), name: get(e, 'name'), exitCode: null }).exitCode = get(e, 'exitCode');
    } else if (e.kind === wire.WORKER_LOST && isInt(e.child)) {
      setDefault(processes, e.child, { pid: e.child, ppid: pid, role: get(e, 'role'), name: get(e, 'worker') }).exitCode = get(e, 'exitCode');
    } else if (e.kind === wire.LEFTOVER && isInt(e.child)) {
      // Still alive when the main process ended: the supervisor then ended it.
      const proc = setDefault(processes, e.child, { pid: e.child, ppid: null, role: get(e, 'role'), name: get(e, 'name'), exitCode: null });
      proc.outlived = true;
      if (get(e, 'exitCode') !== null) proc.exitCode = e.exitCode;
    }
  }
  return [...processes.values()].map((p) => ({
    pid: get(p, 'pid'), ppid: get(p, 'ppid'), role: get(p, 'role'), name: get(p, 'name'), exitCode: get(p, 'exitCode'),
    signal: endedBy(p), outlived: truthy(get(p, 'outlived')),
  }));
}

/** The main process's start method, else the first one any process recorded. */
function startMethodOf(events: readonly Obj[], rootPid: number): unknown {
  const methods = new Map<unknown, unknown>();
  for (const e of events) {
    const pid = get(e, 'pid');
    if (e.kind === wire.START_METHOD && isInt(pid) && truthy(get(e, 'method')) && !methods.has(pid)) methods.set(pid, e.method);
  }
  const root = methods.get(rootPid);
  return truthy(root) ? root : (methods.values().next().value ?? null);
}

/** Unlocked updates, added up per site and object, each process listed once. */
function racesOf(events: readonly Obj[]): Obj[] {
  const races = new Map<string, Obj>();
  for (const e of events) {
    if (e.kind !== wire.RACE) continue;
    const fields = [get(e, 'file'), get(e, 'line'), or(get(e, 'raceKind'), 'unlocked-read-modify-write'), get(e, 'object')];
    const rkey = JSON.stringify(fields);
    let race = races.get(rkey);
    if (!race) {
      race = { file: fields[0], line: fields[1], kind: fields[2], object: fields[3], count: 0, pids: [] };
      races.set(rkey, race);
    }
    race.count = (race.count as number) + pyInt(or(get(e, 'count'), 0));
    const pids = race.pids as unknown[];
    const pid = get(e, 'pid');
    if (!pids.includes(pid)) pids.push(pid);
  }
  for (const race of races.values()) (race.pids as number[]).sort((a, b) => a - b);
  return [...races.values()];
}

/** The tasks running when the main process ended (the last "ended" record): live stacks, which have no locals. */
export function inFlightTasks(ended: Obj | null): Obj[] {
  const tasks = ended === null ? null : get(ended, 'tasks');
  if (!Array.isArray(tasks)) return [];
  return tasks.filter(isDict).map((t) => {
    const raw = get(t, 'frames');
    const live = (Array.isArray(raw) ? raw : []).filter(isDict).map((fr) => ({ file: get(fr, 'file'), line: get(fr, 'line'), function: get(fr, 'function') }));
    return { pid: get(t, 'pid'), worker: get(t, 'worker'), task: get(t, 'task'), runningFor: get(t, 'runningFor'), frames: live };
  });
}

/** The signal that ended a process, named from its exit code (null for none or a code >= 0). */
function endedBy(proc: Obj): unknown {
  const code = get(proc, 'exitCode');
  return isInt(code) && code < 0 ? signalName(-code) : null;
}

/** Python's `signal.Signals(n).name` on Linux (3.11+ names 16 too), else `SIG<n>` as hooks_process does. */
export function signalName(signum: number): string {
  return LINUX_SIGNALS[signum] ?? `SIG${signum}`;
}

const LINUX_SIGNALS: Readonly<Record<number, string>> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
  30: 'SIGPWR', 31: 'SIGSYS', 34: 'SIGRTMIN', 64: 'SIGRTMAX',
};

/** The report file's text: what report.py writes (`dumps_pretty(public(report))` and a newline). */
export function reportText(report: Obj): string {
  return `${wire.dumpsPretty(report)}\n`;
}
