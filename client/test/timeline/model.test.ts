/** The lane layout, live merging, the summary's numbers and the export of a timeline. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Timeline } from '../../src/timeline/model';
import { formatDuration, summarize } from '../../src/timeline/summary';
import { parseTimelineText } from '../../src/timeline/parse';
import { failure, lifetime, processName, task, threadName, wait } from './builders';

/** A pool run: main (pid 100, a result-handler thread 105), workers 201 and 202 (killed), 203 replacing it. */
function poolRun(): Timeline {
  return new Timeline([
    processName(202, 'ForkPoolWorker-2'),
    lifetime(202, 202, 50, 400, 'pool-worker', 'SIGKILL'),
    task(202, 202, 60, 100, 'resize'),
    task(202, 202, 170, 280, 'resize', { outcome: 'killed' }),
    failure(202, 202, 450, 'worker-lost', 'ForkPoolWorker-2 killed by SIGKILL'),
    processName(201, 'ForkPoolWorker-1'),
    lifetime(201, 201, 40, 960, 'pool-worker'),
    task(201, 201, 100, 200, 'resize'),
    task(201, 201, 300, 100, 'thumbnail'),
    lifetime(100, 100, 0, 1000, 'main'),
    threadName(100, 100, 'MainThread'),
    threadName(100, 105, 'Thread-3 (_handle_results)'),
    lifetime(100, 105, 30, 900, 'thread'),
    wait(100, 100, 40, 900),
    processName(203, 'ForkPoolWorker-3'),
    lifetime(203, 203, 460, 500, 'pool-worker'),
    task(203, 203, 500, 100, 'thumbnail'),
  ]);
}

test('one group per process, main first then by start; one lane per thread, main thread first', () => {
  const layout = poolRun().layout();
  assert.deepEqual(layout.map((g) => [g.pid, g.name, g.main]), [[100, 'main 100', true], [201, 'ForkPoolWorker-1', false], [202, 'ForkPoolWorker-2', false], [203, 'ForkPoolWorker-3', false]]);
  assert.deepEqual(layout[0].lanes.map((l) => l.name), ['MainThread', 'Thread-3 (_handle_results)']);
  assert.deepEqual(layout[2].lanes[0].tasks.start, [60, 170]);
});

test('without a main role the process with the lowest sort index, else the first to start, leads', () => {
  const byStart = new Timeline([task(7, 7, 50, 1), task(3, 3, 80, 1), task(9, 9, 10, 1)]).layout();
  assert.deepEqual(byStart.map((g) => g.pid), [9, 7, 3]);
  const bySort = new Timeline([task(7, 7, 50, 1), task(3, 3, 80, 1), { ph: 'M', name: 'process_sort_index', pid: 3, args: { sort_index: 0 } }]).layout();
  assert.deepEqual(bySort.map((g) => [g.pid, g.main]), [[3, true], [7, false]]);
});

test('live batches merge into the same lanes; bars arriving out of order are sorted by start', () => {
  const live = new Timeline();
  live.add([task(5, 6, 300, 10, 'b')]);
  assert.equal(live.laneList().length, 1);
  live.add([task(5, 6, 100, 10, 'a'), task(5, 7, 200, 10, 'a'), threadName(5, 7, 'Worker-7')]);
  const lanes = live.laneList();
  assert.deepEqual(lanes.map((l) => [l.key, l.name]), [['5:6', 'thread 6'], ['5:7', 'Worker-7']]);
  assert.deepEqual(lanes[0].tasks.start, [100, 300]);
  assert.deepEqual(lanes[0].tasks.ev.map((ev) => live.functionOf(ev)), [1, 0], 'colours follow the function, first seen first');
  assert.deepEqual(live.functions, ['b', 'a']);
  assert.deepEqual([live.start, live.end, live.taskCount], [100, 310, 3]);
});

test('per-worker busy and idle shares over each worker\'s life; the slowest tasks, longest first', () => {
  const summary = summarize(poolRun(), 3);
  const pct = summary.workers.map((w) => [w.label, w.tasks, Math.round(w.busyPct), Math.round(w.idlePct)]);
  assert.deepEqual(pct, [['ForkPoolWorker-1', 2, 31, 69], ['ForkPoolWorker-2', 2, 95, 5], ['ForkPoolWorker-3', 1, 20, 80]]);
  assert.deepEqual(summary.slowest.map((t) => [t.function, t.dur, t.worker, t.outcome]), [['resize', 280, 'ForkPoolWorker-2', 'killed'], ['resize', 200, 'ForkPoolWorker-1', 'ok'], ['thumbnail', 100, 'ForkPoolWorker-1', 'ok']], 'ties: the first found stays');
  assert.deepEqual([summary.tasks, summary.failures, summary.kills, summary.medianTask], [5, 1, 1, 100]);
});

test('overlapping bars on one lane are counted once in busy time, clipped to the lifetime', () => {
  const t = new Timeline([lifetime(1, 1, 0, 100, 'thread'), task(1, 1, 10, 50), task(1, 1, 20, 20), task(1, 1, 90, 40)]);
  const [w] = summarize(t).workers;
  assert.deepEqual([w.busy, w.span, w.busyPct], [60, 100, 60]);
});

test('the export is valid Trace Event JSON: metadata first, one event per task, time order, read back the same', () => {
  const run = poolRun();
  const exported = run.toFile({ program: '/ws/pool.py', started: '2026-12-08T01:00:00Z' });
  const text = JSON.stringify(exported);
  const events = exported.traceEvents;
  const firstTimed = events.findIndex((e) => e.ph !== 'M');
  assert.ok(events.slice(firstTimed).every((e) => e.ph !== 'M'), 'metadata first');
  const timed = events.slice(firstTimed) as Array<{ ts: number; pid: number; tid: number }>;
  for (let i = 1; i < timed.length; i++) assert.ok(timed[i].ts >= timed[i - 1].ts, 'monotonic');
  assert.equal(events.filter((e) => e.ph === 'X' && e.cat === 'task').length, run.taskCount);
  assert.equal(events.length, run.events.length);
  const back = parseTimelineText(text, 'export.json');
  assert.ok(back.ok && back.skipped === 0);
  assert.equal(back.file.otherData.workerscope, 1);
  assert.deepEqual(new Timeline(back.file.traceEvents).layout().map((g) => g.name), run.layout().map((g) => g.name));
});

test('durations read with a sensible unit', () => {
  assert.deepEqual([formatDuration(85), formatDuration(1500), formatDuration(340_000), formatDuration(1_250_000), formatDuration(42_000_000)], ['85 µs', '1.5 ms', '340 ms', '1.25 s', '42.0 s']);
});
