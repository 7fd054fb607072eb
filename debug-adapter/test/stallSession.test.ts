/**
 * Stalls and the end of a run in the BUILT debug adapter (run `node esbuild.mjs` first): a stall
 * stops the session on each stalled worker, paused where it runs with its live stack, without
 * ending the program; a saved report shows stalls, tasks in flight and processes left behind.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PYTHON, stackOf, withSession } from './support/dapSession';
import { processState, STALLING_PROGRAM, until } from '../../runtime/test/support/stall';

describe('stalls in a debug session', { timeout: 300_000 }, () => {
  let tmp: string;
  let program: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-stall-session-'));
    program = path.join(tmp, 'stalling.py');
    fs.writeFileSync(program, STALLING_PROGRAM);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a stall stops on the stalled worker with its live stack; Continue lets it run on and the program ends by itself', { skip: process.platform !== 'linux' && 'reads /proc' }, () => withSession(async (s) => {
    const flag = path.join(tmp, 'flag-continue');
    await s.launch({ program, args: [flag], cwd: tmp, python: PYTHON, stallTimeout: 0.5 });
    const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
    assert.equal(stopped.body.reason, 'pause', 'a stall is no exception');
    assert.equal(stopped.body.allThreadsStopped, false);
    assert.equal(stopped.body.description, 'stalled 1 s');
    assert.match(stopped.body.text ?? '', /^stall: no task finished meanwhile; task __main__\.spin\('.*flag-continue'\) has run for 0\.5 s in Spinner-1$/);
    const thread = (await s.dc.threadsRequest()).body.threads.find((t) => t.id === stopped.body.threadId);
    const pid = Number(/\(pid (\d+)\)/.exec(thread?.name ?? '')?.[1]);
    assert.match(thread?.name ?? '', /^process Spinner-1 \(pid \d+\)$/);
    const frames = await stackOf(s, stopped.body.threadId!);
    assert.deepEqual([frames[0].name, frames[0].line, frames[0].source?.path], ['spin', 5, program]);
    const scopes = await s.dc.scopesRequest({ frameId: frames[0].id });
    const locals = scopes.body.scopes.find((x) => x.name === 'Locals');
    assert.equal((await s.dc.variablesRequest({ variablesReference: locals!.variablesReference })).body.variables.length, 0, 'a live stack has no locals');
    await assert.rejects(s.dc.evaluateRequest({ expression: 'flag', frameId: frames[0].id, context: 'repl' }), /without its variables/);
    const failure = s.events.find((e) => e.event === 'workerscope/failure')?.body as { failure: { kind: string; runningFor?: number } };
    assert.deepEqual([failure.failure.kind, failure.failure.runningFor], ['stall', 0.5], 'listed in Worker Failures');
    await until('the worker to be held where it runs', () => processState(pid) === 'T');
    assert.equal(s.events.some((e) => e.event === 'exited'), false, 'the program was not ended');
    fs.writeFileSync(flag, '');
    await s.dc.continueRequest({ threadId: stopped.body.threadId! });
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 0, 'the program\'s own status: the stall did not end it');
    assert.match(s.output('stdout'), /joined 0/);
    await s.waitFor('terminated');
  }));

  test('Stop while a worker is held at a stall ends it with the rest of the program', { skip: process.platform !== 'linux' && 'reads /proc' }, () => withSession(async (s) => {
    await s.launch({ program, args: [path.join(tmp, 'never')], cwd: tmp, python: PYTHON, stallTimeout: 0.5 });
    const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
    const thread = (await s.dc.threadsRequest()).body.threads.find((t) => t.id === stopped.body.threadId);
    const pid = Number(/\(pid (\d+)\)/.exec(thread?.name ?? '')?.[1]);
    await until('the worker to be held', () => processState(pid) === 'T');
    await s.dc.terminateRequest({});
    await s.waitFor('terminated');
    await until('the held worker to be gone', () => processState(pid) === undefined || processState(pid) === 'Z');
  }));

  test('with stopOnWorkerFailure false a stall is listed and the worker runs on', { skip: process.platform !== 'linux' && 'reads /proc' }, () => withSession(async (s) => {
    const flag = path.join(tmp, 'flag-nostop');
    await s.launch({ program, args: [flag], cwd: tmp, python: PYTHON, stallTimeout: 0.5, stopOnWorkerFailure: false });
    const event = await s.waitFor('workerscope/failure');
    const body = event.body as { failure: { kind: string; pid: number } };
    assert.equal(body.failure.kind, 'stall');
    // Stopped by the runtime as the record arrived, and let go at once: never left stopped.
    await until('the worker to run on', () => processState(body.failure.pid) !== 'T');
    assert.match(s.output('important'), /task stalled in Spinner-1/);
    fs.writeFileSync(flag, '');
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 0);
    assert.equal(s.events.some((e) => e.event === 'stopped'), false, 'no stop was asked for');
  }));

  test('stallTimeout must be a positive number of seconds', () => withSession(async (s) => {
    await assert.rejects(s.launch({ program, cwd: tmp, python: PYTHON, stallTimeout: 0 }), /"stallTimeout" must be a positive number of seconds, not 0/);
    await assert.rejects(s.launch({ program, cwd: tmp, python: PYTHON, stallTimeout: 'soon' }), /not "soon"/);
  }, 20_000));

  test('post-mortem: a stall stops with its live stack; how processes ended and the tasks in flight are shown', () => withSession(async (s) => {
    const file = path.join(tmp, 'report.json');
    fs.writeFileSync(file, JSON.stringify({
      version: 1, program, argv: [], python: '3.12.1', startMethod: 'fork', exitCode: -15,
      processes: [
        { pid: 4700, ppid: 1, role: 'main', name: 'MainProcess', exitCode: -15, signal: 'SIGTERM', outlived: false },
        { pid: 4711, ppid: 4700, role: 'pool-worker', name: 'ForkPoolWorker-1', exitCode: null, signal: 'SIGTERM', outlived: true },
      ],
      failures: [{
        kind: 'stall', pid: 4711, thread: 'MainThread', worker: 'ForkPoolWorker-1',
        task: { function: '__main__.spin', args: ['1'], kwargs: {}, index: 1, submittedAt: { file: program, line: 9 } },
        exception: null, signal: null, exitCode: null, frames: [{ file: program, line: 5, function: 'spin', locals: {} }], runningFor: 31.5,
      }],
      races: [],
      inFlight: [{ pid: 4711, worker: 'ForkPoolWorker-1', task: null, runningFor: 40, frames: [{ file: program, line: 5, function: 'spin', locals: {} }] }],
    }));
    await s.launch({ report: file });
    const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
    assert.equal(stopped.body.reason, 'pause');
    assert.equal(stopped.body.description, 'stalled 32 s');
    const threads = (await s.dc.threadsRequest()).body.threads.map((t) => t.name);
    assert.deepEqual(threads, ['main (pid 4700) — killed by SIGTERM', 'ForkPoolWorker-1 (pid 4711) — left running after main ended, then ended by SIGTERM']);
    const frames = await stackOf(s, stopped.body.threadId!);
    assert.deepEqual(frames.map((f) => [f.name, f.line]), [['spin', 5], ['task submitted here: __main__.spin(1) [item 1]', 9]]);
    const info = await s.dc.exceptionInfoRequest({ threadId: stopped.body.threadId! });
    assert.equal(info.body.exceptionId, 'stall');
    assert.match(info.body.details?.stackTrace ?? '', /^Running now \(most recent call last\):/);
    const console = s.output('console');
    assert.match(console, /workerscope: main process killed by SIGTERM; 1 task was in flight/);
    assert.match(console, /left running after the main process ended: ForkPoolWorker-1 \(pid 4711\), ended by SIGTERM/);
    await s.dc.continueRequest({ threadId: stopped.body.threadId! });
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, -15);
  }, 20_000));
});
