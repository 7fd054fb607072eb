/**
 * Line breakpoints through the built adapter: placed on lines with code, they stop a pool worker
 * under each start method, a thread and the main process, with conditions, hit counts and
 * logpoints; the stopped thread shows its stack and locals and evaluates in its frame.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { markedLine, nthStop, PYTHON, program, stackOf, withSession, type Session } from './support/dapSession';

const FIXTURE = program('breakpoint_pool.py');
const LINES = fs.readFileSync(FIXTURE, 'utf8').split('\n');
const marked = (name: string): number => markedLine(FIXTURE, name);
const stopped = nthStop;



async function evaluate(s: Session, frameId: number, expression: string): Promise<string> {
  return (await s.dc.evaluateRequest({ expression, frameId, context: 'repl' })).body.result;
}

async function localsOf(s: Session, frameId: number): Promise<Record<string, string>> {
  const scopes = (await s.dc.scopesRequest({ frameId })).body.scopes;
  const locals = scopes.find((scope) => scope.name === 'Locals');
  assert.ok(locals, 'a Locals scope');
  const variables = (await s.dc.variablesRequest({ variablesReference: locals.variablesReference })).body.variables;
  return Object.fromEntries(variables.map((v) => [v.name, v.value]));
}

describe('line breakpoints in every process and thread', { timeout: 300_000 }, () => {
  for (const method of ['fork', 'spawn', 'forkserver']) {
    test(`a conditional breakpoint stops a ${method} pool worker, then a thread, then the main process at its hit count; a logpoint prints`, () => withSession(async (s) => {
      await s.dc.initializeRequest({ adapterID: 'workerscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      const launched = s.dc.launchRequest({ program: FIXTURE, args: [method], python: PYTHON } as DebugProtocol.LaunchRequestArguments);
      await s.waitFor('initialized');
      const placed = await s.dc.setBreakpointsRequest({
        source: { path: FIXTURE },
        breakpoints: [
          { line: marked('square'), condition: 'x == 3' },
          { line: marked('thread'), condition: 'step == 2' },
          { line: marked('main'), hitCondition: '== 2' },
          { line: marked('log'), logMessage: 'total is {total}, {{braces}}' },
        ],
      });
      assert.deepEqual(placed.body.breakpoints.map((bp) => [bp.verified, bp.line]), [
        [true, marked('square')], [true, marked('thread')], [true, marked('main')], [true, marked('log')],
      ]);
      await s.dc.configurationDoneRequest();
      await launched;

      const inWorker = await stopped(s, 1);
      assert.equal(inWorker.body.reason, 'breakpoint');
      assert.deepEqual(inWorker.body.hitBreakpointIds, [placed.body.breakpoints[0].id]);
      const [top] = await stackOf(s, inWorker.body.threadId!);
      assert.deepEqual([top.name, top.line, top.source?.path], ['square', marked('square'), FIXTURE]);
      assert.equal((await localsOf(s, top.id)).x, '3');
      assert.equal(await evaluate(s, top.id, 'x * 10'), '30');
      const threads = (await s.dc.threadsRequest()).body.threads;
      assert.match(threads.find((t) => t.id === inWorker.body.threadId)?.name ?? '', /PoolWorker/);
      await s.dc.continueRequest({ threadId: inWorker.body.threadId! });

      const inThread = await stopped(s, 2);
      const [threadTop] = await stackOf(s, inThread.body.threadId!);
      assert.deepEqual([threadTop.name, (await localsOf(s, threadTop.id)).step], ['count_in_thread', '2']);
      assert.match((await s.dc.threadsRequest()).body.threads.find((t) => t.id === inThread.body.threadId)?.name ?? '', /Counter/);
      await s.dc.continueRequest({ threadId: inThread.body.threadId! });

      const inMain = await stopped(s, 3);
      const [mainTop] = await stackOf(s, inMain.body.threadId!);
      assert.equal(mainTop.name, 'main');
      assert.equal(await evaluate(s, mainTop.id, 'i'), '1', 'the second hit');
      await s.dc.continueRequest({ threadId: inMain.body.threadId! });

      const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.equal(s.events.filter((e) => e.event === 'stopped').length, 3, 'no other stop');
      assert.match(s.output('console'), /total is 3, \{braces\}/);
      assert.match(s.output('stdout'), /squares 14/);
      assert.match(s.output('stdout'), /total 3 3/);
    }));
  }

  test('a breakpoint on a line without code moves to the next line with code; past the last code, or in a file that does not compile, it is unverified', () => withSession(async (s) => {
    await s.dc.initializeRequest({ adapterID: 'workerscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const launched = s.dc.launchRequest({ program: FIXTURE, args: ['fork'], python: PYTHON } as DebugProtocol.LaunchRequestArguments);
    await s.waitFor('initialized');
    const blank = LINES.findIndex((text, i) => i > marked('square') && text.trim() === '') + 1;
    const placed = (await s.dc.setBreakpointsRequest({ source: { path: FIXTURE }, breakpoints: [{ line: blank }, { line: LINES.length + 5 }] })).body.breakpoints;
    assert.equal(placed[0].verified, true);
    assert.ok(placed[0].line! > blank, `moved from ${blank} to ${placed[0].line}`);
    assert.equal(placed[1].verified, false);
    assert.match(placed[1].message ?? '', /No code at or after this line/);
    const broken = `${FIXTURE}.broken.py`;
    fs.writeFileSync(broken, 'def f(:\n    pass\n');
    try {
      const refused = (await s.dc.setBreakpointsRequest({ source: { path: broken }, breakpoints: [{ line: 2 }] })).body.breakpoints;
      assert.equal(refused[0].verified, false);
      assert.match(refused[0].message ?? '', /SyntaxError/);
    } finally {
      fs.rmSync(broken, { force: true });
    }
    await s.dc.setBreakpointsRequest({ source: { path: FIXTURE }, breakpoints: [] });
    await s.dc.configurationDoneRequest();
    await launched;
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 0);
    assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0, 'cleared breakpoints stop nothing');
  }));
});
