/**
 * Debug Console answers belong to their own expression: after one evaluation in a paused worker
 * times out, its late answer is dropped and every later expression gets its own answer; a
 * worker that was killed says it has nothing left to evaluate in.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PYTHON, program, stackOf, withSession } from './support/dapSession';

test('a late answer to a timed-out evaluation is not taken for the next expression', () => withSession(async (s) => {
  await s.launch({ program: program('thread_exception.py'), python: PYTHON });
  const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
  const [frame] = await stackOf(s, stopped.body.threadId!);
  assert.equal(frame.name, 'poll_sensor');
  const evaluate = async (expression: string): Promise<string> => (await s.dc.evaluateRequest({ expression, frameId: frame.id, context: 'repl' })).body.result;
  // The runtime waits 5 s for an answer; this one comes after 6 s.
  await assert.rejects(evaluate('__import__("time").sleep(6) or "slow answer"'), /did not answer in time/);
  assert.equal(await evaluate('sensor_id * 10'), '40');
  assert.equal(await evaluate('sensor_id + 1'), '5');
  assert.equal(await evaluate('"third"'), "'third'");
  await s.dc.continueRequest({ threadId: stopped.body.threadId! });
  const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
  assert.equal(exited.body.exitCode, 0);
}));

test('evaluating in a killed worker says it has no live frame, not to select one', () => withSession(async (s) => {
  await s.launch({ program: program('executor_worker_sigkill.py'), python: PYTHON });
  const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
  const frames = await stackOf(s, stopped.body.threadId!);
  const submitted = frames.find((frame) => frame.presentationHint === 'label');
  assert.ok(submitted, JSON.stringify(frames.map((f) => f.name)));
  await assert.rejects(s.dc.evaluateRequest({ expression: 'x', frameId: submitted.id, context: 'repl' }), /was killed by SIGKILL while running this task: it has no live frame/);
  await s.dc.continueRequest({ threadId: stopped.body.threadId! });
  await s.waitFor('terminated');
}));
