/**
 * Event wire format of the tracer channel; mirrors debug-adapter/python/workerscope_tracer/wire.py.
 *
 * Every traced process appends one JSON object per line to `<channel>/<pid>.jsonl`. Each record has
 * at least `v` (WIRE_VERSION), `kind` (one of EVENT_KINDS), `pid` and `t` (seconds since the epoch);
 * the remaining fields per kind are listed in `EVENT_FIELDS` (which the round-trip test in
 * debug-adapter/test/wire.test.ts compares with wire.py, where each field is described).
 */

export const WIRE_VERSION = 1;

// File names inside the channel directory (all relative to it).
export const EVENTS_SUFFIX = '.jsonl';
export const SLOT_SUFFIX = '.slot';
export const FAULT_SUFFIX = '.fault';
/** `<pid>.stack`: the all-threads dump a worker writes on the live-stack signal. */
export const STACK_SUFFIX = '.stack';
export const CTL_DIR = 'ctl';
/** `ctl/<pid>/<id>.bell`: the FIFO doorbell of a waiting stop; rung after a request is in place. */
export const BELL_SUFFIX = '.bell';
/** `<pid>.spans`: with the timeline on, the spans a process has not written yet (wire.py, timeline.py). */
export const SPANS_SUFFIX = '.spans';

// Slot layout: seven little-endian signed 64-bit integers in `<pid>.slot` (a file, mmap'd, 0600,
// forked workers included, so the supervisor can read every worker's). SLOT_LOCKED is 1 while a
// pool worker holds its task queue's read lock (idle in get()): dying then leaves the pool stuck.
// SLOT_STARTED is time.time() in microseconds when the current task began; SLOT_DONE counts the
// tasks the worker has finished (the stall watch: no count moved for --stall-timeout seconds).
export const SLOT_FORMAT = '<qqqqqqq';
export const SLOT_SIZE = 56;
export const SLOT_BUSY = 0;
export const SLOT_KEY = 1;
export const SLOT_CHUNK = 2;
export const SLOT_POS = 3;
export const SLOT_LOCKED = 4;
export const SLOT_STARTED = 5;
export const SLOT_DONE = 6;

/**
 * The live-stack signal is SIGRTMIN + this: every worker dumps its threads' stacks into
 * `<pid>.stack` on it (faulthandler.register); the supervisor sends it only to a process whose
 * /proc/<pid>/status SigCgt shows it caught.
 */
export const LIVE_STACK_OFFSET = 7;
/**
 * The breakpoint signal is SIGRTMIN + this: a process of a debug session re-reads
 * `<channel>/breakpoints.json` on it; sent only where /proc/<pid>/status SigCgt shows it caught.
 */
export const BREAKPOINT_SIGNAL_OFFSET = 8;

// Roles of processes (report "processes[].role").
export const ROLE_MAIN = 'main';
export const ROLE_POOL_WORKER = 'pool-worker';
export const ROLE_EXECUTOR_WORKER = 'executor-worker';
export const ROLE_PROCESS = 'process';
export type WireRole = typeof ROLE_MAIN | typeof ROLE_POOL_WORKER | typeof ROLE_EXECUTOR_WORKER | typeof ROLE_PROCESS;

export const PROCESS_START = 'process-start';
export const PROCESS_EXIT = 'process-exit';
export const START_METHOD = 'start-method';
export const CHILD_EXIT = 'child-exit';
export const SUBMIT = 'submit';
export const TASK_EXCEPTION = 'task-exception';
export const PROCESS_EXCEPTION = 'process-exception';
export const THREAD_EXCEPTION = 'thread-exception';
export const WORKER_LOST = 'worker-lost';
export const SWALLOWED = 'swallowed';
export const RACE = 'race';
export const HANG = 'hang';
export const PAUSED = 'paused';
export const RESUMED = 'resumed';
export const EVALUATE_RESULT = 'evaluate-result';
/** A stopped thread's answer to `variables`: a frame scope's names or a reference's children. */
export const VARIABLES_RESULT = 'variables-result';
/** A stopped thread's answer to `setVariable`: the value assigned. */
export const SET_VARIABLE_RESULT = 'set-variable-result';
/** The pool can no longer finish what it was given: arms the hang watch; not a failure itself. */
export const POOL_STALLED = 'pool-stalled';
/** The supervisor's list of the tasks running at a stall, at the main process's death or on request. */
export const IN_FLIGHT = 'in-flight';
/** The supervisor's account of a process of the program still alive after the main process ended. */
export const LEFTOVER = 'leftover';
/** Parent side: Process.join() called on a child still running. */
export const JOIN = 'join';
/** At a process's exit, a queue's feeder thread has not flushed for 0.5 s (nobody reads the pipe?). */
export const QUEUE_FLUSH_WAIT = 'queue-flush-wait';
/** The feeder thread of a `queue-flush-wait` finished after all. */
export const QUEUE_FLUSHED = 'queue-flushed';
/** A thread stopped for the debugger: breakpoint, step, pause or exception (paused/resumed with its id follow). */
export const STOPPED = 'stopped';
/** A logpoint's message, or a breakpoint condition that raised; the thread goes on. */
export const LOG = 'log';
/** Node tracer: a worker thread made (by the thread that made it), with its name, file and creation site. */
export const THREAD_START = 'thread-start';
/** Node tracer: a worker thread's end, seen by the thread that made it. */
export const THREAD_EXIT = 'thread-exit';
/** With the timeline on: a process's batch of spans (task runs, waits, threads' lives); wire.py lists their fields. */
export const SPANS = 'spans';
/** How every spans record's line begins: readers with no use for spans skip such a line unparsed. */
export const SPANS_LINE_PREFIX = '{"v":1,"kind":"spans",';
/** `reason` of a hang whose parent joins a child that cannot exit until its queue is read. */
export const HANG_JOIN_BEFORE_DRAIN = 'join-before-drain';

/** In wire.py's order. */
export const EVENT_KINDS = [
  PROCESS_START, PROCESS_EXIT, START_METHOD, CHILD_EXIT, SUBMIT, TASK_EXCEPTION,
  PROCESS_EXCEPTION, THREAD_EXCEPTION, WORKER_LOST, SWALLOWED, RACE, HANG,
  PAUSED, RESUMED, EVALUATE_RESULT, POOL_STALLED, IN_FLIGHT, LEFTOVER,
  JOIN, QUEUE_FLUSH_WAIT, QUEUE_FLUSHED, STOPPED, LOG, VARIABLES_RESULT, SET_VARIABLE_RESULT,
  THREAD_START, THREAD_EXIT,
  SPANS,
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

// Control requests (ctl/<pid>/<seq>.json, written by control.ts; seq sorts numerically). Their
// fields are listed in wire.py.
export const CMD_EVALUATE = 'evaluate';
export const CMD_CONTINUE = 'continue';
export const CMD_NEXT = 'next';
export const CMD_STEP_IN = 'stepIn';
export const CMD_STEP_OUT = 'stepOut';
export const CMD_VARIABLES = 'variables';
export const CMD_SET_VARIABLE = 'setVariable';
export const STEP_COMMANDS = [CMD_NEXT, CMD_STEP_IN, CMD_STEP_OUT] as const;
export type StepCommand = (typeof STEP_COMMANDS)[number];
export const INSPECT_COMMANDS = [CMD_EVALUATE, CMD_VARIABLES, CMD_SET_VARIABLE] as const;

/**
 * Fields every record carries. The others are read by name where they are used (the trace model,
 * the report builder) through checked accessors: a record is data from another process, and each
 * field is checked for its type when it is read. EVENT_FIELDS lists them per kind; wire.py says
 * what each one means.
 */
export interface WireRecordBase {
  v: number;
  kind: string;
  pid: number;
  t: number;
}

/** The fields of each kind besides v, kind, pid and t, in wire.py's documented order. */
export const EVENT_FIELDS: Readonly<Record<EventKind, readonly string[]>> = {
  [PROCESS_START]: ['ppid', 'owner', 'role', 'name', 'python', 'cacheTag', 'node'],
  [PROCESS_EXIT]: ['exitCode'],
  [START_METHOD]: ['method'],
  [CHILD_EXIT]: ['child', 'name', 'role', 'exitCode', 'terminated'],
  [SUBMIT]: ['key', 'api', 'function', 'chunksize', 'indexBase', 'indexed', 'submittedAt', 'def'],
  [TASK_EXCEPTION]: ['id', 'key', 'chunk', 'pos', 'thread', 'worker', 'role', 'task', 'exception', 'frames', 'paused'],
  [PROCESS_EXCEPTION]: ['id', 'thread', 'worker', 'role', 'task', 'exception', 'frames', 'paused', 'origin', 'emitter', 'clonePath'],
  [THREAD_EXCEPTION]: ['id', 'thread', 'worker', 'role', 'exception', 'frames', 'paused', 'threadId', 'origin', 'emitter', 'clonePath', 'task'],
  [WORKER_LOST]: ['id', 'child', 'worker', 'role', 'exitCode', 'signal', 'key', 'chunk', 'pos', 'task', 'frames', 'paused', 'cause'],
  [SWALLOWED]: ['key', 'chunk', 'api', 'task', 'exception', 'allChunks', 'thread', 'frames'],
  [RACE]: ['file', 'line', 'object', 'count'],
  [HANG]: ['key', 'worker', 'child', 'task', 'timeout', 'lostAt', 'reason', 'joinedAt', 'queue', 'items', 'puts'],
  [PAUSED]: ['id'],
  [RESUMED]: ['id', 'reason'],
  [EVALUATE_RESULT]: ['id', 'seq', 'frame', 'ok', 'value', 'type', 'ref', 'error'],
  [POOL_STALLED]: ['owner', 'child', 'worker', 'key', 'chunk', 'task', 'reason'],
  [IN_FLIGHT]: ['reason', 'signal', 'timeout', 'tasks'],
  [LEFTOVER]: ['child', 'name', 'role', 'signal', 'exitCode'],
  [JOIN]: ['child', 'name', 'timeout', 'at'],
  [QUEUE_FLUSH_WAIT]: ['queue', 'items', 'puts'],
  [QUEUE_FLUSHED]: ['queue'],
  [STOPPED]: ['id', 'reason', 'breakpoint', 'description', 'exception', 'thread', 'worker', 'role', 'frames', 'paused', 'steppable'],
  [LOG]: ['message', 'file', 'line', 'thread', 'worker'],
  [VARIABLES_RESULT]: ['id', 'seq', 'ok', 'variables', 'total', 'error'],
  [SET_VARIABLE_RESULT]: ['id', 'seq', 'ok', 'value', 'type', 'ref', 'error'],
  [THREAD_START]: ['threadId', 'name', 'file', 'createdAt', 'parentThreadId'],
  [THREAD_EXIT]: ['threadId', 'name', 'exitCode', 'terminated'],
  [SPANS]: ['m', 'seq', 'spans'],
};

export function isEventKind(kind: unknown): kind is EventKind {
  return typeof kind === 'string' && (EVENT_KINDS as readonly string[]).includes(kind);
}

/** One complete line, as wire.py's `encode` writes it (ASCII only, compact). */
export function encode(event: Record<string, unknown>): string {
  return `${dumps(event, undefined)}\n`;
}

/** Parses complete lines like wire.py's `decode_lines`: torn, junk or other-version lines are skipped. */
export function decodeLines(data: string): WireRecordBase[] {
  const events: WireRecordBase[] = [];
  for (const raw of data.split('\n')) {
    if (raw.trim() === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      continue;
    }
    if (obj !== null && typeof obj === 'object' && !Array.isArray(obj) && (obj as { v?: unknown }).v === WIRE_VERSION) {
      events.push(obj as WireRecordBase);
    }
  }
  return events;
}

/** A JSON string literal as wire.py's `_escape` writes it: ASCII only, `\uXXXX` in lower case. */
export function escapeString(text: string): string {
  return `"${text.replace(/[\\"\u0000-\u001f\u007f-\uffff]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * A number as Python writes it. JSON does not say whether `2` was an int or a float, so whole
 * numbers are written as ints; the rest as `float.__repr__` (exponent from 1e16 and below 1e-4).
 */
export function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (Number.isInteger(value)) return BigInt(value).toString();
  const [mantissa, exp] = value.toExponential().split('e');
  const exponent = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/[-.]/g, '');
  let body: string;
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
    else if (digits.length > exponent + 1) body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
    else body = `${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  } else {
    const sign = exponent < 0 ? '-' : '+';
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    body = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${sign}${magnitude}`;
  }
  return negative ? `-${body}` : body;
}

/** Indented JSON for the report file, byte for byte as wire.py's `dumps_pretty` writes it. */
export function dumpsPretty(value: unknown, indent = '  '): string {
  return dumps(value, indent);
}

/** JSON as wire.py writes it: indented by `indent` (`dumps_pretty`), or compact without one (`encode`). */
function dumps(value: unknown, indent: string | undefined): string {
  const out: string[] = [];
  const newline = (depth: number): string => (indent === undefined ? '' : `\n${indent.repeat(depth)}`);
  const colon = indent === undefined ? ':' : ': ';
  const write = (v: unknown, depth: number): void => {
    const pad = newline(depth + 1);
    if (Array.isArray(v)) {
      if (v.length === 0) return void out.push('[]');
      out.push('[');
      v.forEach((item, i) => {
        out.push(`${i ? ',' : ''}${pad}`);
        write(item, depth + 1);
      });
      out.push(`${newline(depth)}]`);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, item]) => item !== undefined);
      if (entries.length === 0) return void out.push('{}');
      out.push('{');
      entries.forEach(([key, item], i) => {
        out.push(`${i ? ',' : ''}${pad}${escapeString(key)}${colon}`);
        write(item, depth + 1);
      });
      out.push(`${newline(depth)}}`);
    } else if (typeof v === 'string') {
      out.push(escapeString(v));
    } else if (typeof v === 'number') {
      out.push(pythonNumber(v));
    } else if (typeof v === 'boolean') {
      out.push(v ? 'true' : 'false');
    } else {
      out.push('null');
    }
  };
  write(value, 0);
  return out.join('');
}

/** The spec of the program's breakpoints in the channel directory (debug sessions). */
export const BREAKPOINTS_FILE = 'breakpoints.json';
