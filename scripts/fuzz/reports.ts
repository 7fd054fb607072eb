/**
 * Hostile-report fuzz target: mutates real trace reports (wrong types at every path, missing and
 * unknown fields, huge strings, deep nesting, non-finite numbers, invalid UTF-8, truncated JSON)
 * and checks that loading one either succeeds, with everything the session derives from it
 * working, or fails with a clear error naming the mutated field; a sample goes through the BUILT
 * adapter (dist/debugAdapter.js) over DAP, which must answer every launch and never crash or hang.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { loadReport, ReportError } from '../../runtime/src/report';
import { formatSummary } from '../../runtime/src/summary';
import { TraceModel } from '../../runtime/src/traceModel';
import { describeFailure, exceptionId, stopBadge, taskText, threadLabel, tracebackText } from '../../debug-adapter/src/session/describe';
import { Random } from './lib/random';

export interface FuzzOptions {
  seed: number;
  /** Date.now() by which run() returns. */
  deadline: number;
  log: (s: string) => void;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ADAPTER = path.join(ROOT, 'dist', 'debugAdapter.js');
const PROGRAMS = path.join(ROOT, 'test-fixtures', 'programs');
const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';
/** Every this many inputs, one also goes through the real adapter (it costs a Node start-up). */
const ADAPTER_EVERY = 20;
/** Longest a direct load and its derived views may take, and one DAP step of the adapter. */
const DIRECT_LIMIT_MS = 5000;
const DAP_STEP_MS = 10_000;
/** Real runs whose reports seed the mutations: failures of every kind, races, threads. */
const SEED_PROGRAMS: Array<[string, string[]]> = [
  ['pool_map_raises.py', []],
  ['executor_worker_sigkill.py', []],
  ['thread_exception.py', []],
  ['swallowed_future.py', []],
  ['unlocked_counter.py', ['--detect-races']],
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Rng = () => number;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

export async function run(opts: FuzzOptions): Promise<{ iterations: number; failures: string[] }> {
  const random = new Random(opts.seed);
  const rng: Rng = () => random.next();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `workerscope-fuzz-reports-${opts.seed}-`));
  const failures: string[] = [];
  const tally = { accepted: 0, refused: 0, adapter: 0 };
  let iterations = 0;
  try {
    const seeds = [...inlineReports(), ...realReports(work, opts)];
    opts.log(`reports: ${seeds.length} seed reports; adapter ${fs.existsSync(ADAPTER) ? ADAPTER : 'MISSING (run node esbuild.mjs): direct checks only'}`);
    while (Date.now() < opts.deadline) {
      const mutation = mutate(pick(rng, seeds), rng);
      const file = path.join(work, `input-${iterations}.json`);
      fs.writeFileSync(file, mutation.bytes);
      const label = `seed ${opts.seed} input ${iterations} (${mutation.what})`;
      const direct = checkDirect(file, mutation);
      tally[direct.accepted ? 'accepted' : 'refused']++;
      let problem = direct.problem;
      if (!problem && iterations % ADAPTER_EVERY === 0 && fs.existsSync(ADAPTER) && Date.now() + 2000 < opts.deadline) {
        tally.adapter++;
        // Now and then the report is no file at all: it must be refused at once, not read.
        const special = iterations % (ADAPTER_EVERY * 5) === 0 ? specialFile(work, rng) : undefined;
        problem = await checkAdapter(special ?? file, opts.deadline);
        if (problem && special) problem = `${special}: ${problem}`;
      }
      if (problem) {
        const kept = path.join(os.tmpdir(), `workerscope-fuzz-report-${opts.seed}-${iterations}.json`);
        fs.copyFileSync(file, kept);
        failures.push(`${label}: ${problem} [input kept in ${kept}]`);
        opts.log(`FAIL ${failures[failures.length - 1]}`);
      }
      fs.rmSync(file, { force: true });
      iterations++;
    }
    opts.log(`reports: ${iterations} inputs, ${tally.accepted} loaded, ${tally.refused} refused, ${tally.adapter} through the adapter, ${failures.length} failures`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { iterations, failures };
}

/**
 * Replays one kept input (a failure's `input kept in …` file): the direct check, then the built
 * adapter. Returns the problem, or undefined when the input is handled.
 */
export async function replay(file: string): Promise<string | undefined> {
  return checkDirect(file, { bytes: Buffer.alloc(0), what: 'replay' }).problem ?? (await checkAdapter(file, Date.now() + 60_000));
}

/** A path that is no regular file: a device that never ends, a FIFO nobody writes, a directory. */
function specialFile(work: string, rng: Rng): string {
  const choice = pick(rng, ['/dev/zero', '/dev/urandom', 'fifo', 'directory']);
  if (choice === 'fifo') {
    const fifo = path.join(work, 'report.fifo');
    if (!fs.existsSync(fifo) && spawnSync('mkfifo', [fifo]).status !== 0) return '/dev/zero';
    return fifo;
  }
  return choice === 'directory' ? work : choice;
}

// ---- seed reports ------------------------------------------------------------------------------

function inlineReports(): Json[] {
  const prog = path.join(PROGRAMS, 'pool_map_raises.py');
  return [{
    version: 1, program: prog, argv: ['--fast'], python: '3.11.7', startMethod: 'fork', exitCode: 1,
    processes: [
      { pid: 4700, ppid: 1, role: 'main', name: 'MainProcess', exitCode: 1 },
      { pid: 4711, ppid: 4700, role: 'pool-worker', name: 'ForkPoolWorker-2', exitCode: 0 },
      { pid: 4712, ppid: null, role: null, name: null, exitCode: -9 },
    ],
    failures: [
      {
        kind: 'exception', pid: 4711, thread: 'MainThread', worker: 'ForkPoolWorker-2',
        task: { function: '__main__.work', args: ['3'], kwargs: { flag: 'True' }, index: 3, submittedAt: { file: prog, line: 16 } },
        exception: { type: 'ValueError', message: 'bad item 3' }, signal: null, exitCode: null,
        frames: [{ file: prog, line: 9, function: 'work', locals: { x: '3', scaled: '30' } }],
      },
      { kind: 'killed', pid: 4712, thread: 'MainThread', worker: 'ForkProcess-1', task: { function: '__main__.work', args: ['2'], kwargs: {}, index: 2, submittedAt: null }, exception: null, signal: 'SIGKILL', exitCode: -9, frames: [] },
      { kind: 'hang', pid: 4700, thread: 'MainThread', worker: 'ForkPoolWorker-2', task: null, exception: null, signal: 'SIGKILL', exitCode: -9, frames: [] },
      { kind: 'thread-exception', pid: 4700, thread: 'Thread-1', worker: null, task: null, exception: { type: 'KeyError', message: "'k'" }, signal: null, exitCode: null, frames: [{ file: prog, line: 3, function: 'run', locals: {} }] },
    ],
    races: [{ file: prog, line: 7, kind: 'unlocked-read-modify-write', object: 'counter', count: 400, pids: [4711, 4712] }],
  }];
}

/** Reports of fixture programs run once under the tracer; none if the tracer cannot run here. */
function realReports(work: string, opts: FuzzOptions): Json[] {
  const out: Json[] = [];
  const env = { ...process.env, PYTHONPATH: path.join(ROOT, 'dist', 'python') };
  for (const [name, flags] of SEED_PROGRAMS) {
    // The seeds may take a fifth of the time given, no more: the rest is for mutations.
    if (Date.now() + 4 * 5000 > opts.deadline) break;
    const file = path.join(work, `seed-${name}.json`);
    const result = spawnSync(PYTHON, ['-m', 'workerscope_tracer', '--no-summary', ...flags, '--hang-timeout', '3', '--report', file, '--', path.join(PROGRAMS, name)], {
      env, cwd: PROGRAMS, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as Json);
    } catch {
      opts.log(`reports: no seed report from ${name} (status ${result.status}): ${(result.stderr ?? '').trim().slice(0, 200)}`);
    }
  }
  return out;
}

// ---- mutations -----------------------------------------------------------------------------------

interface Mutation {
  bytes: Buffer;
  what: string;
  /** The report path (as the checker names it) of a single structural change, '' for the root. */
  at?: string;
}

/**
 * Stands for a deeply nested value until the document is written: JSON.stringify and
 * structuredClone overflow the stack at a few thousand levels, so the nesting is spliced into
 * the text instead.
 */
const DEEP = '\u0000deep:';

/** Values of every JSON type and the awkward ones: huge, deep, non-finite after parsing, odd keys. */
function hostileValue(rng: Rng): Json {
  const depth = 1 + Math.floor(rng() * 100_000);
  return pick<() => Json>(rng, [
    () => 5, () => -1, () => 1.5, () => 0, () => 2 ** 63, () => -(2 ** 53) - 2, () => 1e308,
    () => '', () => 'x', () => 'é😀\u0000\ud800', () => 'y'.repeat(1 + Math.floor(rng() * 2_000_000)),
    () => null, () => true, () => false, () => [], () => ({}), () => [5], () => ['a', 1, null],
    () => ({ a: 1 }), () => JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "c"}') as Json,
    () => `${DEEP}[${depth}`, () => `${DEEP}{${depth}`,
  ])();
}

/** The document's text, with each deep placeholder replaced by its nesting. */
function serialize(doc: Json, indent?: number): string {
  return JSON.stringify(doc, null, indent).replace(/"\\u0000deep:([[{])(\d+)"/g, (_, open: string, n: string) => {
    const depth = Number(n);
    return open === '[' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  });
}

function mutate(seed: Json, rng: Rng): Mutation {
  const doc = structuredClone(seed);
  const paths = allPaths(doc);
  const roll = rng();
  if (roll < 0.45) {
    const [at, parent, key] = pick(rng, paths);
    const value = hostileValue(rng);
    if (parent === undefined) return text(value, 'root replaced', '');
    setAt(parent, key, value);
    return text(doc, `${at || 'root'} = ${preview(value)}`, at);
  }
  if (roll < 0.6) {
    const candidates = paths.filter(([, parent]) => parent !== undefined);
    const [at, parent, key] = pick(rng, candidates);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, Json>)[key];
    // Removing an array element shifts the rest: no single path is to blame.
    return text(doc, `${at} removed`, Array.isArray(parent) ? undefined : at);
  }
  if (roll < 0.7) {
    const objects = paths.filter(([, , , value]) => isObject(value));
    const [at, , , value] = pick(rng, objects);
    setAt(value, pick(rng, ['extra', '__proto__', 'constructor', 'toString', 'x-future']), hostileValue(rng));
    return text(doc, `unknown field added under ${at || 'root'}`, at);
  }
  if (roll < 0.75) {
    const arrays = paths.filter(([, , , value]) => Array.isArray(value) && value.length > 0);
    if (arrays.length > 0) {
      const [at, , , value] = pick(rng, arrays);
      const list = value as Json[];
      const times = 1 + Math.floor(rng() * 2000);
      for (let i = 0; i < times; i++) list.push(structuredClone(list[i % list.length]));
      return text(doc, `${at} repeated ${times} times`);
    }
  }
  return byteMutation(Buffer.from(serialize(doc, rng() < 0.5 ? 2 : undefined)), rng);
}

/** Changes to the text that no JSON value can express: cut, bad bytes, non-JSON numbers. */
function byteMutation(bytes: Buffer, rng: Rng): Mutation {
  const at = Math.floor(rng() * bytes.length);
  const choice = Math.floor(rng() * 5);
  if (choice === 0) return { bytes: bytes.subarray(0, at), what: `truncated at byte ${at}` };
  if (choice === 1) {
    const bad = pick(rng, [[0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]);
    return { bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]), what: `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(' ')} at byte ${at}` };
  }
  if (choice === 2) {
    const source = bytes.toString('latin1');
    const numbers = [...source.matchAll(/-?\d+(\.\d+)?/g)];
    if (numbers.length > 0) {
      const found = pick(rng, numbers);
      const replacement = pick(rng, ['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '-0', '0x10', '01', '1.', '.5', '+1', '1e-999']);
      const index = found.index ?? 0;
      return { bytes: Buffer.from(source.slice(0, index) + replacement + source.slice(index + found[0].length), 'latin1'), what: `number ${found[0]} written as ${replacement}` };
    }
  }
  if (choice === 3) return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]), what: 'byte order mark' };
  return { bytes: Buffer.concat([bytes, Buffer.from(pick(rng, ['\n{}', ',', ' garbage', '\u0000']))]), what: 'trailing text' };
}

function text(doc: Json, what: string, at?: string): Mutation {
  return { bytes: Buffer.from(serialize(doc)), what, at };
}

/** Every [path, parent, key, value] in the document, the root first (no parent). */
function allPaths(doc: Json): Array<[string, Json | undefined, string, Json]> {
  const out: Array<[string, Json | undefined, string, Json]> = [['', undefined, '', doc]];
  const walk = (value: Json, at: string, depth: number): void => {
    if (depth > 12) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        out.push([`${at}[${i}]`, value, String(i), item]);
        walk(item, `${at}[${i}]`, depth + 1);
      });
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        const child = /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}${at ? '.' : ''}${key}` : `${at}[${JSON.stringify(key)}]`;
        out.push([child, value, key, item]);
        walk(item, child, depth + 1);
      }
    }
  };
  walk(doc, '', 0);
  return out;
}

function setAt(parent: Json | undefined, key: string, value: Json): void {
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else if (isObject(parent)) Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(value: Json): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} chars)` : text;
}

// ---- oracles -------------------------------------------------------------------------------------

/** The forms of a clear refusal; a field's is `<file>: <path>: expected …, got …` or `… missing`. */
const CLEAR_ERROR = /is not valid JSON|is not UTF-8 text|is larger than|has version|has no "version"|is not a JSON object|\.json: (\S+): (expected .+, got .+|missing \(expected .+\))$/s;

/** Loads the report as the session does and derives every view of it. */
function checkDirect(file: string, mutation: Mutation): { accepted: boolean; problem?: string } {
  const started = Date.now();
  let accepted = false;
  try {
    const report = loadReport(file);
    accepted = true;
    const model = TraceModel.fromReport(report);
    formatSummary(report);
    for (const thread of model.threads) threadLabel(thread);
    for (const failure of model.failures) {
      describeFailure(failure);
      stopBadge(failure);
      exceptionId(failure);
      tracebackText(failure);
      taskText(failure.task);
      JSON.stringify(failure); // what a failure event sends
    }
  } catch (error) {
    if (!(error instanceof ReportError)) return { accepted, problem: `crashed: ${(error as Error)?.stack ?? String(error)}` };
    const message = error.message;
    if (!CLEAR_ERROR.test(message)) return { accepted, problem: `unclear error: ${message.slice(0, 300)}` };
    const named = /\.json: (\S+): (expected|missing)/.exec(message)?.[1];
    // One change to a valid report: the field blamed is the one changed, or inside it.
    if (named !== undefined && mutation.at && !within(named, mutation.at)) {
      return { accepted, problem: `the error names ${named}, but ${mutation.at} was changed: ${message.slice(0, 300)}` };
    }
  }
  const took = Date.now() - started;
  return { accepted, problem: took > DIRECT_LIMIT_MS ? `loading took ${took} ms` : undefined };
}

/** Whether path `inner` is `outer` or a field or element inside it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}

/** A DAP request's answer, unless the adapter exits or stays silent first (DebugClient waits forever). */
type Step = <T>(request: Promise<T>, what: string) => Promise<T>;

/** Launches the built adapter on the report and follows the session to its end. */
async function checkAdapter(file: string, deadline: number): Promise<string | undefined> {
  const dc = new DebugClient('node', ADAPTER, 'workerscope');
  const events: DebugProtocol.Event[] = [];
  const emit = dc.emit.bind(dc);
  dc.emit = (name: string | symbol, ...args: unknown[]): boolean => {
    const event = args[0] as DebugProtocol.Event | undefined;
    if (typeof name === 'string' && (event as { type?: string } | undefined)?.type === 'event') events.push(event as DebugProtocol.Event);
    return emit(name, ...args);
  };
  await dc.start();
  // DebugClient hides the adapter's process and ignores its exit: watch it here.
  const adapter = (dc as unknown as { _adapterProcess?: ChildProcess })._adapterProcess;
  let stderr = '';
  adapter?.stderr?.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString('utf8')}`.slice(-2000)));
  const exited = new Promise<never>((_, reject) => adapter?.once('exit', (code, signal) => reject(new AdapterGone(`the adapter exited (${signal ?? code}): ${stderr.trim().slice(-600)}`))));
  exited.catch(() => undefined);
  const step: Step = async (request, what) => {
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new AdapterGone(`no answer to ${what} within ${DAP_STEP_MS} ms`)), DAP_STEP_MS)));
    try {
      return await Promise.race([request, exited, silent]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    try {
      await step(Promise.all([dc.configurationSequence(), dc.launch({ report: file } as DebugProtocol.LaunchRequestArguments)]), 'launch');
    } catch (error) {
      if (error instanceof AdapterGone) throw error;
      const message = (error as Error).message;
      if (!/could not open the trace report/.test(message)) return `the adapter's launch failed unclearly: ${message.slice(0, 300)}`;
      await step(dc.threadsRequest(), 'threads after a refused launch');
      return undefined;
    }
    return await followSession(dc, step, events, deadline);
  } catch (error) {
    if (error instanceof AdapterGone) return error.message;
    return `a request failed: ${(error as Error).message.slice(0, 300)}`;
  } finally {
    await Promise.race([dc.stop(), new Promise((resolve) => setTimeout(resolve, DAP_STEP_MS))]);
    adapter?.kill('SIGKILL');
  }
}

class AdapterGone extends Error {}

/**
 * Visits each post-mortem stop (stack, scopes, variables, exception info) and continues, up to 50
 * stops or the run's deadline; then the session is left by disconnecting, which must also work.
 */
async function followSession(dc: DebugClient, step: Step, events: DebugProtocol.Event[], runDeadline: number): Promise<string | undefined> {
  let seen = 0;
  for (let stops = 0; stops < 50 && Date.now() < runDeadline; stops++) {
    const deadline = Date.now() + DAP_STEP_MS;
    let next: DebugProtocol.Event | undefined;
    while (!next) {
      next = events.slice(seen).find((e) => e.event === 'stopped' || e.event === 'terminated');
      if (!next && Date.now() > deadline) return 'no stopped or terminated event after the launch';
      if (!next) await step(new Promise((resolve) => setTimeout(resolve, 10)), 'a wait');
    }
    seen = events.indexOf(next) + 1;
    if (next.event === 'terminated') return undefined;
    const threadId = (next as DebugProtocol.StoppedEvent).body.threadId ?? 0;
    await step(dc.threadsRequest(), 'threads');
    const frames = (await step(dc.stackTraceRequest({ threadId }), 'stackTrace')).body.stackFrames;
    for (const frame of frames.slice(0, 3)) {
      for (const scope of (await step(dc.scopesRequest({ frameId: frame.id }), 'scopes')).body.scopes) {
        await step(dc.variablesRequest({ variablesReference: scope.variablesReference }), 'variables');
      }
      // Post-mortem, a name not among the captured locals is refused: an error answer is fine.
      await step(dc.evaluateRequest({ expression: 'x', frameId: frame.id, context: 'repl' }).catch(() => undefined), 'evaluate');
    }
    await step(dc.exceptionInfoRequest({ threadId }), 'exceptionInfo');
    await step(dc.continueRequest({ threadId }), 'continue');
  }
  await step(dc.threadsRequest(), 'threads');
  return undefined;
}
