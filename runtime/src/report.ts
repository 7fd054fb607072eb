/**
 * The trace report (version 1) as written by the tracer's supervisor: a loader that checks the
 * shape before anything trusts it (reports may come from another machine's CI); the types are
 * the shared protocol's (protocol/src/traceReport.ts).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { FailureKind, ProcessRole, TraceFailure, TraceInFlight, TraceProcess, TraceReport } from '../../protocol/src/traceReport';

export type { FailureKind, ProcessRole, TraceFailure, TraceFrame, TraceInFlight, TraceProcess, TraceRace, TraceReport, TraceTask } from '../../protocol/src/traceReport';

export class ReportError extends Error {}

/**
 * Validates parsed JSON as a version-1 report and returns a fresh copy holding only the fields
 * this Workerscope knows. Every field is checked, so a hostile or corrupt report gives a message
 * naming the field (`failures[2].task.args: expected an array of strings, got 5`) instead of an
 * exception deep inside the session. Unknown fields are allowed but left out of the copy: nothing
 * downstream reads them, and an arbitrarily deep one would overflow JSON.stringify in DAP events.
 * The tracer writes null for a field it does not know; the copy leaves such fields out.
 */
export function parseReport(json: unknown, source = 'report'): TraceReport {
  if (!isObject(json)) throw new ReportError(`${source} is not a JSON object (got ${describe(json)})`);
  if (json.version === undefined) throw new ReportError(`${source} has no "version"; this Workerscope reads version 1`);
  if (json.version !== 1) throw new ReportError(`${source} has version ${describe(json.version)}; this Workerscope reads version 1`);
  try {
    return REPORT(json, '');
  } catch (error) {
    if (error instanceof FieldError) throw new ReportError(`${source}: ${error.message}`);
    throw error;
  }
}

// ---- the shape checker --------------------------------------------------------------------------

/** A field that does not have the expected shape; `at` is its path from the report's root. */
class FieldError extends Error {
  constructor(at: string, expected: string, value: unknown) {
    super(value === undefined ? `${at || 'the report'}: missing (expected ${expected})` : `${at || 'the report'}: expected ${expected}, got ${describe(value)}`);
  }
}

/** Checks one JSON value found at path `at` and returns what the report keeps of it. */
type Check<T> = { (value: unknown, at: string): T; expected: string };

function check<T>(expected: string, accept: (value: unknown, at: string) => T | typeof REJECT): Check<T> {
  const fn = (value: unknown, at: string): T => {
    const result = accept(value, at);
    if (result === REJECT) throw new FieldError(at, expected, value);
    return result;
  };
  return Object.assign(fn, { expected });
}

const REJECT = Symbol('reject');

const string = check<string>('a string', (v) => (typeof v === 'string' ? v : REJECT));
const boolean = check<boolean>('true or false', (v) => (typeof v === 'boolean' ? v : REJECT));
const seconds = check<number>('a non-negative number of seconds', (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : REJECT));
const integer = check<number>('an integer', (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : REJECT));
const count = check<number>('a non-negative integer', (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : REJECT));

function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return check<T>(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : REJECT));
}

function arrayOf<T>(item: Check<T>, expected: string): Check<T[]> {
  return check<T[]>(expected, (v, at) => (Array.isArray(v) ? v.map((x, i) => item(x, `${at}[${i}]`)) : REJECT));
}

/** An object used as a map (locals, kwargs): any keys, every value checked. */
function mapOf<T>(item: Check<T>, expected: string): Check<Record<string, T>> {
  return check<Record<string, T>>(expected, (v, at) => {
    if (!isObject(v)) return REJECT;
    const out: Record<string, T> = {};
    for (const [key, value] of Object.entries(v)) {
      // defineProperty: a key named __proto__ stays an ordinary entry, as it was in the JSON.
      Object.defineProperty(out, key, { value: item(value, `${at}${fieldPath(key)}`), enumerable: true, writable: true, configurable: true });
    }
    return out;
  });
}

/** A field that may be absent or null (the tracer's "not known"). */
interface Optional<T> { optional: Check<T> }
function optional<T>(c: Check<T>): Optional<T> {
  return { optional: c };
}

type Field = Check<unknown> | Optional<unknown>;
type Shape = Record<string, Field>;
type Out<S extends Shape> = { [K in keyof S]: S[K] extends Check<infer T> ? T : S[K] extends Optional<infer T> ? T | undefined : never };

/** An object with known fields; others are allowed and dropped, absent optional ones stay absent. */
function objectOf<S extends Shape>(shape: S, expected = 'an object'): Check<Out<S>> {
  return check<Out<S>>(expected, (v, at) => {
    if (!isObject(v)) return REJECT;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const value = Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
      const path = `${at}${at ? '.' : ''}${key}`;
      if ('optional' in field) {
        if (value !== undefined && value !== null) out[key] = field.optional(value, path);
      } else {
        out[key] = field(value, path);
      }
    }
    return out as Out<S>;
  });
}

// The report's shape, field by field (PRODUCT.md "Trace report", version 1).

const ROLES: readonly ProcessRole[] = ['main', 'pool-worker', 'executor-worker', 'process', 'thread'];
const KINDS: readonly FailureKind[] = ['exception', 'killed', 'exited', 'swallowed', 'thread-exception', 'hang', 'stall'];

const LOCATION = objectOf({ file: string, line: count }, 'an object with "file" and "line"');

const TASK = objectOf({
  function: optional(string),
  args: optional(arrayOf(string, 'an array of strings')),
  kwargs: optional(mapOf(string, 'an object of strings')),
  index: optional(integer),
  submittedAt: optional(LOCATION),
});

const FRAME = objectOf({
  file: string,
  // f_lineno is None for some frames (3.10+): such a frame has no line to show.
  line: check<number>('an integer or null', (v) => (v === null ? 0 : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : REJECT)),
  function: string,
  locals: optional(mapOf(string, 'an object of strings')),
}, 'a frame object');

const FAILURE = objectOf({
  kind: oneOf(KINDS),
  pid: optional(integer),
  thread: optional(string),
  worker: optional(string),
  task: optional(TASK),
  exception: optional(objectOf({ type: string, message: string }, 'an object with "type" and "message"')),
  signal: optional(string),
  exitCode: optional(integer),
  frames: optional(arrayOf(FRAME, 'an array of frames')),
  runningFor: optional(seconds),
  afterMainEnded: optional(boolean),
  reason: optional(string),
  items: optional(count),
  cause: optional(string),
  origin: optional(string),
  emitter: optional(string),
  clonePath: optional(string),
}, 'a failure object');

const PROCESS = objectOf({
  pid: integer,
  ppid: optional(integer),
  role: optional(oneOf(ROLES)),
  name: optional(string),
  exitCode: optional(integer),
  signal: optional(string),
  outlived: optional(boolean),
  threadId: optional(integer),
  parentThreadId: optional(integer),
  file: optional(string),
  createdAt: optional(objectOf({ file: string, line: count, function: optional(string) }, 'an object with "file" and "line"')),
}, 'a process object');

const IN_FLIGHT = objectOf({
  pid: integer,
  worker: optional(string),
  task: optional(TASK),
  runningFor: optional(seconds),
  frames: optional(arrayOf(FRAME, 'an array of frames')),
}, 'an in-flight task object');

const RACE = objectOf({
  file: string,
  line: count,
  kind: string,
  object: optional(string),
  count,
  pids: optional(arrayOf(integer, 'an array of integers')),
}, 'a race object');

const REPORT_FIELDS = objectOf({
  version: check<1>('1', (v) => (v === 1 ? 1 : REJECT)),
  program: string,
  argv: optional(arrayOf(string, 'an array of strings')),
  python: optional(string),
  startMethod: optional(string),
  runtime: optional(oneOf(['python', 'node'] as const)),
  node: optional(string),
  exitCode: optional(integer),
  processes: optional(arrayOf(PROCESS, 'an array of processes')),
  failures: optional(arrayOf(FAILURE, 'an array of failures')),
  races: optional(arrayOf(RACE, 'an array of races')),
  inFlight: optional(arrayOf(IN_FLIGHT, 'an array of in-flight tasks')),
});

/**
 * One failure as the fold made it from live records, checked as a saved report's failures are:
 * the live view and a reopened report see failures through the same gate.
 */
export function parseFailure(json: unknown): TraceFailure {
  try {
    return FAILURE(json, 'failure');
  } catch (error) {
    if (error instanceof FieldError) throw new ReportError(error.message);
    throw error;
  }
}

/** One task in flight, checked as a saved report's are. */
export function parseInFlight(json: unknown): TraceInFlight {
  try {
    const t = IN_FLIGHT(json, 'inFlight');
    return { ...t, frames: t.frames ?? [] };
  } catch (error) {
    if (error instanceof FieldError) throw new ReportError(error.message);
    throw error;
  }
}

function REPORT(json: Record<string, unknown>, at: string): TraceReport {
  const r = REPORT_FIELDS(json, at);
  const report: TraceReport = {
    version: 1,
    program: r.program,
    argv: r.argv ?? [],
    exitCode: r.exitCode ?? null,
    processes: (r.processes ?? []) as TraceProcess[],
    failures: r.failures ?? [],
    races: r.races ?? [],
    inFlight: (r.inFlight ?? []).map((t) => ({ ...t, frames: t.frames ?? [] })),
  };
  if (r.python !== undefined) report.python = r.python;
  if (r.startMethod !== undefined) report.startMethod = r.startMethod;
  if (r.runtime !== undefined) report.runtime = r.runtime;
  if (r.node !== undefined) report.node = r.node;
  return report;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `.name` or `["odd name"]`, as a path segment. */
function fieldPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;
}

/** A short, printable account of a JSON value for an error message (values may be huge). */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (isObject(value)) return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** The largest report read: far above what a long run writes (reprs are capped), far below a runaway. */
export const REPORT_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * Reads and checks a saved report. Only a regular file is read (a device such as /dev/zero would
 * never end, a FIFO would block the adapter, disconnect included) and only up to `limit` bytes.
 */
export function loadReport(file: string, limit = REPORT_SIZE_LIMIT): TraceReport {
  const data = readRegularFile(file, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new ReportError(`${file} is not UTF-8 text`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReportError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseReport(json, file);
}

function readRegularFile(file: string, limit: number): Buffer {
  // stat first, so a device is refused without being opened (opening some has effects); fstat
  // after the non-blocking open, so a file swapped in between is refused too.
  const before = statOrThrow(() => fs.statSync(file), file);
  refuseUnlessRegular(before, file, limit);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (error) {
    throw new ReportError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    refuseUnlessRegular(statOrThrow(() => fs.fstatSync(fd), file), file, limit);
    // Read to the end, but never past the limit: the file may still be growing.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, limit + 1 - total));
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > limit) throw new ReportError(tooLarge(file, limit));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof ReportError) throw error;
    throw new ReportError(`cannot read ${file}: ${(error as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}

function statOrThrow(stat: () => fs.Stats, file: string): fs.Stats {
  try {
    return stat();
  } catch (error) {
    throw new ReportError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function refuseUnlessRegular(stats: fs.Stats, file: string, limit: number): void {
  if (!stats.isFile()) throw new ReportError(`${file} is not a regular file (it is ${fileType(stats)}); a trace report is a JSON file`);
  if (stats.size > limit) throw new ReportError(tooLarge(file, limit));
}

function tooLarge(file: string, limit: number): string {
  return `${file} is larger than ${Math.round(limit / (1024 * 1024))} MiB, more than any trace report; it is not read`;
}

function fileType(stats: fs.Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Writes a report file readable by its owner only (0600, whatever the umask): it holds the
 * program's locals and task arguments. The text goes to a new file created 0600 beside the
 * target and renamed over it, so an existing 0644 report is replaced by a private inode rather
 * than rewritten in place (where a reader holding it open would see the new text). A symlink is
 * followed to the file it names; a target that is not a regular file (/dev/stdout, a FIFO) is
 * written as it is.
 */
export function writeReportFile(file: string, text: string): void {
  let target = path.resolve(file);
  try {
    target = fs.realpathSync(target);
  } catch {
    // Not there yet (or a dangling link): created below under the name given.
  }
  const existing = fs.statSync(target, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) {
    fs.writeFileSync(target, text);
    return;
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
  const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600);
  try {
    // The mode at open is cut by the umask only (never widened): a umask of 0o177 leaves 0400.
    fs.writeFileSync(fd, text);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (error) {
    try {
      fs.closeSync(fd);
    } catch {
      // Closed already.
    }
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
