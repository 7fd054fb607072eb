/**
 * The debugger beyond breakpoints, through the built adapter: step over, in and out in a pool
 * worker (never into multiprocessing), an uncaught exception in the main process stopping where it
 * was raised, the "raised" filter, pause, and statements in the Debug Console.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { markedLine, nthStop, PYTHON, program, stackOf, withSession, type Session } from './support/dapSession';

const FIXTURE = program('debugger_steps.py');
const marked = (name: string): number => markedLine(FIXTURE, name);
const stopped = nthStop;



/** Starts the fixture with breakpoints at the marked lines and the given exception filters. */
async function start(s: Session, args: string[], breaks: string[], filters?: string[]): Promise<void> {
  await s.dc.initializeRequest({ adapterID: 'workerscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = s.dc.launchRequest({ program: FIXTURE, args, python: PYTHON } as DebugProtocol.LaunchRequestArguments);
  await s.waitFor('initialized');
  if (breaks.length > 0) await s.dc.setBreakpointsRequest({ source: { path: FIXTURE }, breakpoints: breaks.map((name) => ({ line: marked(name) })) });
  if (filters) await s.dc.setExceptionBreakpointsRequest({ filters });
  await s.dc.configurationDoneRequest();
  await launched;
}

async function top(s: Session, stop: DebugProtocol.StoppedEvent): Promise<DebugProtocol.StackFrame> {
  return (await stackOf(s, stop.body.threadId!))[0];
}

describe('stepping, exception stops, pause and the console', { timeout: 300_000 }, () => {
  for (const method of ['fork', 'spawn']) {
    test(`in a ${method} pool worker: step over, in, out, and out of the task into the next one, never into multiprocessing`, () => withSession(async (s) => {
      await start(s, ['pool', method], ['task-first']);
      const first = await stopped(s, 1);
      assert.equal(first.body.reason, 'breakpoint');
      const thread = first.body.threadId!;
      assert.deepEqual([(await top(s, first)).name, (await top(s, first)).line], ['task', marked('task-first')]);
      // The breakpoint would stop every task: clear it, so what follows are steps alone.
      await s.dc.setBreakpointsRequest({ source: { path: FIXTURE }, breakpoints: [] });

      await s.dc.nextRequest({ threadId: thread });
      const over = await stopped(s, 2);
      assert.equal(over.body.reason, 'step');
      assert.equal(over.body.threadId, thread);
      assert.deepEqual([(await top(s, over)).name, (await top(s, over)).line], ['task', marked('task-call')]);

      await s.dc.stepInRequest({ threadId: thread });
      const into = await stopped(s, 3);
      assert.deepEqual([(await top(s, into)).name, (await top(s, into)).line], ['helper', marked('helper-first')]);

      await s.dc.stepOutRequest({ threadId: thread });
      const out = await stopped(s, 4);
      const back = await top(s, out);
      assert.equal(back.name, 'task');
      assert.ok([marked('task-call'), marked('task-after-call')].includes(back.line), `back in task at ${back.line}`);
      if (back.line === marked('task-call')) {
        await s.dc.nextRequest({ threadId: thread });
        await stopped(s, 5);
      }
      let count = s.events.filter((e) => e.event === 'stopped').length;
      // Past the end of the task: the next user line this worker runs is the next task's first.
      for (let guard = 0; guard < 4; guard++) {
        await s.dc.nextRequest({ threadId: thread });
        await stopped(s, ++count);
        const frames = await stackOf(s, thread);
        for (const frame of frames) assert.doesNotMatch(frame.source?.path ?? '', /multiprocessing|workerscope_tracer/, `stopped in ${frame.source?.path}`);
        if (frames[0].line === marked('task-first')) break;
        assert.equal(frames[0].name, 'task', `step ${guard} stayed in user code: ${frames[0].name}:${frames[0].line}`);
      }
      assert.equal((await top(s, await stopped(s, count))).line, marked('task-first'), 'the next task');
      await s.dc.continueRequest({ threadId: thread });
      const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.match(s.output('stdout'), /results \[4, 7, 10\]/);
    }));
  }

  test('an uncaught exception in the main process stops where it was raised, before the program ends', () => withSession(async (s) => {
    await start(s, ['uncaught'], []);
    const stop = await stopped(s, 1);
    assert.equal(stop.body.reason, 'exception');
    const frame = await top(s, stop);
    assert.deepEqual([frame.name, frame.line], ['uncaught', marked('raise')]);
    const info = (await s.dc.exceptionInfoRequest({ threadId: stop.body.threadId! })).body;
    assert.equal(info.exceptionId, 'KeyError');
    assert.equal(info.breakMode, 'unhandled');
    const scopes = (await s.dc.scopesRequest({ frameId: frame.id })).body.scopes;
    const locals = (await s.dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    assert.equal(locals.find((v) => v.name === 'settings')?.value, "{'retries': 3}");
    assert.equal(s.events.some((e) => e.event === 'exited'), false, 'still running while stopped');
    await s.dc.continueRequest({ threadId: stop.body.threadId! });
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 1);
    const stderr = s.output('stderr');
    assert.equal(stderr.split('Traceback (most recent call last)').length - 1, 1, `one traceback:\n${stderr}`);
    assert.match(stderr, /KeyError: 'timeout'/);
  }));

  test('the "raised" filter stops at an exception caught later; off by default', () => withSession(async (s) => {
    await start(s, ['raised'], [], ['uncaught', 'failures', 'raised']);
    const stop = await stopped(s, 1);
    assert.equal(stop.body.reason, 'exception');
    assert.deepEqual([(await top(s, stop)).name, (await top(s, stop)).line], ['raised', marked('caught')]);
    assert.equal((await s.dc.exceptionInfoRequest({ threadId: stop.body.threadId! })).body.exceptionId, 'ValueError');
    await s.dc.nextRequest({ threadId: stop.body.threadId! });
    const handler = await stopped(s, 2);
    assert.equal(handler.body.reason, 'step');
    assert.ok((await top(s, handler)).line > marked('caught'), 'stepped into the except clause');
    await s.dc.continueRequest({ threadId: stop.body.threadId! });
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 0);
    assert.match(s.output('stdout'), /handled/);
  }));

  test('pause stops the running main process at its next line; continue lets it finish', () => withSession(async (s) => {
    const flag = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-pause-')), 'stop');
    await start(s, ['spin', 'fork', flag], []);
    const root = await s.waitFor<DebugProtocol.ThreadEvent>('thread');
    await s.dc.pauseRequest({ threadId: root.body.threadId });
    const stop = await stopped(s, 1);
    assert.equal(stop.body.reason, 'pause');
    assert.equal((await top(s, stop)).name, 'spin');
    fs.writeFileSync(flag, '');
    await s.dc.continueRequest({ threadId: stop.body.threadId! });
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 0);
    assert.match(s.output('stdout'), /spun True/);
  }));

  test('the Debug Console runs statements in the frame; errors read as Python prints them', () => withSession(async (s) => {
    await start(s, ['console'], ['console']);
    const stop = await stopped(s, 1);
    const frame = await top(s, stop);
    const evaluate = (expression: string) => s.dc.evaluateRequest({ expression, frameId: frame.id, context: 'repl' });
    assert.equal((await evaluate('x = 5')).body.result, '');
    assert.equal((await evaluate('x + 1')).body.result, '6');
    await evaluate('import os; print("pid", os.getpid())');
    // As at Python's prompt: what print() prints, once, and no `None` after it.
    assert.equal((await evaluate('print("said once")')).body.result, '');
    await s.waitFor<DebugProtocol.OutputEvent>('output', (e) => e.body.output.includes('said once'), 10_000);
    await assert.rejects(evaluate('nothing_here'), /NameError: name 'nothing_here' is not defined/);
    // A watch expression is an expression only: statements run in the console alone.
    await assert.rejects(s.dc.evaluateRequest({ expression: 'x = 9', frameId: frame.id, context: 'watch' }), /SyntaxError/);

    // Variables expand, asked of the waiting thread, and can be set.
    const scopes = (await s.dc.scopesRequest({ frameId: frame.id })).body.scopes;
    assert.deepEqual(scopes.map((scope) => scope.name), ['Locals', 'Globals']);
    const locals = (await s.dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    const items = locals.find((v) => v.name === 'items');
    assert.ok(items && items.variablesReference > 0, `items expands: ${JSON.stringify(locals)}`);
    const entries = (await s.dc.variablesRequest({ variablesReference: items.variablesReference })).body.variables;
    assert.deepEqual(entries.map((v) => v.name), ["'alpha'", "'beta'"]);
    const alpha = (await s.dc.variablesRequest({ variablesReference: entries[0].variablesReference })).body.variables;
    assert.deepEqual(alpha.map((v) => [v.name, v.value]), [['0', '1'], ['1', '2'], ['2', "{'deep': True}"]]);
    const set = await s.dc.setVariableRequest({ variablesReference: scopes[0].variablesReference, name: 'x', value: 'x + 2' });
    assert.equal(set.body.value, '7');
    const expandable = await s.dc.evaluateRequest({ expression: 'items', frameId: frame.id, context: 'watch' });
    assert.ok(expandable.body.variablesReference > 0, 'an evaluated dict expands');

    await s.dc.continueRequest({ threadId: stop.body.threadId! });
    await s.waitFor('exited');
    assert.match(s.output('stdout'), /x is now 7/);
    assert.match(s.output('stdout'), /pid \d+/);
    assert.equal(s.output('stdout').split('said once').length - 1, 1, 'printed once');
  }));
});
