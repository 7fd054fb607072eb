/** The "Worker Failures" view's model: sessions, failures and frames, and what each row shows. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FailureTreeModel, type FailureNode } from '../src/debug/failureTree';
import type { FailureEventBody } from '../../protocol/src/customEvents';

const raised: FailureEventBody = {
  id: '4711-1',
  threadId: 2,
  threadName: 'ForkPoolWorker-2 (pid 4711)',
  postMortem: false,
  failure: {
    kind: 'exception', pid: 4711, worker: 'ForkPoolWorker-2',
    task: { function: '__main__.work', args: ['3'], index: 3, submittedAt: { file: '/ws/p.py', line: 16 } },
    exception: { type: 'ValueError', message: 'bad item 3' },
    frames: [{ file: '/ws/p.py', line: 5, function: 'outer' }, { file: '/ws/p.py', line: 9, function: 'work', locals: { x: '3' } }],
  },
};

const killed: FailureEventBody = {
  id: 'failure-2',
  threadId: 3,
  threadName: 'executor ForkProcess-1 (pid 4712)',
  postMortem: false,
  failure: { kind: 'killed', pid: 4712, signal: 'SIGKILL', exitCode: -9, task: { function: 'm.work', args: ['2'], submittedAt: { file: '/ws/k.py', line: 17 } }, frames: [] },
};

test('failures are grouped by session, newest session first; a repeated id updates its entry', () => {
  const model = new FailureTreeModel();
  model.addSession('s1', 'first', new Date(0));
  assert.equal(model.addFailure('s1', 'first', raised), true);
  assert.equal(model.addFailure('s1', 'first', raised), false, 'the same event twice changes nothing');
  assert.equal(model.addFailure('s1', 'first', { ...raised, failure: { ...raised.failure, kind: 'swallowed' } }), true);
  assert.equal(model.present(model.children(model.roots()[0])[0]).label, 'never retrieved: ForkPoolWorker-2 (pid 4711)');
  model.endSession('s1');
  model.addSession('s2', 'second', new Date(1));
  model.addFailure('s2', 'second', killed);
  const roots = model.roots();
  assert.deepEqual(roots.map((r) => r.type === 'session' && r.session.name), ['second', 'first']);
  assert.equal(model.children(roots[1]).length, 1);
  const presented = model.present(roots[1]);
  assert.equal(presented.label, 'first');
  assert.match(presented.description ?? '', /^1 failure · /);
  assert.equal(presented.icon, 'session');
});

test('a failure row names kind, worker and exception, opens the innermost frame, and lists frames innermost first', () => {
  const model = new FailureTreeModel();
  model.addFailure('s', 'run', raised);
  const [failure] = model.children(model.roots()[0]);
  const p = model.present(failure);
  assert.equal(p.label, 'raised: ForkPoolWorker-2 (pid 4711)');
  assert.equal(p.description, 'ValueError: bad item 3');
  assert.deepEqual(p.open, { file: '/ws/p.py', line: 9 });
  assert.match(p.tooltip ?? '', /task __main__\.work\(3\) \[item 3\]\nsubmitted at \/ws\/p\.py:16/);
  const frames = model.children(failure);
  assert.deepEqual(frames.map((f) => model.present(f)).map((x) => [x.label, x.description, x.open?.line]), [['work', 'p.py:9', 9], ['outer', 'p.py:5', 5]]);
});

test('a killed worker without frames offers the submission site; its row names the signal', () => {
  const model = new FailureTreeModel();
  model.addFailure('s', 'run', killed);
  const [failure] = model.children(model.roots()[0]);
  const p = model.present(failure);
  assert.equal(p.label, 'killed: executor ForkProcess-1 (pid 4712)');
  assert.equal(p.description, 'SIGKILL');
  assert.equal(p.icon, 'killed');
  const [site] = model.children(failure);
  assert.deepEqual(model.present(site).open, { file: '/ws/k.py', line: 17 });
  assert.equal(model.present(site).label, 'task submitted here');
});

test('a running session without failures shows a note; finished ones without failures are hidden; clear empties', () => {
  const model = new FailureTreeModel();
  model.addSession('s', 'run');
  const [root] = model.roots();
  assert.deepEqual(model.children(root), [{ type: 'note', text: 'no failures so far' }] satisfies FailureNode[]);
  model.endSession('s');
  assert.equal(model.roots().length, 0);
  model.addFailure('t', 'other', raised);
  model.clear();
  assert.equal(model.roots().length, 0);
});

test('old finished sessions are forgotten beyond the limit, running ones are kept', () => {
  const model = new FailureTreeModel(2);
  model.addSession('running', 'r');
  model.addFailure('a', 'a', raised);
  model.endSession('a');
  model.addFailure('b', 'b', raised);
  model.endSession('b');
  assert.deepEqual(model.roots().map((r) => r.type === 'session' && r.session.id), ['b', 'running']);
});

test('a stall row names the worker and the running time, with its own icon; its frames are the live stack', () => {
  const model = new FailureTreeModel();
  model.addFailure('s', 'run', {
    id: 'failure-3', threadId: 4, threadName: 'ForkPoolWorker-1 (pid 4713)', postMortem: false,
    failure: { kind: 'stall', pid: 4713, worker: 'ForkPoolWorker-1', thread: 'MainThread', task: { function: 'm.spin', args: ['1'], index: 1 }, runningFor: 31.25, frames: [{ file: '/ws/s.py', line: 4, function: 'spin' }] },
  });
  const [failure] = model.children(model.roots()[0]);
  const p = model.present(failure);
  assert.equal(p.label, 'stalled: ForkPoolWorker-1 (pid 4713)');
  assert.equal(p.description, 'running for 31.3 s');
  assert.equal(p.icon, 'stall');
  assert.deepEqual(p.open, { file: '/ws/s.py', line: 4 });
  assert.match(p.tooltip ?? '', /no task finished while this one ran for 31\.3 s/);
  assert.deepEqual(model.children(failure).map((f) => model.present(f).label), ['spin']);
});
