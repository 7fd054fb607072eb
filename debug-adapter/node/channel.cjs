'use strict';
/**
 * The Node tracer's half of the channel: one record per line appended to `<channel>/<pid>.jsonl`
 * (worker threads share their process's file; each line is one write() on an O_APPEND descriptor,
 * so lines of different threads never interleave), its own errors logged to
 * WORKERSCOPE_TRACER_LOG, and the stacks and values of records turned into the report's shapes.
 */
// Only what every thread needs at once is loaded here (each worker thread pays for it when it
// starts); util, url and the source maps are loaded when a failure is recorded.
const fs = require('node:fs');
const path = require('node:path');

const WIRE_VERSION = 1;

/**
 * The channel directory. A worker thread started with an `env` of its own does not see the
 * process's variables in process.env; the process's environment is still in /proc (Linux).
 */
function channelFromEnvironment() {
  if (process.env.WORKERSCOPE_CHANNEL) return process.env.WORKERSCOPE_CHANNEL;
  if (require('node:worker_threads').isMainThread) return '';
  try {
    const entry = fs.readFileSync('/proc/self/environ', 'latin1').split('\0').find((e) => e.startsWith('WORKERSCOPE_CHANNEL='));
    return entry ? entry.slice('WORKERSCOPE_CHANNEL='.length) : '';
  } catch {
    return '';
  }
}

const channelDir = channelFromEnvironment();
const TRACER_DIR = __dirname;

let fd = -1;
/** Set once the channel cannot be written: the program goes on, untraced from then on. */
let broken = !channelDir;

/** Logs the tracer's own error (never thrown into the program); a broken log is ignored too. */
function swallowed(error) {
  const log = process.env.WORKERSCOPE_TRACER_LOG;
  if (!log) return;
  try {
    fs.appendFileSync(log, `[workerscope node ${process.pid}] ${error && error.stack ? error.stack : String(error)}\n`);
  } catch {
    // Nowhere left to say it.
  }
}

/** Seconds since the epoch with microseconds, as Python's time.time(): records of one millisecond stay ordered. */
function now() {
  const { performance } = globalThis.performance ? globalThis : require('node:perf_hooks');
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** Appends one record; never throws. */
function emit(kind, fields) {
  if (broken) return;
  try {
    if (fd < 0) fd = fs.openSync(path.join(channelDir, `${process.pid}.jsonl`), 'a', 0o600);
    const line = `${JSON.stringify({ v: WIRE_VERSION, kind, pid: process.pid, t: now(), ...fields })}\n`;
    fs.writeSync(fd, line);
  } catch (error) {
    broken = true;
    swallowed(error);
  }
}

/** A value as a short readable text for a record (the message a worker was handling). */
function repr(value) {
  try {
    const text = require('node:util').inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 120, compact: true });
    return text.length > 300 ? `${text.slice(0, 297)}...` : text;
  } catch (error) {
    swallowed(error);
    return '<unprintable>';
  }
}

/** `{type, message}` of a thrown value (anything can be thrown). */
function exceptionOf(error) {
  if (error !== null && typeof error === 'object') {
    let type = 'Error';
    try {
      type = String(error.name || (error.constructor && error.constructor.name) || 'Error');
    } catch {
      // A getter that throws: the default stays.
    }
    let message = '';
    try {
      message = typeof error.message === 'string' ? error.message : repr(error);
    } catch {
      message = '';
    }
    return { type, message };
  }
  return { type: typeof error, message: repr(error) };
}

const FRAME_AT = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** A file named in a stack line, as a path when it is a file URL. */
function stackFile(file) {
  if (file.startsWith('file://')) {
    try {
      return require('node:url').fileURLToPath(file);
    } catch {
      return file;
    }
  }
  return file;
}

/**
 * The report's frames (outermost first) from a V8 stack (innermost first), without the
 * tracer's own frames and Node's internals, mapped through the program's source maps.
 */
function framesOf(stack) {
  if (typeof stack !== 'string') return [];
  const frames = [];
  for (const line of stack.split('\n')) {
    const m = FRAME_AT.exec(line);
    if (!m) continue;
    const file = stackFile(m[2].replace(/^async /, ''));
    if (file.startsWith('node:') || file.startsWith(TRACER_DIR + path.sep)) continue;
    let fn = (m[1] || '<module>').replace(/^async /, '');
    if (fn.startsWith('new ')) fn = fn.slice(4);
    frames.push(mapped({ file, line: Number(m[3]), column: Number(m[4]), function: fn }));
  }
  return frames.reverse().map((f) => ({ file: f.file, line: f.line, function: f.function, locals: {} }));
}

/** Source maps by generated file (null: the file has none, or it could not be read). */
const sourceMaps = new Map();

/** A frame at its source position when its file names a source map (TypeScript compiled by tsc or esbuild). */
function mapped(frame) {
  const map = sourceMapOf(frame.file);
  if (!map) return frame;
  try {
    const entry = map.findEntry(frame.line - 1, frame.column - 1);
    if (!entry || typeof entry.originalSource !== 'string' || typeof entry.originalLine !== 'number') return frame;
    return { file: stackFile(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1, function: frame.function };
  } catch (error) {
    swallowed(error);
    return frame;
  }
}

// Long enough for an inline map of a big bundle, short enough not to read a huge file twice.
const MAX_MAPPED_FILE = 32 * 1024 * 1024;

function sourceMapOf(file) {
  if (sourceMaps.has(file)) return sourceMaps.get(file);
  let map = null;
  try {
    if (path.isAbsolute(file) && fs.statSync(file).size < MAX_MAPPED_FILE) {
      const text = fs.readFileSync(file, 'utf8');
      const m = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text.slice(-64 * 1024).trimEnd() + '\n');
      if (m) map = loadMap(m[1], file);
    }
  } catch (error) {
    swallowed(error);
  }
  sourceMaps.set(file, map);
  return map;
}

function loadMap(url, file) {
  const { SourceMap } = require('node:module');
  if (typeof SourceMap !== 'function') return null;
  let payload;
  const inline = /^data:application\/json(?:;charset=[\w-]+)?;base64,(.*)$/.exec(url);
  if (inline) payload = JSON.parse(Buffer.from(inline[1], 'base64').toString('utf8'));
  else payload = JSON.parse(fs.readFileSync(path.resolve(path.dirname(file), decodeURIComponent(url)), 'utf8'));
  // Sources are relative to the map's own place; the report wants absolute paths.
  const root = path.resolve(path.dirname(file), payload.sourceRoot || '');
  payload.sources = (payload.sources || []).map((s) => (typeof s === 'string' && !s.includes('://') ? path.resolve(root, s) : s));
  payload.sourceRoot = '';
  return new SourceMap(payload);
}

module.exports = { channelDir, emit, swallowed, repr, exceptionOf, framesOf, stackFile, TRACER_DIR };
