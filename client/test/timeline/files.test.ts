/** Timeline files in the extension's storage: timestamped names, the last 20 kept, exports written 0600. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newTimelinePath, pruneTimelines, readTimelineFile, writeTimelineFile } from '../../src/timeline/files';
import { LiveTimelines, routeBatch } from '../../src/timeline/liveTimelines';
import { Timeline } from '../../src/timeline/model';
import { file, task } from './builders';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ws-timeline-'));
}

test('a new timeline is named by its local start time; a taken name gets a suffix', () => {
  const when = new Date(2026, 11, 8, 1, 15, 2);
  assert.equal(newTimelinePath('/s', when, () => false), path.join('/s', 'timeline-20261208-011502.json'));
  const taken = new Set([path.join('/s', 'timeline-20261208-011502.json'), path.join('/s', 'timeline-20261208-011502-2.json')]);
  assert.equal(newTimelinePath('/s', when, (f) => taken.has(f)), path.join('/s', 'timeline-20261208-011502-3.json'));
});

test('pruning keeps the newest timelines and touches no other file', () => {
  const dir = tempDir();
  try {
    const names = ['timeline-20261201-100000.json', 'timeline-20261207-090000.json', 'timeline-20261207-090000-2.json', 'timeline-20261208-000000.json', 'notes.json'];
    for (const n of names) fs.writeFileSync(path.join(dir, n), '{}');
    assert.deepEqual(pruneTimelines(dir, 2), ['timeline-20261201-100000.json', 'timeline-20261207-090000.json']);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['notes.json', 'timeline-20261207-090000-2.json', 'timeline-20261208-000000.json']);
    assert.deepEqual(pruneTimelines(path.join(dir, 'missing')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an export is written readable by the user only, also over an existing file, and reads back', async () => {
  const dir = tempDir();
  try {
    const target = path.join(dir, 'out.json');
    fs.writeFileSync(target, 'old', { mode: 0o644 });
    const exported = new Timeline(file([task(1, 1, 0, 5)]).traceEvents).toFile({ program: '/ws/a.py' });
    await writeTimelineFile(target, JSON.stringify(exported));
    assert.equal(fs.statSync(target).mode & 0o777, 0o600);
    const back = await readTimelineFile(target);
    assert.ok(back.ok);
    assert.equal(back.file.otherData.program, '/ws/a.py');
    const missing = await readTimelineFile(path.join(dir, 'gone.json'));
    assert.deepEqual(missing, { ok: false, message: `The timeline ${path.join(dir, 'gone.json')} does not exist (any more).` });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('live batches gather per session; the final one gives the file; finished sessions are dropped first', () => {
  const live = new LiveTimelines(2);
  assert.equal(live.append('a', 'A', [task(1, 1, 0, 5)]).isNew, true);
  assert.equal(live.append('a', 'A', [task(1, 1, 10, 5)]).isNew, false);
  assert.equal(live.get('a')?.timeline.taskCount, 2);
  live.end('a', '/s/t.json');
  assert.deepEqual([live.get('a')?.running, live.get('a')?.file], [false, '/s/t.json']);
  live.append('b', 'B', []);
  live.append('c', 'C', []);
  assert.equal(live.get('a'), undefined, 'the finished session went first');
  assert.deepEqual([live.latest()?.id, live.get('b')?.id], ['c', 'b']);
});

test('the open panel follows a running session unless it shows another running one', () => {
  assert.equal(routeBatch({ key: 's1', live: true }, 's1', true), 'append');
  assert.equal(routeBatch({ key: 's1', live: false }, 's1', false), 'append', 'the final batch of the session shown');
  assert.equal(routeBatch(undefined, 's2', true), 'switch', 'an empty panel takes the run');
  assert.equal(routeBatch({ key: '/runs/t.json', live: false }, 's2', true), 'switch', 'a file gives way to a run going on');
  assert.equal(routeBatch({ key: 's1', live: true }, 's2', true), 'none', 'another running session keeps the panel');
  assert.equal(routeBatch({ key: '/runs/t.json', live: false }, 's2', false), 'none', 'a finished session does not take the panel');
});
