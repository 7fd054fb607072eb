/** The "Worker Failures" view's model: sessions, failures, races and frames, what each row shows, the badge, and what is kept across reloads. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FailureTreeModel, type FailureNode } from '../src/debug/failureTree';
import type { FailureEventBody } from '../../protocol/src/customEvents';
import type { TraceRace } from '../../protocol/src/traceReport';

const raised: FailureEventBody = {
  id: '4711-1',
  threadId: 2,
  threadName: 'ForkPoolWorker-2 (pid 4711)',
  postMortem: false,
  failure: {
    kind: 'exception', pid: 4711, worker: 'ForkPoolWorker-2',
    task: { function: '__main__.work', args: ['3'], index: 3, submittedAt: { file: '/ws/p.py', line: 16 } },
    exception: { type: 'ValueError', message: 'bad item 3' },
    frames: [{ file: '/ws/p.py', line: 5, function: 'outer' }, { file: '/ws/p.py', line: 9, function: 'work', locals: { x: '3', password: "'hunter2'" } }],
  },
};

const killed: FailureEventBody = {
  id: 'failure-2',
  threadId: 3,
  threadName: 'executor ForkProcess-1 (pid 4712)',
  postMortem: false,
  failure: { kind: 'killed', pid: 4712, signal: 'SIGKILL', exitCode: -9, task: { function: 'm.work', args: ['2'], submittedAt: { file: '/ws/k.py', line: 17 } }, frames: [] },
};

const race: TraceRace = { file: '/ws/counter.py', line: 7, kind: 'unlocked-read-modify-write', object: 'counter', count: 3, pids: [10, 11] };

/** A fixed "now" and a start time of the same day, so labels show the time only. */
const NOW = new Date(2026, 11, 7, 18, 30, 0);
const at = (h: number, m: number, s: number): Date => new Date(2026, 11, 7, h, m, s);
const model = (options: ConstructorParameters<typeof FailureTreeModel>[0] = {}): FailureTreeModel => new FailureTreeModel({ now: () => NOW, ...options });
const labels = (m: FailureTreeModel, nodes: FailureNode[]): string[] => nodes.map((n) => m.present(n).label);

test('sessions are labelled by program and start time, newest first; a repeated failure id updates its entry', () => {
  const m = model();
  m.addSession('s1', 'Workerscope: trace current file', at(14, 2, 33), { program: '/ws/crashing_pool.py' });
  assert.equal(m.addFailure('s1', 'first', raised), true);
  assert.equal(m.addFailure('s1', 'first', raised), false, 'the same event twice changes nothing');
  assert.equal(m.addFailure('s1', 'first', { ...raised, failure: { ...raised.failure, kind: 'swallowed' } }), true);
  assert.equal(m.present(m.children(m.roots()[0])[0]).label, 'never retrieved: ValueError');
  m.endSession('s1');
  m.addSession('s2', 'Workerscope: saved.json', at(15, 0, 0), { report: '/tmp/saved.json' });
  m.setProgram('s2', '/ws/kill.py');
  m.addFailure('s2', 'second', killed);
  const roots = m.roots();
  assert.deepEqual(labels(m, roots), ['kill.py · 15:00:00', 'crashing_pool.py · 14:02:33']);
  assert.equal(m.present(roots[0]).description, '1 failure · report · running');
  assert.match(m.present(roots[0]).tooltip ?? '', /report: \/tmp\/saved\.json/);
  assert.equal(m.present(roots[1]).description, '1 failure');
  assert.equal(m.present(roots[1]).icon, 'session');
  const yesterday = model();
  yesterday.addSession('old', 'run', new Date(2026, 11, 6, 9, 5, 0), { program: '/ws/p.py' });
  assert.equal(yesterday.present(yesterday.roots()[0]).label, 'p.py · 2026-12-06 09:05', 'another day: the date too');
});

test('a failure row is short enough for the side bar: the exception type, its message as description, the story in the tooltip', () => {
  const m = model();
  m.addFailure('s', 'run', raised);
  const [failure] = m.children(m.roots()[0]);
  const p = m.present(failure);
  assert.equal(p.label, 'ValueError');
  assert.equal(p.description, 'bad item 3');
  assert.deepEqual(p.open, { file: '/ws/p.py', line: 9 });
  assert.match(p.tooltip ?? '', /^raised in ForkPoolWorker-2 \(pid 4711\)\nValueError: bad item 3\ntask __main__\.work\(3\) \[item 3\]\nsubmitted at \/ws\/p\.py:16/);
  const rows = m.children(failure).map((n) => m.present(n));
  assert.deepEqual(rows.map((x) => [x.label, x.description, x.open?.line]), [
    ['in ForkPoolWorker-2 (pid 4711)', undefined, undefined],
    ['task __main__.work(3) [item 3]', undefined, 16],
    ['work', 'p.py:9', 9],
    ['outer', 'p.py:5', 5],
  ]);
});

test('a long or multi-line message is listed in full under its failure; the row shows its first line', () => {
  const m = model();
  const message = "could not convert string to float: 'n/a' while parsing the price column\nsee the input file";
  m.addFailure('s', 'run', { ...raised, failure: { ...raised.failure, exception: { type: 'ValueError', message } } });
  const [failure] = m.children(m.roots()[0]);
  assert.equal(m.present(failure).description, "could not convert string to float: 'n/a' while parsing the price column …");
  const rows = m.children(failure).map((n) => m.present(n));
  assert.deepEqual(rows.slice(0, 2).map((r) => r.label), ["could not convert string to float: 'n/a' while parsing the price column", 'see the input file']);
  assert.equal(rows[0].tooltip, `ValueError: ${message}`);
});

test('a killed worker: how it ended as the label, the worker as description, its task row opens the submission site', () => {
  const m = model();
  m.addFailure('s', 'run', killed);
  const [failure] = m.children(m.roots()[0]);
  const p = m.present(failure);
  assert.equal(p.label, 'killed by SIGKILL');
  assert.equal(p.description, 'executor ForkProcess-1');
  assert.equal(p.icon, 'killed');
  const rows = m.children(failure).map((n) => m.present(n));
  assert.deepEqual(rows.map((r) => [r.label, r.open?.file, r.open?.line]), [['in executor ForkProcess-1 (pid 4712)', undefined, undefined], ['task m.work(2)', '/ws/k.py', 17]]);
});

test('races found by detectRaces are listed under their session and open their line', () => {
  const m = model();
  m.addSession('s', 'run', at(10, 0, 0), { program: '/ws/counter.py' });
  assert.equal(m.addRace('s', 'run', race), true);
  assert.equal(m.addRace('s', 'run', { ...race, count: 5 }), false, 'the same race again changes nothing');
  m.endSession('s');
  const [root] = m.roots();
  assert.ok(root, 'a finished session with only races is still listed');
  assert.equal(m.present(root).description, '0 failures · 1 race');
  const [row] = m.children(root);
  const p = m.present(row);
  assert.deepEqual([p.label, p.description, p.icon, p.open], ['race: counter', 'counter.py:7', 'race', { file: '/ws/counter.py', line: 7 }]);
  assert.match(p.tooltip ?? '', /^unlocked read-modify-write of counter at \/ws\/counter\.py:7\n/);
});

test('the badge counts the failures of the running sessions, else of the newest one, and goes when cleared', () => {
  const m = model();
  assert.equal(m.badge(), undefined);
  m.addSession('a', 'run', at(10, 0, 0), { program: '/ws/p.py' });
  m.addFailure('a', 'run', raised);
  m.addFailure('a', 'run', killed);
  m.addFailure('a', 'run', raised);
  assert.deepEqual(m.badge(), { value: 2, tooltip: '2 worker failures in p.py · 10:00:00' });
  m.endSession('a');
  assert.equal(m.badge()?.value, 2, 'the last session, once ended');
  m.addSession('b', 'run', at(11, 0, 0), { program: '/ws/clean.py' });
  assert.equal(m.badge(), undefined, 'a new session has no failures yet: no badge from the one before');
  m.endSession('b');
  assert.equal(m.badge(), undefined, 'the last run was clean');
  m.addFailure('c', 'run', raised);
  assert.equal(m.badge()?.value, 1);
  m.clear();
  assert.equal(m.badge(), undefined);
});

test('failures beyond the limit per session are counted once each, not listed', () => {
  const m = model({ maxFailures: 2 });
  for (let i = 0; i < 5; i++) m.addFailure('s', 'run', { ...raised, id: `f${i}` });
  assert.equal(m.addFailure('s', 'run', { ...raised, id: 'f4' }), false, 'a repeated id beyond the limit is not counted again');
  const [root] = m.roots();
  assert.equal(m.present(root).description, '5 failures · running');
  assert.deepEqual(labels(m, m.children(root)), ['ValueError', 'ValueError', '3 more failures (in the Workerscope Trace output)']);
  assert.equal(m.badge()?.value, 5);
});

test('a running session without failures shows a note; finished ones without failures are hidden; clear empties', () => {
  const m = model();
  m.addSession('s', 'run');
  const [root] = m.roots();
  assert.deepEqual(m.children(root), [{ type: 'note', text: 'no failures so far' }] satisfies FailureNode[]);
  m.endSession('s');
  assert.equal(m.roots().length, 0);
  m.addFailure('t', 'other', raised);
  m.clear();
  assert.equal(m.roots().length, 0);
});

test('old finished sessions are forgotten beyond the limit, running ones are kept', () => {
  const m = model({ maxSessions: 2 });
  m.addSession('running', 'r');
  m.addFailure('a', 'a', raised);
  m.endSession('a');
  m.addFailure('b', 'b', raised);
  m.endSession('b');
  assert.deepEqual(m.roots().map((r) => r.type === 'session' && r.session.id), ['b', 'running']);
});

test('a snapshot keeps what the view shows across a reload, without locals, and restores it as ended sessions', () => {
  const m = model();
  m.addSession('s1', 'Workerscope: trace current file', at(14, 2, 33), { program: '/ws/crashing_pool.py' });
  m.addFailure('s1', 'run', raised);
  m.addRace('s1', 'run', race);
  m.addSession('clean', 'run', at(14, 5, 0), { program: '/ws/clean.py' });
  m.endSession('clean');
  const stored = JSON.parse(JSON.stringify(m.snapshot())) as unknown;
  assert.doesNotMatch(JSON.stringify(stored), /hunter2|locals/, 'no locals are stored');

  const reloaded = model();
  reloaded.restore(stored);
  const [root] = reloaded.roots();
  assert.equal(reloaded.roots().length, 1, 'the clean session is not kept');
  assert.equal(reloaded.present(root).label, 'crashing_pool.py · 14:02:33');
  assert.equal(reloaded.present(root).description, '1 failure · 1 race', 'ended: no longer running');
  assert.deepEqual(labels(reloaded, reloaded.children(root)), ['ValueError', 'race: counter']);
  const [failure] = reloaded.children(root);
  assert.deepEqual(labels(reloaded, reloaded.children(failure)), ['in ForkPoolWorker-2 (pid 4711)', 'task __main__.work(3) [item 3]', 'work', 'outer']);
  assert.equal(reloaded.badge()?.value, 1, 'the badge comes back with the failures');
});

test('a malformed snapshot restores what is well formed and nothing else', () => {
  const m = model();
  for (const junk of [undefined, null, 42, 'x', { version: 2, sessions: [] }, { version: 1, sessions: 'no' }]) m.restore(junk);
  assert.equal(m.roots().length, 0);
  m.restore({
    version: 1,
    sessions: [
      { id: 'ok', name: 'run', startedAt: 'not a date', failures: [{ id: 'f', threadName: 't', failure: { kind: 'stall', runningFor: 'long', frames: [{ file: 1 }, { file: '/a.py', line: 2, function: 'f' }], task: { args: [1] } } }], races: [{ file: '/a.py' }] },
      { id: 7, name: 'bad id', failures: [] },
    ],
  });
  const [root] = m.roots();
  assert.equal(m.roots().length, 1);
  const [failure] = m.children(root);
  assert.equal(m.present(failure).label, 'stalled');
  assert.deepEqual(labels(m, m.children(failure)), ['in t', 'f']);
});

test('a session with a timeline stays in the view and across reloads; without one, its tooltip says how to record one', () => {
  const m = model();
  m.addSession('clean', 'Workerscope: trace ok.py', at(15, 0, 0), { program: '/ws/ok.py', timeline: '/store/timeline-1.json' });
  m.addSession('plain', 'Workerscope: trace p.py', at(15, 1, 0), { program: '/ws/p.py' });
  m.endSession('clean');
  m.endSession('plain');
  assert.deepEqual(m.roots().map((n) => (n.type === 'session' ? n.session.id : '')), ['clean'], 'a clean run with a timeline is kept; one without is not');
  assert.equal(m.setTimeline('plain', '/ws/out/t.json'), true);
  assert.equal(m.setTimeline('plain', '/ws/out/t.json'), false, 'the same file again is no change');
  const restored = model();
  restored.restore(JSON.parse(JSON.stringify(m.snapshot())));
  const sessions = restored.roots().flatMap((n) => (n.type === 'session' ? [n.session] : []));
  assert.deepEqual(sessions.map((s) => [s.id, s.timeline]), [['plain', '/ws/out/t.json'], ['clean', '/store/timeline-1.json']]);
  const without = model();
  without.addSession('x', 'Workerscope: trace x.py', at(15, 2, 0), { program: '/ws/x.py' });
  assert.match(without.present(without.roots()[0]).tooltip ?? '', /no timeline recorded \(set "timeline": true in the launch configuration/);
  assert.match(restored.present(restored.roots()[0]).tooltip ?? '', /timeline: \/ws\/out\/t\.json/);
});
