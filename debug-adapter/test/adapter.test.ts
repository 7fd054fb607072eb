/**
 * End-to-end tests of the BUILT debug adapter (dist/debugAdapter.js, run `node esbuild.mjs` first)
 * driven by `@vscode/debugadapter-testsupport`'s DebugClient over DAP on stdio: live runs of real
 * Python programs under the tracer, and post-mortem sessions on saved reports.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const root = path.resolve(__dirname, '..', '..', '..');
const ADAPTER = path.join(root, 'dist', 'debugAdapter.js');
const PROGRAMS = path.join(root, 'test-fixtures', 'programs');
const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';
const LIVE_TIMEOUT_MS = 60_000;

/** Every event the adapter sent, in order, so a test can wait for one that already arrived. */
class Session {
  readonly events: DebugProtocol.Event[] = [];
  readonly dc = new DebugClient('node', ADAPTER, 'workerscope');

  async start(): Promise<void> {
    assert.ok(fs.existsSync(ADAPTER), `${ADAPTER} is missing: run \`node esbuild.mjs\` first`);
    this.dc.defaultTimeout = LIVE_TIMEOUT_MS;
    const emit = this.dc.emit.bind(this.dc);
    this.dc.emit = (name: string | symbol, ...args: unknown[]): boolean => {
      const event = args[0] as DebugProtocol.Event | undefined;
      if (typeof name === 'string' && event && (event as { type?: string }).type === 'event') this.events.push(event);
      return emit(name, ...args);
    };
    await this.dc.start();
  }

  async stop(): Promise<void> {
    await this.dc.stop();
  }

  /** Polls the recorded events until one matches, or fails after the deadline. */
  async waitFor<T extends DebugProtocol.Event>(name: string, predicate: (e: T) => boolean = () => true, timeoutMs = LIVE_TIMEOUT_MS): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.event === name && predicate(e as T));
      if (found) return found as T;
      // Events arrive in order: after `terminated` nothing else will.
      const over = name !== 'terminated' && name !== 'exited' && this.events.some((e) => e.event === 'terminated');
      if (over || Date.now() > deadline) {
        throw new Error(`no "${name}" event ${over ? 'before the session ended' : `within ${timeoutMs} ms`}; got: ${this.events.map((e) => e.event).join(', ')}\noutput:\n${this.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  output(category?: string): string {
    return this.events
      .filter((e): e is DebugProtocol.OutputEvent => e.event === 'output' && (!category || e.body.category === category))
      .map((e) => e.body.output)
      .join('');
  }

  async launch(args: Record<string, unknown>): Promise<void> {
    await Promise.all([this.dc.configurationSequence(), this.dc.launch(args)]);
  }
}

async function withSession(fn: (s: Session) => Promise<void>): Promise<void> {
  const s = new Session();
  await s.start();
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

function program(name: string): string {
  return path.join(PROGRAMS, name);
}

function tracerWorks(): boolean {
  const result = spawnSync(PYTHON, ['-m', 'workerscope_tracer', '--help'], { env: { ...process.env, PYTHONPATH: path.join(root, 'dist', 'python') }, encoding: 'utf8' });
  return /usage/.test(`${result.stdout}${result.stderr}`);
}

async function topFrame(s: Session, threadId: number): Promise<DebugProtocol.StackFrame[]> {
  const trace = await s.dc.stackTraceRequest({ threadId });
  return trace.body.stackFrames;
}

async function localsOf(s: Session, frameId: number): Promise<Record<string, string>> {
  const scopes = await s.dc.scopesRequest({ frameId });
  const locals = scopes.body.scopes.find((scope) => scope.name === 'Locals');
  assert.ok(locals, `a Locals scope among ${scopes.body.scopes.map((x) => x.name).join(', ')}`);
  const vars = await s.dc.variablesRequest({ variablesReference: locals.variablesReference });
  return Object.fromEntries(vars.body.variables.map((v) => [v.name, v.value]));
}

async function taskOf(s: Session, frameId: number): Promise<Record<string, string>> {
  const scopes = await s.dc.scopesRequest({ frameId });
  const task = scopes.body.scopes.find((scope) => scope.name === 'Task');
  assert.ok(task, 'a Task scope');
  const vars = await s.dc.variablesRequest({ variablesReference: task.variablesReference });
  return Object.fromEntries(vars.body.variables.map((v) => [v.name, v.value]));
}

describe('debug adapter (built dist/debugAdapter.js)', { timeout: 5 * LIVE_TIMEOUT_MS }, () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-adapter-test-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a post-mortem session answers breakpoints unverified, with the reason', () => withSession(async (s) => {
    const saved = path.join(tmp, 'for-breakpoints.json');
    fs.writeFileSync(saved, JSON.stringify({ version: 1, program: program('pool_map_raises.py'), argv: [], exitCode: 0, processes: [], failures: [], races: [], inFlight: [] }));
    await s.dc.initializeRequest();
    const launched = s.dc.launchRequest({ report: saved } as DebugProtocol.LaunchRequestArguments);
    const response = await s.dc.setBreakpointsRequest({ source: { path: program('pool_map_raises.py') }, breakpoints: [{ line: 7 }, { line: 9 }] });
    await s.dc.configurationDoneRequest();
    await launched;
    assert.equal(response.body.breakpoints.length, 2);
    for (const bp of response.body.breakpoints) {
      assert.equal(bp.verified, false);
      assert.match(bp.message ?? '', /saved report cannot stop/);
    }
  }));

  test('a malformed report gives a clear error response', () => withSession(async (s) => {
    const bad = path.join(tmp, 'malformed.json');
    fs.writeFileSync(bad, '{"version": 1, "program": ');
    await assert.rejects(s.launch({ report: bad }), /could not open the trace report: .*malformed\.json is not valid JSON/);
    const wrongVersion = path.join(tmp, 'v2.json');
    fs.writeFileSync(wrongVersion, JSON.stringify({ version: 2, program: 'x.py' }));
    const s2 = new Session();
    await s2.start();
    try {
      await assert.rejects(s2.launch({ report: wrongVersion }), /version 2; this Workerscope reads version 1/);
    } finally {
      await s2.stop();
    }
  }));

  test('a saved report opens post-mortem: stops on each failure with frames and variables, then ends', () => withSession(async (s) => {
    const file = path.join(tmp, 'saved.json');
    const prog = program('pool_map_raises.py');
    fs.writeFileSync(file, JSON.stringify({
      version: 1, program: prog, argv: [], python: '3.11.7', startMethod: 'fork', exitCode: 3,
      processes: [
        { pid: 4700, ppid: 1, role: 'main', name: 'MainProcess', exitCode: 3 },
        { pid: 4711, ppid: 4700, role: 'pool-worker', name: 'ForkPoolWorker-2', exitCode: 0 },
        { pid: 4712, ppid: 4700, role: 'executor-worker', name: 'ForkProcess-1', exitCode: -9 },
      ],
      failures: [
        {
          kind: 'exception', pid: 4711, thread: 'MainThread', worker: 'ForkPoolWorker-2',
          task: { function: '__main__.work', args: ['3'], kwargs: {}, index: 3, submittedAt: { file: prog, line: 16 } },
          exception: { type: 'ValueError', message: 'bad item 3' }, signal: null, exitCode: null,
          frames: [{ file: prog, line: 9, function: 'work', locals: { x: '3', scaled: '30' } }],
        },
        {
          kind: 'killed', pid: 4712, thread: 'MainThread', worker: 'ForkProcess-1',
          task: { function: '__main__.work', args: ['2'], kwargs: {}, index: 2, submittedAt: { file: prog, line: 16 } },
          exception: null, signal: 'SIGKILL', exitCode: -9, frames: [],
        },
      ],
      races: [],
    }));
    await s.launch({ report: file });
    const first = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
    assert.equal(first.body.reason, 'exception');
    assert.match(first.body.text ?? '', /ValueError: bad item 3 in task __main__\.work\(3\) \[item 3\]/);
    assert.equal(first.body.description, 'ValueError', 'the Call Stack badge stays short');
    const threads = (await s.dc.threadsRequest()).body.threads.map((t) => t.name);
    assert.deepEqual(threads, ['main (pid 4700) — exited 3', 'ForkPoolWorker-2 (pid 4711) — exited 0', 'executor ForkProcess-1 (pid 4712) — killed by SIGKILL'], 'each ended process says how it ended');
    const frames = await topFrame(s, first.body.threadId!);
    assert.equal(frames[0].name, 'work');
    assert.equal(frames[0].line, 9);
    assert.equal(frames[0].source?.path, prog);
    assert.equal(frames[1].line, 16, 'the submission site follows the worker frames');
    assert.deepEqual(await localsOf(s, frames[0].id), { x: '3', scaled: '30' });
    const task = await taskOf(s, frames[0].id);
    assert.equal(task.function, '__main__.work');
    assert.equal(task.index, '3');
    assert.equal(task['submitted at'], `${prog}:16`);
    const info = await s.dc.exceptionInfoRequest({ threadId: first.body.threadId! });
    assert.equal(info.body.exceptionId, 'ValueError');
    const evaluated = await s.dc.evaluateRequest({ expression: 'scaled', frameId: frames[0].id, context: 'repl' });
    assert.equal(evaluated.body.result, '30', 'post-mortem evaluate answers captured locals');
    assert.match(s.output('console'), /workerscope: 2 failures, 0 races \(exit code 3\)/);

    await s.dc.continueRequest({ threadId: first.body.threadId! });
    const second = await s.waitFor<DebugProtocol.StoppedEvent>('stopped', (e) => e !== first);
    assert.match(second.body.text ?? '', /killed by SIGKILL while running task __main__\.work\(2\) \[item 2\]/);
    const killedFrames = await topFrame(s, second.body.threadId!);
    assert.equal(killedFrames[0].line, 16, 'a killed worker without frames shows where its task was submitted');
    await s.dc.continueRequest({ threadId: second.body.threadId! });
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 3);
    await s.waitFor('terminated');
  }));

  test('live runs need the tracer', { skip: tracerWorks() ? false : 'python -m workerscope_tracer is not available' }, async (t) => {
    for (const method of ['fork', 'spawn', 'forkserver']) {
      await t.test(`a raising Pool task (${method}) stops on the worker; evaluate runs in its frame; continue ends the run`, () => withSession(async (s) => {
        await s.launch({ program: program('pool_map_raises.py'), args: [method], python: PYTHON, stopOnWorkerFailure: true });
        const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
        assert.equal(stopped.body.reason, 'exception');
        assert.equal(stopped.body.allThreadsStopped, false);
        assert.match(stopped.body.text ?? '', /ValueError: bad record 7 in task __main__\.parse_record\(7\) \[item 7\]/);
        const threadId = stopped.body.threadId!;
        const thread = (await s.dc.threadsRequest()).body.threads.find((x) => x.id === threadId);
        assert.match(thread?.name ?? '', /^(Fork|Spawn|ForkServer)?PoolWorker-\d+ \(pid \d+\)$/);
        const frames = await topFrame(s, threadId);
        assert.equal(frames[0].name, 'parse_record');
        assert.equal(frames[0].line, 10);
        assert.equal(frames[0].source?.path, program('pool_map_raises.py'));
        const locals = await localsOf(s, frames[0].id);
        assert.equal(locals.scaled, '70');
        assert.equal(locals.record, '7');
        const info = await s.dc.exceptionInfoRequest({ threadId });
        assert.equal(info.body.exceptionId, 'ValueError');
        assert.equal(info.body.details?.message, 'bad record 7');
        assert.match(info.body.details?.stackTrace ?? '', /task: __main__\.parse_record\(7\) \[item 7\], submitted at .*pool_map_raises\.py:18/);
        const evaluated = await s.dc.evaluateRequest({ expression: 'scaled + record * 2', frameId: frames[0].id, context: 'repl' });
        assert.equal(evaluated.body.result, '84', 'evaluated in the paused worker');
        const pid = await s.dc.evaluateRequest({ expression: '__import__("os").getpid()', frameId: frames[0].id, context: 'repl' });
        assert.match(thread?.name ?? '', new RegExp(`\\(pid ${pid.body.result}\\)$`), 'in the failing worker, not elsewhere');
        await assert.rejects(s.dc.evaluateRequest({ expression: 'undefined_name', frameId: frames[0].id, context: 'repl' }), /NameError/);
        await s.dc.continueRequest({ threadId });
        const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
        assert.equal(exited.body.exitCode, 0);
        await s.waitFor('terminated');
        assert.match(s.output('stdout'), /map failed: bad record 7/);
        assert.match(s.output('console'), /workerscope: 1 failure, 0 races \(exit code 0\)/);
      }));
    }

    await t.test('a killed executor worker gives a post-mortem stop naming SIGKILL and the task', () => withSession(async (s) => {
      await s.launch({ program: program('executor_worker_sigkill.py'), python: PYTHON });
      const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
      assert.equal(stopped.body.reason, 'exception');
      assert.match(stopped.body.text ?? '', /killed by SIGKILL while running task __main__\.load_shard\(2\) \[item 2\]/);
      const info = await s.dc.exceptionInfoRequest({ threadId: stopped.body.threadId! });
      assert.equal(info.body.exceptionId, 'SIGKILL');
      const frames = await topFrame(s, stopped.body.threadId!);
      assert.ok(frames.length > 0, 'at least the submission site');
      assert.equal(frames[frames.length - 1].source?.path, program('executor_worker_sigkill.py'));
      assert.equal(frames[frames.length - 1].line, 20, 'the submission site');
      await s.dc.continueRequest({ threadId: stopped.body.threadId! });
      const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.match(s.output('stdout'), /broken: BrokenProcessPool/);
    }));

    await t.test('an uncaught thread exception stops on that thread', () => withSession(async (s) => {
      await s.launch({ program: program('thread_exception.py'), python: PYTHON });
      const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
      assert.match(stopped.body.text ?? '', /TypeError: .* in thread sensor-4/);
      const thread = (await s.dc.threadsRequest()).body.threads.find((x) => x.id === stopped.body.threadId);
      assert.match(thread?.name ?? '', /^thread sensor-4 \(pid \d+\)$/);
      const frames = await topFrame(s, stopped.body.threadId!);
      assert.equal(frames[0].name, 'poll_sensor');
      assert.equal(frames[0].line, 7);
      assert.deepEqual(await localsOf(s, frames[0].id), { sensor_id: '4', reading: 'None' });
      const evaluated = await s.dc.evaluateRequest({ expression: 'sensor_id * 10', frameId: frames[0].id, context: 'repl' });
      assert.equal(evaluated.body.result, '40');
      await s.dc.continueRequest({ threadId: stopped.body.threadId! });
      const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.match(s.output('stdout'), /main done/);
    }));

    await t.test('a clean run does not stop and passes its exit code through', () => withSession(async (s) => {
      await s.launch({ program: program('clean_exit.py'), python: PYTHON });
      const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 3);
      await s.waitFor('terminated');
      assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0);
      assert.match(s.output('stdout'), /^\[0, 1, 4, 9, 16\]$/m);
      assert.match(s.output('stderr'), /^done$/m);
      assert.match(s.output('console'), /no worker failures/);
      const started = s.events.filter((e): e is DebugProtocol.ThreadEvent => e.event === 'thread' && e.body.reason === 'started');
      assert.ok(started.length >= 3, 'main and both pool workers were announced as threads');
    }));

    await t.test('with stopOnWorkerFailure false nothing stops; failures and swallowed exceptions become output as found', () => withSession(async (s) => {
      await s.launch({ program: program('swallowed_future.py'), python: PYTHON, stopOnWorkerFailure: false });
      const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0);
      const important = s.output('important');
      assert.match(important, /task raised in ForkProcess-\d \(pid \d+\)/);
      assert.match(important, /exception never retrieved/);
      type Body = { id: string; failure: { kind: string; task?: { args?: string[]; submittedAt?: { line: number } } } };
      const bodies = s.events.filter((e) => e.event === 'workerscope/failure').map((e) => e.body as Body);
      assert.equal(new Set(bodies.map((b) => b.id)).size, 3, 'three task exceptions; the swallowed one is announced again, not as a fourth');
      const swallowed = bodies.find((b) => b.failure.kind === 'swallowed');
      assert.ok(swallowed, 'the never-retrieved future is reported');
      assert.deepEqual(swallowed.failure.task?.args, ["'a.tmp'"]);
      assert.equal(swallowed.failure.task?.submittedAt?.line, 21);
      const summary = s.events.find((e) => e.event === 'workerscope/summary');
      assert.match((summary?.body as { text: string }).text, /3 failures/);
    }));

    await t.test('a saved report written by the tracer opens post-mortem', () => withSession(async (s) => {
      const report = path.join(tmp, 'real.json');
      const run = spawnSync(PYTHON, ['-m', 'workerscope_tracer', '--no-summary', '--report', report, '--', program('pool_map_raises.py')], {
        env: { ...process.env, PYTHONPATH: path.join(root, 'dist', 'python') }, encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      await s.launch({ report });
      const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
      assert.match(stopped.body.text ?? '', /\[item 7\]/);
      const frames = await topFrame(s, stopped.body.threadId!);
      assert.equal(frames[0].name, 'parse_record');
      assert.equal((await localsOf(s, frames[0].id)).scaled, '70');
      await s.dc.continueRequest({ threadId: stopped.body.threadId! });
      await s.waitFor('terminated');
    }));
  });
});
