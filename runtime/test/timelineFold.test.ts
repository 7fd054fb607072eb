/** The timeline fold on records as the tracer writes them: bars, names, marks, kills and the export's validity. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FailureEvent, LifetimeEvent, TaskEvent, TimelineEvent, WaitEvent } from '../../protocol/src/timeline';
import { TimelineFold } from '../src/timelineFold';
import { assertValidTimeline } from './support/traceEvents';

const T0 = 1_000_000_000; // the run's start on the monotonic clock (µs)
const EPOCH = 1_700_000_000; // epoch seconds at T0
const ROOT = 100;
const WORKER = 101;
/** A record's epoch time `ms` milliseconds into the run. */
const at = (ms: number): number => EPOCH + ms / 1000;
/** A span's monotonic time `ms` milliseconds into the run. */
const mono = (ms: number): number => T0 + ms * 1000;
const FILE = '/work/prog.py';

function spans(pid: number, seq: number, list: unknown[][], ms = 0): Record<string, unknown> {
  return { v: 1, kind: 'spans', pid, t: at(ms), m: mono(ms), seq, spans: list };
}

function task(tid: number, begin: number, end: number, key: string | null, chunk: number | null, pos: number | null, args: string, error: string | null = null, fn: string | null = null): unknown[] {
  return ['task', tid, mono(begin), mono(end), key, chunk, pos, fn, null, null, args, error ? 'raised' : 'ok', error];
}

function started(): TimelineFold {
  const fold = new TimelineFold(T0);
  fold.setRoot(ROOT);
  fold.add({ v: 1, kind: 'process-start', pid: WORKER, t: at(1), ppid: ROOT, owner: ROOT, role: 'pool-worker', name: 'ForkPoolWorker-1' });
  fold.add({ v: 1, kind: 'submit', pid: ROOT, t: at(2), key: `${ROOT}:pool:0`, api: 'map', function: '__main__.work', chunksize: 2, indexBase: 0, indexed: true, submittedAt: { file: FILE, line: 9 }, def: { file: FILE, line: 3 } });
  return fold;
}

const tasks = (events: TimelineEvent[]): TaskEvent[] => events.filter((e): e is TaskEvent => e.ph === 'X' && e.cat === 'task');

test('a span becomes a bar with its submit record\'s function, sites and element index, on the worker\'s lane', () => {
  const fold = started();
  fold.add(spans(WORKER, 0, [task(WORKER, 3, 5, `${ROOT}:pool:0`, 1, 1, '3')], 5));
  const events = fold.take();
  const [bar] = tasks(events);
  assert.deepEqual(bar, {
    name: 'work', ph: 'X', cat: 'task', pid: WORKER, tid: WORKER, ts: 3000, dur: 2000,
    args: { function: '__main__.work', outcome: 'ok', def: { file: FILE, line: 3 }, submit: { file: FILE, line: 9 }, index: 3, args: '3', pool: `${ROOT}:pool` },
  });
  // The lane's names come before its first bar.
  const named = events.slice(0, events.indexOf(bar));
  assert.ok(named.some((e) => e.ph === 'M' && e.name === 'process_name' && e.pid === WORKER && e.args.name === 'ForkPoolWorker-1'));
  assert.ok(named.some((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === WORKER && e.args.name === 'MainThread'));
  assert.deepEqual(fold.take(), [], 'nothing is handed out twice');
});

test('a span read before its submit record waits for it; a buffer\'s spans that a record holds are not drawn twice', () => {
  const fold = new TimelineFold(T0);
  fold.setRoot(ROOT);
  fold.add(spans(WORKER, 0, [task(WORKER, 3, 4, `${ROOT}:pool:7`, 0, 0, 'a'), task(WORKER, 4, 5, `${ROOT}:pool:7`, 0, 1, 'b')]));
  assert.deepEqual(tasks(fold.take()), []);
  fold.add({ v: 1, kind: 'submit', pid: ROOT, t: at(2), key: `${ROOT}:pool:7`, api: 'imap', function: 'm.f', chunksize: 2, indexBase: 0, indexed: true, submittedAt: null });
  assert.deepEqual(tasks(fold.take()).map((e) => e.args.index), [0, 1]);
  // Killed between writing the record and emptying its buffer: spans 0 and 1 are in both.
  fold.addResidual(WORKER, 0, [task(WORKER, 3, 4, `${ROOT}:pool:7`, 0, 0, 'a'), task(WORKER, 4, 5, `${ROOT}:pool:7`, 0, 1, 'b'), task(WORKER, 5, 6, `${ROOT}:pool:7`, 1, 0, 'c')]);
  assert.deepEqual(tasks(fold.take()).map((e) => e.args.args), ['c']);
});

test('a killed worker: its task is drawn killed from its last finished task to the loss, with a worker-lost mark on its lane', () => {
  const fold = started();
  fold.add(spans(WORKER, 0, [task(WORKER, 3, 5, `${ROOT}:pool:0`, 0, 0, '0')]));
  fold.add({ v: 1, kind: 'worker-lost', pid: ROOT, t: at(40), child: WORKER, worker: 'ForkPoolWorker-1', role: 'pool-worker', exitCode: -9, signal: 'SIGKILL', key: `${ROOT}:pool:0`, chunk: 0, pos: 1, task: { function: '__main__.work', args: ['1'], kwargs: {}, index: 1, submittedAt: { file: FILE, line: 9 } }, frames: [] });
  fold.add({ v: 1, kind: 'child-exit', pid: ROOT, t: at(41), child: WORKER, name: 'ForkPoolWorker-1', role: 'pool-worker', exitCode: -9, terminated: false });
  fold.add({ v: 1, kind: 'hang', pid: 999, t: at(60), key: `${ROOT}:pool:0`, worker: 'ForkPoolWorker-1', child: WORKER, task: { function: '__main__.work' }, timeout: 1, lostAt: at(40) });
  const events = fold.finish(mono(70), 'exit code 124');
  assertValidTimeline(events);
  const killed = tasks(events).filter((e) => e.args.outcome === 'killed');
  assert.equal(killed.length, 1);
  assert.deepEqual({ ts: killed[0].ts, dur: killed[0].dur, pid: killed[0].pid, index: killed[0].args.index, error: killed[0].args.error }, { ts: 5000, dur: 35000, pid: WORKER, index: 1, error: 'killed by SIGKILL' });
  const marks = events.filter((e): e is FailureEvent => e.ph === 'i');
  assert.deepEqual(marks.map((m) => [m.args.kind, m.pid, m.tid, m.ts]), [['worker-lost', WORKER, WORKER, 40000], ['hang', WORKER, WORKER, 60000]]);
  assert.match(marks[0].args.message, /ForkPoolWorker-1 lost \(SIGKILL\) running __main__\.work/);
  const lives = events.filter((e): e is LifetimeEvent => e.ph === 'X' && e.cat === 'lifetime');
  assert.deepEqual(lives.map((l) => [l.name, l.ts, l.dur, l.args.end]), [['MainProcess', 0, 70000, 'exit code 124'], ['ForkPoolWorker-1', 1000, 40000, 'SIGKILL']]);
});

test('failures land on the lane of the thread that raised; a stall draws its running tasks unfinished', () => {
  const fold = started();
  fold.add(spans(ROOT, 0, [['thread', 7, mono(1), null, 'loader'], ['wait', ROOT, mono(2), mono(9), 'Pool.map', [FILE, 12]]]));
  fold.add({ v: 1, kind: 'thread-exception', pid: ROOT, t: at(8), id: '100-1', thread: 'loader', threadName: 'loader', worker: 'MainProcess', role: 'main', exception: { type: 'KeyError', message: "'x'\nmore" }, frames: [{ file: FILE, line: 20, function: 'run' }], paused: false });
  fold.add({ v: 1, kind: 'task-exception', pid: WORKER, t: at(9), id: '101-1', key: `${ROOT}:pool:0`, chunk: 0, pos: 0, thread: 'MainThread', worker: 'ForkPoolWorker-1', role: 'pool-worker', task: { function: '__main__.work' }, exception: { type: 'ValueError', message: 'bad' }, frames: [{ file: FILE, line: 4, function: 'work' }], paused: false });
  fold.add({ v: 1, kind: 'in-flight', pid: 999, t: at(30), reason: 'stall', signal: null, timeout: 5, tasks: [{ pid: WORKER, worker: 'ForkPoolWorker-1', startedAt: at(10), runningFor: 0.02, task: { function: '__main__.work', args: ['5'], index: 5 }, frames: [{ file: FILE, line: 5, function: 'work' }] }] });
  fold.add({ v: 1, kind: 'race', pid: WORKER, t: at(31), file: FILE, line: 30, kind2: null, object: 'counter', count: 40 });
  const events = fold.finish(mono(40));
  assertValidTimeline(events);
  const marks = events.filter((e): e is FailureEvent => e.ph === 'i');
  assert.deepEqual(marks.map((m) => [m.args.kind, m.pid, m.tid, m.args.message, m.args.site?.line]), [
    ['thread-exception', ROOT, 7, "KeyError: 'x'", 20],
    ['task-exception', WORKER, WORKER, 'ValueError: bad', 4],
    ['stall', WORKER, WORKER, 'stall: __main__.work running for 0.0 s', 5],
    ['race', WORKER, WORKER, 'unlocked read-modify-write of counter (40 times)', 30],
  ]);
  const unfinished = tasks(events).filter((e) => e.args.outcome === 'unfinished');
  assert.deepEqual(unfinished.map((e) => [e.ts, e.dur, e.args.index, e.args.args]), [[10000, 20000, 5, '5']]);
  const wait = events.find((e): e is WaitEvent => e.ph === 'X' && e.cat === 'wait');
  assert.deepEqual(wait?.args.site, { file: FILE, line: 12 });
  const loader = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === 7);
  assert.equal(loader?.ph === 'M' && loader.args.name, 'loader');
  const life = events.find((e): e is LifetimeEvent => e.ph === 'X' && e.cat === 'lifetime' && e.tid === 7);
  assert.deepEqual([life?.ts, life?.dur, life?.args.end], [1000, 39000, 'running']);
});

test('the export: one bar per task, every lane named and in time order, with many tasks', () => {
  const fold = started();
  const n = 20_000;
  for (let batch = 0; batch < n / 500; batch++) {
    const list = [];
    for (let i = 0; i < 500; i++) {
      const k = batch * 500 + i;
      const pid = k % 2 === 0 ? WORKER : WORKER + 1;
      list.push(task(pid, 3 + k * 0.01, 3 + k * 0.01 + 0.005, `${ROOT}:pool:0`, Math.floor(k / 2), k % 2, String(k)));
    }
    // Each worker's records carry only its own spans; here one record per batch per worker suffices.
    fold.add(spans(WORKER, batch * 250, list.filter((s) => s[1] === WORKER)));
    fold.add(spans(WORKER + 1, batch * 250, list.filter((s) => s[1] === WORKER + 1)));
  }
  const events = fold.finish(mono(400));
  assertValidTimeline(events);
  const bars = tasks(events);
  assert.equal(bars.length, n);
  assert.deepEqual(new Set(bars.map((b) => b.args.index)).size, n);
  assert.equal(fold.droppedTasks, 0);
});
