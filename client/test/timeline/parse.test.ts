/** Reading timeline files: Workerscope's own are taken, others refused with a message that says what they are. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkEvent, parseTimelineText } from '../../src/timeline/parse';
import { failure, file, lifetime, processName, task } from './builders';

test('a Workerscope timeline is read with its events and run facts', () => {
  const f = file([processName(10, 'MainProcess'), lifetime(10, 10, 0, 500, 'main'), task(11, 11, 5, 20, 'work', { index: 3, args: '(3,)', def: { file: '/ws/pool.py', line: 4 } }), failure(11, 11, 30, 'worker-lost', 'SIGKILL')]);
  const result = parseTimelineText(JSON.stringify(f), 'run.json');
  assert.ok(result.ok);
  assert.deepEqual(result.file, f);
  assert.equal(result.skipped, 0);
});

test('other files are refused with a message naming the file and what it is', () => {
  const refuse = (text: string): string => {
    const r = parseTimelineText(text, 'x.json');
    assert.equal(r.ok, false);
    return r.ok ? '' : r.message;
  };
  assert.match(refuse('{"traceEvents": ['), /^x\.json is not JSON \(/);
  assert.match(refuse('[{"ph":"B","pid":1,"tid":1,"ts":0}]'), /Chrome trace, but not one Workerscope recorded.*Perfetto/);
  assert.match(refuse('{"traceEvents": [], "otherData": {"version": "chrome"}}'), /not one Workerscope recorded/);
  assert.match(refuse('{"traceEvents": []}'), /not one Workerscope recorded/);
  assert.match(refuse('{"name": "package"}'), /is not a timeline: it has no "traceEvents" list/);
  assert.match(refuse('{"traceEvents": [], "otherData": {"workerscope": 2}}'), /timeline format 2, which this version of Workerscope does not read/);
});

test('broken events are left out one by one and the first ones are named', () => {
  const good = task(1, 1, 0, 5);
  const text = JSON.stringify({ traceEvents: [good, { ph: 'X', cat: 'task', pid: 1, tid: 1, ts: 'soon', dur: 1, name: 'w', args: { function: 'w', outcome: 'ok' } }, 7, { ...good, args: { function: 'w', outcome: 'maybe' } }], otherData: { workerscope: 1 } });
  const r = parseTimelineText(text, 't.json');
  assert.ok(r.ok);
  assert.deepEqual(r.file.traceEvents, [good]);
  assert.equal(r.skipped, 3);
  assert.deepEqual(r.problems, ['event 1: ts is not a number', 'event 2: not an object', 'event 3: task outcome "maybe"']);
  assert.equal(r.file.otherData.program, '', 'missing run facts get defaults');
});

test('a malformed site costs the site, not the task; unknown phases and categories are refused', () => {
  const checked = checkEvent({ ...task(1, 2, 3, 4), args: { function: 'f', outcome: 'raised', def: { file: '/a.py', line: 'x' }, submit: { file: '/b.py', line: 9 }, error: 'ValueError: bad' } });
  assert.ok(typeof checked !== 'string');
  assert.deepEqual(checked.ph === 'X' && checked.cat === 'task' ? checked.args : undefined, { function: 'f', outcome: 'raised', submit: { file: '/b.py', line: 9 }, error: 'ValueError: bad' });
  assert.equal(checkEvent({ ph: 'B', pid: 1, tid: 1, ts: 0, name: 'x', args: {} }), 'unsupported phase "B"');
  assert.equal(checkEvent({ ph: 'X', cat: 'gc', pid: 1, tid: 1, ts: 0, dur: 1, name: 'x', args: {} }), 'bar of category "gc"');
  assert.equal(checkEvent({ ph: 'X', cat: 'task', pid: 1, tid: 1, ts: 0, dur: -1, name: 'x', args: {} }), 'dur is not a duration');
});
