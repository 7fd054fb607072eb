/**
 * Issue #18 in the BUILT debug adapter (run `node esbuild.mjs` first): a ProcessPoolExecutor
 * worker SIGKILLed while running a task stops the session, and the program is held there (its
 * caller has not yet got BrokenProcessPool) until Continue, under every start method; Stop
 * while held ends it; with worker-failure stops off the program runs through untouched.
 * `node scripts/executor-kill-loop.mjs` repeats the run many times, under load if asked.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PYTHON, program, PROGRAMS, stackOf, withSession, type Session } from './support/dapSession';

const PROGRAM = program('executor_worker_sigkill.py');
/**
 * How long the stopped program must stay running before Continue. Without the hold it ended
 * 0.04-0.9 s after the stop (30 of 30 runs, with and without CPU burners beside it).
 */
const HELD_FOR_MS = 2000;

/** The main process's pid, from its entry in the Threads list. */
async function mainPid(s: Session): Promise<number> {
  const threads = (await s.dc.threadsRequest()).body.threads;
  const main = threads.find((t) => /^main \(pid \d+\)/.test(t.name));
  assert.ok(main, JSON.stringify(threads.map((t) => t.name)));
  return Number(/\(pid (\d+)\)/.exec(main.name)?.[1]);
}

/** Alive and not a zombie (Linux: /proc). */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const linuxOnly = process.platform !== 'linux' && 'reads /proc';

describe('a killed executor worker stops the session and holds the program', { timeout: 300_000 }, () => {
  for (const method of ['fork', 'spawn', 'forkserver']) {
    test(`${method}: stopped at the kill, held until Continue, then the program goes on as it would`, { skip: linuxOnly }, () => withSession(async (s) => {
      await s.launch({ program: PROGRAM, args: [method], cwd: PROGRAMS, python: PYTHON });
      const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
      const threadId = stopped.body.threadId!;
      assert.equal(stopped.body.reason, 'exception');
      assert.equal(stopped.body.description, 'task lost');
      assert.match(stopped.body.text ?? '', /^worker killed by SIGKILL while running task __main__\.load_shard\(2\) \[item 2\]$/);
      // What VS Code asks for when it shows a stop: the session must still be there to answer.
      const thread = (await s.dc.threadsRequest()).body.threads.find((t) => t.id === threadId);
      assert.match(thread?.name ?? '', /^executor \w+-\d+ \(pid \d+\) — killed by SIGKILL$/);
      const frames = await stackOf(s, threadId);
      assert.equal(frames[frames.length - 1].line, 20, 'the submission site');
      const info = await s.dc.exceptionInfoRequest({ threadId });
      assert.equal(info.body.exceptionId, 'SIGKILL');
      await assert.rejects(s.dc.evaluateRequest({ expression: 'shard', frameId: frames[frames.length - 1].id, context: 'repl' }), /no live frame/);
      const pid = await mainPid(s);
      // The caller has not got BrokenProcessPool: nothing printed, and nothing ends the program.
      await assert.rejects(s.waitFor('exited', undefined, HELD_FOR_MS), /no "exited" event within/);
      assert.ok(running(pid), 'the main process is held, not ended');
      assert.doesNotMatch(s.output('stdout'), /broken/);
      await s.dc.continueRequest({ threadId });
      const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.equal(s.output('stdout').trim(), 'broken: BrokenProcessPool', 'the program\'s own output, unchanged');
      assert.match(s.output('console'), /workerscope: 1 failure, 0 races \(exit code 0\)/);
      assert.equal(s.events.filter((e) => e.event === 'stopped').length, 1);
      await s.waitFor('terminated');
    }));
  }

  test('Stop while the program is held ends it', { skip: linuxOnly }, () => withSession(async (s) => {
    await s.launch({ program: PROGRAM, cwd: PROGRAMS, python: PYTHON });
    await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
    const pid = await mainPid(s);
    assert.ok(running(pid));
    await s.dc.terminateRequest({});
    await s.waitFor('terminated');
    await until('the held program to be gone', () => !running(pid));
    assert.doesNotMatch(s.output('stdout'), /broken/);
  }));

  test('with stopOnWorkerFailure false the kill is listed and the program runs through', () => withSession(async (s) => {
    await s.launch({ program: PROGRAM, cwd: PROGRAMS, python: PYTHON, stopOnWorkerFailure: false });
    const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 0);
    assert.equal(s.output('stdout').trim(), 'broken: BrokenProcessPool');
    const failure = s.events.find((e) => e.event === 'workerscope/failure')?.body as { failure: { kind: string; signal?: string } } | undefined;
    assert.deepEqual([failure?.failure.kind, failure?.failure.signal], ['killed', 'SIGKILL']);
    assert.match(s.output('important'), /worker killed in \w+-\d+ \(pid \d+\)\n.*load_shard\(2\)[^]*signal: SIGKILL/);
    assert.equal(s.events.some((e) => e.event === 'stopped'), false, 'no stop was asked for');
  }));
});
