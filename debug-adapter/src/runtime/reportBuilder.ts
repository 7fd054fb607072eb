/**
 * Builds the trace report from the channel's records in this process, as report.py's
 * `build_report` does in the Python supervisor: the same joins and the same JSON, byte for byte
 * (a cross-check test runs both on the same channels), so a run from the editor or `workerscope
 * run` needs no interpreter of its own once the program has ended.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as wire from '../wire';

type Obj = Record<string, unknown>;

export interface ReportContext {
  /** Absolute path of the program. */
  program: string;
  argv: readonly string[];
  python: string;
  /** HANG_EXIT_CODE after a hang, else the program's own code (negative: its signal). */
  exitCode: number | null;
  rootPid: number;
  rootPpid: number;
  rootExit: number | null;
}

const FAILURE_FIELDS = ['kind', 'pid', 'thread', 'worker', 'task', 'exception', 'signal', 'exitCode', 'frames'] as const;

/** Every record of every `<pid>.jsonl` in the directory, in time order (as report.py's `load_events`). */
export function loadEvents(directory: string): Obj[] {
  let names: string[];
  try {
    names = fs.readdirSync(directory).filter((name) => name.endsWith(wire.EVENTS_SUFFIX)).sort();
  } catch {
    return [];
  }
  const events: Obj[] = [];
  for (const name of names) {
    let data: string;
    try {
      data = fs.readFileSync(path.join(directory, name), 'utf8');
    } catch {
      continue;
    }
    events.push(...(wire.decodeLines(data) as unknown as Obj[]));
  }
  // A stable sort, as Python's: records of one instant stay in file order.
  return events.sort((a, b) => num(or(get(a, 't'), 0)) - num(or(get(b, 't'), 0)));
}

/** The main process's own announcement (`process-start` with `python`), if it made one. */
export function rootAnnouncement(events: readonly Obj[], rootPid: number): { python?: string; cacheTag?: string } {
  const record = events.find((e) => e.kind === wire.PROCESS_START && e.pid === rootPid && typeof e.python === 'string');
  if (!record) return {};
  return { python: record.python as string, cacheTag: typeof record.cacheTag === 'string' ? record.cacheTag : undefined };
}

/** The report object, keys in report.py's order, private keys already dropped. */
export function buildReport(events: readonly Obj[], context: ReportContext): Obj {
  const submits = new Map<string, Obj>();
  const swallowed = new Map<string, Obj>();
  // A map's result nobody read swallows the failures of all its chunks: key -> its record's pair key.
  const wholeJobs = new Map<string, string>();
  for (const e of events) {
    if (e.kind === wire.SUBMIT && typeof e.key === 'string') submits.set(e.key, e);
    else if (e.kind === wire.SWALLOWED) {
      const skey = pairKey(get(e, 'key'), get(e, 'chunk'));
      swallowed.set(skey, e);
      if (truthy(get(e, 'allChunks')) && typeof e.key === 'string') wholeJobs.set(e.key, skey);
    }
  }
  const submitFor = (key: unknown): Obj | null => (typeof key === 'string' ? (submits.get(key) ?? null) : null);

  const processes = new Map<number, Obj>([
    [context.rootPid, { pid: context.rootPid, ppid: context.rootPpid, role: wire.ROLE_MAIN, name: 'MainProcess', exitCode: context.rootExit }],
  ]);
  const failures: { out: Obj; _t: number }[] = [];
  const races = new Map<string, Obj>();
  const startMethods = new Map<number, unknown>();
  const usedSwallowed = new Set<string>();
  // The last `in-flight` record of the main process's end (or of the editor's Stop).
  let ended: Obj | null = null;

  for (const e of events) {
    const kind = e.kind;
    const pid = get(e, 'pid');
    if (kind === wire.PROCESS_START && isInt(pid)) {
      const proc = setDefault(processes, pid, { pid, exitCode: null });
      Object.assign(proc, { ppid: get(e, 'ppid'), role: get(e, 'role'), name: get(e, 'name') });
    } else if (kind === wire.PROCESS_EXIT && isInt(pid)) {
      setDefault(processes, pid, { pid, ppid: null, role: null, name: null }).exitCode = get(e, 'exitCode');
    } else if (kind === wire.CHILD_EXIT && isInt(e.child)) {
      setDefault(processes, e.child, { pid: e.child, ppid: pid, role: get(e, 'role'), name: get(e, 'name'), exitCode: null }).exitCode = get(e, 'exitCode');
    } else if (kind === wire.START_METHOD && isInt(pid) && truthy(get(e, 'method'))) {
      if (!startMethods.has(pid)) startMethods.set(pid, e.method);
    } else if (kind === wire.TASK_EXCEPTION) {
      let skey = pairKey(get(e, 'key'), get(e, 'chunk'));
      if (!swallowed.has(skey) && typeof e.key === 'string' && wholeJobs.has(e.key)) skey = wholeJobs.get(e.key) as string;
      const sw = swallowed.get(skey);
      if (sw !== undefined) usedSwallowed.add(skey);
      failures.push(failure(sw !== undefined ? wire.SWALLOWED : 'exception', e, {
        pid,
        thread: get(e, 'thread'),
        worker: get(e, 'worker'),
        task: task(or(get(e, 'task'), {}), submitFor(e.key), get(e, 'chunk'), get(e, 'pos')),
        exception: get(e, 'exception'),
        frames: get(e, 'frames'),
      }));
    } else if (kind === wire.PROCESS_EXCEPTION) {
      failures.push(failure('exception', e, {
        pid,
        thread: get(e, 'thread'),
        worker: get(e, 'worker'),
        task: task(get(e, 'task'), null),
        exception: get(e, 'exception'),
        frames: get(e, 'frames'),
      }));
    } else if (kind === wire.THREAD_EXCEPTION) {
      failures.push(failure('thread-exception', e, {
        pid,
        thread: or(get(e, 'threadName'), get(e, 'thread')),
        worker: get(e, 'worker'),
        exception: get(e, 'exception'),
        frames: get(e, 'frames'),
      }));
    } else if (kind === wire.WORKER_LOST) {
      const code = get(e, 'exitCode');
      failures.push(failure(isInt(code) && code < 0 ? 'killed' : 'exited', e, {
        pid: get(e, 'child'),
        thread: 'MainThread',
        worker: get(e, 'worker'),
        task: task(get(e, 'task'), submitFor(e.key), get(e, 'chunk'), get(e, 'pos')),
        signal: get(e, 'signal'),
        exitCode: code,
        frames: get(e, 'frames'),
      }));
      if (isInt(e.child)) setDefault(processes, e.child, { pid: e.child, ppid: pid, role: get(e, 'role'), name: get(e, 'worker') }).exitCode = code;
    } else if (kind === wire.HANG) {
      failures.push(joinHang(e, failure('hang', e, {
        pid: get(e, 'owner'),
        thread: 'MainThread',
        worker: get(e, 'worker'),
        task: get(e, 'task'),
        signal: get(e, 'signal'),
        exitCode: get(e, 'exitCode'),
      })));
    } else if (kind === wire.IN_FLIGHT) {
      if (get(e, 'reason') === 'stall') failures.push(...stallFailures(e));
      else if (get(e, 'reason') === 'ended') ended = e;
    } else if (kind === wire.LEFTOVER && isInt(e.child)) {
      outlived(setDefault(processes, e.child, { pid: e.child, ppid: null, role: get(e, 'role'), name: get(e, 'name'), exitCode: null }), e);
    } else if (kind === wire.RACE) {
      const fields = [get(e, 'file'), get(e, 'line'), or(get(e, 'raceKind'), 'unlocked-read-modify-write'), get(e, 'object')];
      const rkey = JSON.stringify(fields);
      let race = races.get(rkey);
      if (!race) {
        race = { file: fields[0], line: fields[1], kind: fields[2], object: fields[3], count: 0, pids: [] };
        races.set(rkey, race);
      }
      race.count = (race.count as number) + pyInt(or(get(e, 'count'), 0));
      const pids = race.pids as unknown[];
      if (!pids.includes(pid)) pids.push(pid);
    }
  }

  for (const [skey, e] of swallowed) {
    if (usedSwallowed.has(skey)) continue;
    failures.push(failure(wire.SWALLOWED, e, {
      pid: get(e, 'pid'),
      thread: 'thread' in e ? get(e, 'thread') : 'MainThread',
      worker: null,
      task: task(get(e, 'task'), submitFor(e.key)),
      exception: get(e, 'exception'),
      frames: get(e, 'frames'),
    }));
  }

  // Array sort is stable, as Python's is; the record's time only orders, it is no failure field.
  const ordered = failures.sort((a, b) => a._t - b._t).map((f) => f.out);
  markAfterMainEnded(failures, ended);
  for (const race of races.values()) (race.pids as number[]).sort((a, b) => a - b);
  const rootMethod = startMethods.get(context.rootPid);
  const startMethod = truthy(rootMethod) ? rootMethod : (startMethods.values().next().value ?? null);
  return {
    version: 1,
    program: context.program,
    argv: [...context.argv],
    python: context.python,
    startMethod,
    exitCode: context.exitCode,
    // The main process first: it was the map's first entry, and a Map keeps insertion order.
    processes: [...processes.values()].map((p) => ({
      pid: get(p, 'pid'), ppid: get(p, 'ppid'), role: get(p, 'role'), name: get(p, 'name'), exitCode: get(p, 'exitCode'),
      signal: endedBy(p), outlived: truthy(get(p, 'outlived')),
    })),
    failures: ordered,
    races: [...races.values()],
    inFlight: inFlight(ended),
  };
}

/** The report file's text: what report.py writes (`dumps_pretty(public(report))` and a newline). */
export function reportText(report: Obj): string {
  return `${wire.dumpsPretty(report)}\n`;
}

function failure(kind: string, record: Obj, fields: Obj): { out: Obj; _t: number } {
  const out: Obj = {};
  for (const name of FAILURE_FIELDS) out[name] = name in fields ? fields[name] : null;
  // Fields of one kind only (a stall's runningFor) follow the common ones, as dict.update adds them.
  for (const [name, value] of Object.entries(fields)) if (!Object.prototype.hasOwnProperty.call(out, name)) out[name] = value;
  out.kind = kind;
  out.frames = frames(fields.frames);
  return { out, _t: num(or(get(record, 't'), 0)) };
}

// ---- the end of a run: stalls, tasks in flight, processes left behind -------------------------

/** One `stall` failure per task running when no task had finished for the stall timeout. */
function stallFailures(record: Obj): { out: Obj; _t: number }[] {
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

/** The tasks running when the main process ended (the last "ended" record): live stacks, which have no locals. */
function inFlight(ended: Obj | null): Obj[] {
  const tasks = ended === null ? null : get(ended, 'tasks');
  if (!Array.isArray(tasks)) return [];
  return tasks.filter(isDict).map((t) => {
    const raw = get(t, 'frames');
    const live = (Array.isArray(raw) ? raw : []).filter(isDict).map((fr) => ({ file: get(fr, 'file'), line: get(fr, 'line'), function: get(fr, 'function') }));
    return { pid: get(t, 'pid'), worker: get(t, 'worker'), task: get(t, 'task'), runningFor: get(t, 'runningFor'), frames: live };
  });
}

/**
 * Failures recorded after the main process was killed (an "ended" record that names its
 * signal) are consequences of its death (a worker's BrokenPipeError), not causes.
 */
function markAfterMainEnded(failures: readonly { out: Obj; _t: number }[], ended: Obj | null): void {
  if (ended === null || !truthy(get(ended, 'signal'))) return;
  const killedAt = get(ended, 't');
  for (const f of failures) if (f._t > num(or(killedAt, 0))) f.out.afterMainEnded = true;
}

/** A process still alive when the main process ended, which the supervisor then ended. */
function outlived(proc: Obj, record: Obj): void {
  proc.outlived = true;
  if (get(record, 'exitCode') !== null) proc.exitCode = record.exitCode;
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

/**
 * A queue deadlock's hang (report.py's `_join_hang_fields`): the parent's join() call then the
 * child's put sites as frames, the reason, and how many items were left unwritten.
 */
function joinHang(record: Obj, built: { out: Obj; _t: number }): { out: Obj; _t: number } {
  if (get(record, 'reason') !== wire.HANG_JOIN_BEFORE_DRAIN) return built;
  const sites = [get(record, 'joinedAt'), ...pyList(or(get(record, 'puts'), []))].filter(isDict);
  built.out.frames = sites.map((s) => ({ file: get(s, 'file'), line: get(s, 'line'), function: get(s, 'function'), locals: {} }));
  built.out.reason = get(record, 'reason');
  built.out.items = get(record, 'items');
  return built;
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

// ---- Python's semantics over decoded JSON ---------------------------------------------------

/** `dict.get`: own keys only, absent is None. */
function get(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined ? o[key] : null;
}

/** Python truthiness of a JSON value. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** `a or b`. */
function or<T>(a: unknown, b: T): unknown {
  return truthy(a) ? a : b;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function isDict(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** What report.py's attribute access would need: anything else fails the build, as there. */
function asDict(v: unknown): Obj {
  if (!isDict(v)) throw new TypeError(`expected an object, got ${JSON.stringify(v)}`);
  return v;
}

function num(v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`expected a number, got ${JSON.stringify(v)}`);
  return v;
}

/** `int(v)` for a JSON value. */
function pyInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+(_\d+)*\s*$/.test(v)) return Number(v.replace(/_/g, ''));
  throw new TypeError(`int() of ${JSON.stringify(v)}`);
}

/** `list(v)` for a JSON value. */
function pyList(v: unknown): unknown[] {
  if (Array.isArray(v)) return [...v];
  if (typeof v === 'string') return Array.from(v);
  if (isDict(v)) return Object.keys(v);
  throw new TypeError(`list() of ${JSON.stringify(v)}`);
}

/** A tuple of JSON values as a map key (Python compares `1` and `1.0` equal; so does this). */
function pairKey(a: unknown, b: unknown): string {
  return JSON.stringify([a, b]);
}

function setDefault<K, V>(map: Map<K, V>, key: K, value: V): V {
  const existing = map.get(key);
  if (existing !== undefined) return existing;
  map.set(key, value);
  return value;
}
