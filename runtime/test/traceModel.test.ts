/** The trace model built from channel records (live) and from saved reports (post-mortem). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ChannelRecord } from '../src/channelReader';
import { parseReport } from '../src/report';
import { TraceModel, type ModelFailure, type ModelThread } from '../src/traceModel';

const FILE = '/abs/prog.py';

function rec(kind: string, pid: number, fields: Record<string, unknown> = {}): ChannelRecord {
  return { v: 1, kind, pid, t: 0, ...fields };
}

function record(model: TraceModel): { started: ModelThread[]; exited: ModelThread[]; failures: ModelFailure[]; resumed: string[] } {
  const seen = { started: [] as ModelThread[], exited: [] as ModelThread[], failures: [] as ModelFailure[], resumed: [] as string[] };
  model.on('processStarted', (t) => seen.started.push(t));
  model.on('processExited', (t) => seen.exited.push(t));
  model.on('failure', (f) => seen.failures.push(f));
  model.on('resumed', (f, reason) => seen.resumed.push(`${f.id}:${reason}`));
  return seen;
}

const poolStart = [
  rec('start-method', 100, { method: 'fork' }),
  rec('process-start', 101, { ppid: 100, owner: 100, role: 'pool-worker', name: 'ForkPoolWorker-1' }),
  rec('process-start', 102, { ppid: 100, owner: 100, role: 'pool-worker', name: 'ForkPoolWorker-2' }),
];

const taskException = rec('task-exception', 101, {
  id: '101-1', key: '100:pool:0', chunk: 2, pos: 1, thread: 'MainThread', worker: 'ForkPoolWorker-1', role: 'pool-worker',
  task: { function: '__main__.work', args: ['7'], kwargs: {} },
  exception: { type: 'ValueError', message: 'bad item 7' },
  frames: [{ file: FILE, line: 5, function: 'outer', locals: {} }, { file: FILE, line: 9, function: 'work', locals: { x: '7', scaled: '70' }, user: true }],
  paused: true,
});

const submit = rec('submit', 100, {
  key: '100:pool:0', api: 'map', function: '__main__.work', chunksize: 3, indexBase: 0, indexed: true, submittedAt: { file: FILE, line: 16 },
});

test('processes become threads; the main process shows itself through what it does as a parent', () => {
  const model = new TraceModel();
  const seen = record(model);
  for (const r of poolStart) model.apply(r);
  assert.deepEqual(seen.started.map((t) => [t.pid, t.role, t.name]), [[100, 'main', 'MainProcess'], [101, 'pool-worker', 'ForkPoolWorker-1'], [102, 'pool-worker', 'ForkPoolWorker-2']]);
  assert.deepEqual(new Set(model.threads.map((t) => t.id)).size, 3);
  model.apply(rec('process-exit', 101, { exitCode: 0 }));
  model.apply(rec('child-exit', 100, { child: 101, name: 'ForkPoolWorker-1', role: 'pool-worker', exitCode: 0, terminated: false }));
  model.apply(rec('child-exit', 100, { child: 102, name: 'ForkPoolWorker-2', role: 'pool-worker', exitCode: -9, terminated: true }));
  assert.deepEqual(seen.exited.map((t) => t.pid), [101, 102], 'each process exits once');
  assert.equal(model.threads.find((t) => t.pid === 102)?.signal, 'SIGKILL');
});

test('a task failure gets its element index from the submit record, even when that record comes later in the batch', async () => {
  const model = new TraceModel();
  const seen = record(model);
  // The reader hands over the worker's file (101.jsonl) before... the parent's (100.jsonl) here.
  for (const r of [...poolStart.slice(1), taskException, poolStart[0], submit]) model.push(r);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(seen.failures.length, 1);
  const failure = seen.failures[0];
  assert.equal(failure.id, '101-1');
  assert.equal(failure.kind, 'exception');
  assert.equal(failure.paused, true);
  assert.equal(failure.worker, 'ForkPoolWorker-1');
  assert.deepEqual(failure.task, { function: '__main__.work', args: ['7'], kwargs: {}, index: 7, submittedAt: { file: FILE, line: 16 } });
  assert.equal(failure.frames?.[1]?.locals?.scaled, '70');
  assert.equal(model.thread(failure.threadId)?.pid, 101);
});

test('a submit record that arrives in a later batch still completes the task', () => {
  const model = new TraceModel();
  for (const r of poolStart) model.apply(r);
  model.apply(taskException);
  assert.equal(model.failures[0].task?.index, undefined);
  model.apply(submit);
  assert.equal(model.failures[0].task?.index, 7);
});

test('paused and resumed records follow the failure; resumed is announced with its reason', () => {
  const model = new TraceModel();
  const seen = record(model);
  for (const r of [...poolStart, submit, taskException]) model.apply(r);
  model.apply(rec('paused', 101, { id: '101-1' }));
  assert.equal(model.failure('101-1')?.paused, true);
  model.apply(rec('resumed', 101, { id: '101-1', reason: 'timeout' }));
  assert.equal(model.failure('101-1')?.paused, false);
  assert.deepEqual(seen.resumed, ['101-1:timeout']);
});

test('a lost worker is a killed failure on the worker, attributed to its task', () => {
  const model = new TraceModel();
  const seen = record(model);
  model.apply(rec('process-start', 201, { ppid: 200, owner: 200, role: 'executor-worker', name: 'ForkProcess-1' }));
  model.apply(rec('worker-lost', 200, {
    child: 201, worker: 'ForkProcess-1', role: 'executor-worker', exitCode: -9, signal: 'SIGKILL', key: '200:exec:2', chunk: 0, pos: 0,
    task: { function: '__main__.work', args: ['2'], kwargs: {}, index: 2, submittedAt: { file: FILE, line: 17 } }, frames: [],
  }));
  const failure = seen.failures[0];
  assert.equal(failure.kind, 'killed');
  assert.equal(failure.signal, 'SIGKILL');
  assert.equal(failure.pid, 201);
  assert.equal(failure.task?.index, 2);
  assert.equal(model.thread(failure.threadId)?.name, 'ForkProcess-1');
  assert.equal(model.thread(failure.threadId)?.alive, false);
  assert.deepEqual(seen.exited.map((t) => t.pid), [201]);
});

test('a lost executor worker its parent holds on for is paused under the tracer\'s id, and resumed by it', () => {
  const model = new TraceModel();
  const seen = record(model);
  model.apply(rec('worker-lost', 200, {
    id: '200-1', child: 201, worker: 'ForkProcess-1', role: 'executor-worker', exitCode: -9, signal: 'SIGKILL', key: '200:exec:2', chunk: 0, pos: 0,
    task: { function: '__main__.work', args: ['2'], kwargs: {}, index: 2, submittedAt: null }, frames: [], paused: true,
  }));
  const failure = seen.failures[0];
  assert.deepEqual([failure.id, failure.paused, failure.pid], ['200-1', true, 201], 'resumed at the dead child\'s pid: its parent serves it');
  model.apply(rec('paused', 200, { id: '200-1' }));
  model.apply(rec('resumed', 200, { id: '200-1', reason: 'continue' }));
  assert.equal(model.failure('200-1')?.paused, false);
  assert.deepEqual(seen.resumed, ['200-1:continue']);
});

test('a thread exception gets a thread of its own inside its process', () => {
  const model = new TraceModel();
  model.apply(rec('thread-exception', 300, {
    id: '300-1', thread: 'Crasher', worker: 'MainProcess', role: 'main',
    exception: { type: 'RuntimeError', message: 'boom' }, frames: [{ file: FILE, line: 7, function: 'crash', locals: { n: '41' } }], paused: false,
  }));
  const failure = model.failures[0];
  assert.equal(failure.kind, 'thread-exception');
  const thread = model.thread(failure.threadId);
  assert.equal(thread?.role, 'thread');
  assert.equal(thread?.name, 'Crasher');
  assert.equal(thread?.pid, 300);
  assert.ok(model.threads.some((t) => t.pid === 300 && t.role === 'main'), 'its process is listed too');
});

test('race records of the same place merge across processes', () => {
  const model = new TraceModel();
  const races: unknown[] = [];
  model.on('race', (r) => races.push(r));
  model.apply(rec('race', 401, { file: FILE, line: 7, object: 'counter', count: 10 }));
  model.apply(rec('race', 402, { file: FILE, line: 7, object: 'counter', count: 5 }));
  assert.equal(races.length, 1);
  assert.deepEqual(model.races, [{ file: FILE, line: 7, kind: 'unlocked-read-modify-write', object: 'counter', count: 15, pids: [401, 402] }]);
});

test('a saved report builds the same model: processes, failures on their threads, nulls left out', () => {
  const report = parseReport({
    version: 1, program: FILE, argv: [], python: '3.11.7', startMethod: 'fork', exitCode: 4,
    processes: [
      { pid: 500, ppid: 1, role: 'main', name: 'MainProcess', exitCode: 4 },
      { pid: 501, ppid: 500, role: 'executor-worker', name: 'ForkProcess-1', exitCode: -9 },
    ],
    failures: [
      { kind: 'killed', pid: 501, thread: 'MainThread', worker: 'ForkProcess-1', task: { function: 'm.work', args: ['2'], kwargs: {}, index: 2, submittedAt: null }, exception: null, signal: 'SIGKILL', exitCode: -9, frames: [] },
      { kind: 'thread-exception', pid: 500, thread: 'Thread-1', worker: 'MainProcess', task: null, exception: { type: 'KeyError', message: "'k'" }, signal: null, exitCode: null, frames: [] },
    ],
    races: [{ file: FILE, line: 3, kind: 'unlocked-read-modify-write', object: 'n', count: 2, pids: [500] }],
  });
  const model = TraceModel.fromReport(report);
  assert.deepEqual(model.threads.map((t) => [t.pid, t.role, t.name]), [[500, 'main', 'MainProcess'], [501, 'executor-worker', 'ForkProcess-1'], [500, 'thread', 'Thread-1']]);
  const [killed, thread] = model.failures;
  assert.equal(model.thread(killed.threadId)?.pid, 501);
  assert.equal(killed.exception, undefined);
  assert.deepEqual(killed.task, { function: 'm.work', args: ['2'], kwargs: {}, index: 2 });
  assert.equal(model.thread(thread.threadId)?.role, 'thread');
  assert.equal(thread.signal, undefined);
  assert.notEqual(killed.id, thread.id);
  assert.equal(model.races.length, 1);
});

test('a swallowed record folds into the worker failure of the same task, as the report does', () => {
  const model = new TraceModel();
  const seen = record(model);
  for (const r of [...poolStart, submit, taskException]) model.apply(r);
  model.apply(rec('swallowed', 100, { key: '100:pool:0', chunk: 2, api: 'apply_async', task: { function: '__main__.work', args: ['7'] }, exception: { type: 'ValueError', message: 'bad item 7' } }));
  assert.equal(model.failures.length, 1);
  assert.equal(model.failures[0].kind, 'swallowed');
  assert.equal(model.failures[0].worker, 'ForkPoolWorker-1');
  assert.deepEqual(seen.failures.map((f) => f.id), ['101-1', '101-1'], 'announced again with its new kind');
  model.apply(rec('swallowed', 100, { key: 'other', chunk: 0, api: 'submit', task: { function: 'm.f', args: [] }, exception: { type: 'KeyError', message: 'k' } }));
  assert.equal(model.failures.length, 2, 'a swallowed result with no worker failure seen stands alone');
});

test("an unread map's swallowed record folds every failed chunk of the job, as the report does", () => {
  const model = new TraceModel();
  const later = rec('task-exception', 102, { ...taskException, id: '102-1', chunk: 0, pos: 0, worker: 'ForkPoolWorker-2', task: { function: '__main__.work', args: ['-1'], kwargs: {} } });
  const elsewhere = rec('task-exception', 102, { ...taskException, id: '102-2', key: '100:pool:1', chunk: 0, worker: 'ForkPoolWorker-2' });
  for (const r of [...poolStart, submit, taskException, later, elsewhere]) model.apply(r);
  model.apply(rec('swallowed', 100, { key: '100:pool:0', chunk: 2, api: 'map_async', allChunks: true, task: { function: '__main__.work', args: [] }, exception: { type: 'ValueError', message: 'bad item 7' } }));
  assert.deepEqual(model.failures.map((f) => f.kind), ['swallowed', 'swallowed', 'exception'], "another job's failure stays");
});

test('a stall becomes a failure on each stalled worker\'s thread, with its live stack and running time', () => {
  const model = new TraceModel();
  const seen = record(model);
  for (const r of poolStart) model.apply(r);
  model.apply(rec('in-flight', 99, {
    t: 40, reason: 'stall', signal: null, timeout: 30, tasks: [
      { pid: 102, worker: 'ForkPoolWorker-2', role: 'pool-worker', key: '100:pool:0', chunk: 1, pos: 0, startedAt: 5, runningFor: 35, task: { function: '__main__.work', args: ['3'], kwargs: {}, index: 3, submittedAt: { file: FILE, line: 16 } }, frames: [{ file: FILE, line: 9, function: 'work' }] },
      { pid: 'junk' },
    ],
  }));
  assert.equal(seen.failures.length, 1);
  const [stall] = seen.failures;
  assert.equal(stall.kind, 'stall');
  assert.equal(stall.threadId, model.threads.find((t) => t.pid === 102)?.id, 'on the worker that runs the task');
  assert.equal(stall.runningFor, 35);
  assert.deepEqual(stall.frames, [{ file: FILE, line: 9, function: 'work' }], 'live frames: no locals');
  assert.equal(stall.task?.index, 3);
  assert.equal(stall.paused, false, 'not paused by the tracer: the runtime holds the worker');
  assert.equal(stall.afterMainEnded, undefined);
});

test('the end of the main process: tasks in flight kept, later failures marked, processes left behind ended', () => {
  const model = new TraceModel();
  const seen = record(model);
  for (const r of poolStart) model.apply(r);
  model.apply(rec('thread-exception', 101, { t: 4, id: '101-1', thread: 'T', worker: 'ForkPoolWorker-1', exception: { type: 'E', message: 'before' }, frames: [] }));
  model.apply(rec('in-flight', 99, { t: 5, reason: 'ended', signal: 'SIGTERM', timeout: null, tasks: [{ pid: 101, worker: 'ForkPoolWorker-1', runningFor: 2.5, task: null, frames: [{ file: FILE, line: 3, function: 'f' }] }] }));
  model.apply(rec('task-exception', 101, { ...taskException, t: 6, id: '101-2', exception: { type: 'BrokenPipeError', message: 'x' } }));
  model.apply(rec('leftover', 99, { t: 7, child: 102, name: 'ForkPoolWorker-2', role: 'pool-worker', signal: 'SIGTERM', exitCode: -15 }));
  assert.deepEqual(model.inFlight, [{ pid: 101, worker: 'ForkPoolWorker-1', runningFor: 2.5, frames: [{ file: FILE, line: 3, function: 'f' }] }]);
  assert.deepEqual(seen.failures.map((f) => f.afterMainEnded), [undefined, true]);
  const left = model.threads.find((t) => t.pid === 102);
  assert.equal(left?.outlived, true);
  assert.equal(left?.signal, 'SIGTERM');
  assert.equal(left?.alive, false);
  assert.ok(seen.exited.includes(left as ModelThread));
});

test('from a report: how processes ended, tasks in flight, stalls and later failures as written', () => {
  const model = TraceModel.fromReport(parseReport({
    version: 1, program: FILE, argv: [], exitCode: -15,
    processes: [
      { pid: 100, ppid: 1, role: 'main', name: 'MainProcess', exitCode: -15, signal: 'SIGTERM', outlived: false },
      { pid: 101, ppid: 100, role: 'pool-worker', name: 'ForkPoolWorker-1', exitCode: null, signal: 'SIGTERM', outlived: true },
    ],
    failures: [
      { kind: 'stall', pid: 101, thread: 'MainThread', worker: 'ForkPoolWorker-1', task: null, exception: null, signal: null, exitCode: null, frames: [{ file: FILE, line: 9, function: 'work', locals: {} }], runningFor: 31 },
      { kind: 'exception', pid: 101, thread: 'MainThread', worker: 'ForkPoolWorker-1', exception: { type: 'BrokenPipeError', message: '' }, frames: [], afterMainEnded: true },
    ],
    races: [],
    inFlight: [{ pid: 101, worker: 'ForkPoolWorker-1', task: null, runningFor: 3, frames: [] }],
  }));
  const worker = model.threads.find((t) => t.pid === 101);
  assert.deepEqual([worker?.signal, worker?.outlived], ['SIGTERM', true]);
  assert.equal(model.threads.find((t) => t.pid === 100)?.signal, 'SIGTERM');
  assert.deepEqual(model.failures.map((f) => [f.kind, f.runningFor, f.afterMainEnded]), [['stall', 31, undefined], ['exception', undefined, true]]);
  assert.deepEqual(model.inFlight, [{ pid: 101, worker: 'ForkPoolWorker-1', runningFor: 3, frames: [] }]);
});

test('a queue deadlock shows on the child, with the parent\'s join() and the child\'s put as frames', () => {
  const model = new TraceModel();
  const seen = record(model);
  model.apply(rec('process-start', 201, { ppid: 200, owner: 200, role: 'process', name: 'Process-1' }));
  model.apply(rec('hang', 199, {
    owner: 200, child: 201, worker: 'Process-1', key: null, task: null, timeout: 10, lostAt: 0, signal: 'SIGKILL',
    reason: 'join-before-drain', joinedAt: { file: FILE, line: 20, function: '<module>' }, queue: '201:1', items: 1,
    puts: [{ file: FILE, line: 12, function: 'produce', count: 1 }],
  }));
  const [hang] = seen.failures;
  assert.equal(hang.kind, 'hang');
  assert.equal(hang.reason, 'join-before-drain');
  assert.equal(hang.items, 1);
  assert.deepEqual(hang.frames, [
    { file: FILE, line: 20, function: '<module>', locals: {} },
    { file: FILE, line: 12, function: 'produce', locals: {} },
  ]);
  assert.equal(model.thread(hang.threadId)?.role, 'process');
});
