/**
 * The report built in Node must be the report the Python supervisor writes: each fixture program
 * runs under `python -m workerscope_tracer` with a kept channel, and the trace fold, given the
 * same records and run facts, must produce the supervisor's report file byte for byte. Synthetic
 * records pin the joins and the JSON text where the fixtures do not reach. Every report also
 * meets the published schema, docs/trace-report.schema.json.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEvents } from '../src/channelEvents';
import { TraceFold, reportText, signalName, type Obj, type ReportContext } from '../src/traceFold';
import { dumpsPretty, pythonNumber } from '../src/wire';
import { schemaErrors } from './support/jsonSchema';

/** The report of a run whose records are these. */
function buildReport(events: readonly Obj[], context: ReportContext): Obj {
  return new TraceFold(events).report(context);
}

/** The main process's own announcement among these records. */
function rootAnnouncement(events: readonly Obj[], rootPid: number): { python?: string; cacheTag?: string } {
  return new TraceFold(events).rootAnnouncement(rootPid);
}

const root = path.resolve(__dirname, '..', '..', '..');
const pythonDir = path.join(root, 'debug-adapter', 'python');
const programs = path.join(root, 'test-fixtures', 'programs');
const python = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';
const REPORT_SCHEMA = JSON.parse(fs.readFileSync(path.join(root, 'docs', 'trace-report.schema.json'), 'utf8')) as Record<string, unknown>;

interface Case {
  program: string;
  options?: string[];
  args?: string[];
}

/** Every kind of record the report joins: failures of each kind, swallowed results, races, hangs. */
const CASES: Case[] = [
  { program: 'clean_exit.py' },
  { program: 'pool_map_raises.py', args: ['fork'] },
  { program: 'pool_map_raises.py', args: ['spawn'] },
  { program: 'pool_imap_raises.py' },
  { program: 'pool_starmap_raises.py' },
  { program: 'pool_apply_async_raises.py' },
  { program: 'executor_map_raises.py' },
  { program: 'executor_submit_raises.py' },
  { program: 'executor_worker_sigkill.py' },
  { program: 'executor_in_process.py' },
  { program: 'pool_worker_segfault.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_worker_sigkill.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_worker_os_exit.py', options: ['--hang-timeout', '0.5'] },
  { program: 'process_target_raises.py' },
  { program: 'process_subclass_raises.py' },
  { program: 'pool_unpicklable_results.py' },
  { program: 'pool_initializer_raises.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_task_unreadable.py', options: ['--hang-timeout', '0.5'], args: ['spawn'] },
  { program: 'pool_result_unreadable.py', options: ['--hang-timeout', '0.5'] },
  { program: 'executor_initializer_raises.py' },
  { program: 'process_target_os_exit.py' },
  { program: 'swallowed_apply_async.py' },
  { program: 'swallowed_future.py' },
  { program: 'swallowed_thread_pools.py' },
  { program: 'swallowed_map_chunks.py' },
  { program: 'swallowed_in_pool_worker.py' },
  { program: 'executor_task_unreadable.py', args: ['spawn'] },
  { program: 'pool_callback_raises.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_closed_misuse.py' },
  { program: 'swallowed_imap_unread.py' },
  { program: 'pool_task_starts_process.py' },
  { program: 'thread_exception.py' },
  { program: 'thread_in_pool_worker.py' },
  { program: 'unlocked_counter.py', options: ['--detect-races'] },
  { program: 'unlocked_counter_pool.py', options: ['--detect-races'] },
  // Workers that announce themselves, and a forkserver between parent and worker.
  { program: 'pool_worker_sigkill.py', options: ['--hang-timeout', '0.5'], args: ['forkserver'] },
  { program: 'executor_worker_sigkill.py', args: ['spawn'] },
  { program: 'swallowed_apply_async.py', args: ['forkserver'] },
  { program: 'wrapper_map_input_raises.py' },
  { program: 'attribution_details.py' },
  { program: 'pool_manager_killed.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_result_unreadable.py', options: ['--hang-timeout', '0.5'], args: ['spawn'] },
  // The end of a run (fixtures of the tracer's stall watch): a stall, held or ending the run, and
  // processes left behind. Run once those fixtures are in the tree.
  { program: 'pool_task_stuck.py', options: ['--stall-timeout', '1.5'], args: ['fork', '120'] },
  { program: 'pool_task_stuck.py', options: ['--stall-timeout', '1.5', '--stall-keep-running'], args: ['fork', '3'] },
  { program: 'process_left_behind.py', args: ['fork'] },
  { program: 'process_left_behind.py', args: ['spawn'] },
  // The queue deadlock (a join-before-drain hang with both places), and a join with a timeout
  // whose child's flush waits and then finishes.
  { program: 'queue_join_before_drain.py', options: ['--hang-timeout', '0.5'] },
  { program: 'queue_joinable_join_before_drain.py', options: ['--hang-timeout', '0.5'], args: ['spawn'] },
  { program: 'queue_join_timeout_then_drain.py', options: ['--hang-timeout', '0.5'] },
];

function supervised(c: Case, channel: string, reportFile: string): Promise<void> {
  const argv = ['-m', 'workerscope_tracer', '--channel', channel, '--report', reportFile, '--no-summary', ...(c.options ?? []), '--', path.join(programs, c.program), ...(c.args ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn(python, argv, { cwd: programs, env: { ...process.env, PYTHONPATH: pythonDir }, stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', () => resolve());
  });
}

/** The run's facts as the supervisor knew them, read back from its report. */
function contextOf(report: { program: string; argv: string[]; python: string; exitCode: number | null; processes: { pid: number; ppid: number; exitCode: number | null }[] }): ReportContext {
  const main = report.processes[0];
  return { program: report.program, argv: report.argv, python: report.python, exitCode: report.exitCode, rootPid: main.pid, rootPpid: main.ppid, rootExit: main.exitCode };
}

describe('the report built in Node is the supervisor report', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-report-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const [i, c] of CASES.entries()) {
    const missing = !fs.existsSync(path.join(programs, c.program)) && `${c.program} is not in this tree yet`;
    test(`${c.program} ${[...(c.options ?? []), ...(c.args ?? [])].join(' ')}`.trim(), { skip: missing }, async () => {
      const channel = path.join(tmp, `channel-${i}`);
      fs.mkdirSync(channel, { mode: 0o700 });
      const reportFile = path.join(tmp, `report-${i}.json`);
      await supervised(c, channel, reportFile);
      const expected = fs.readFileSync(reportFile, 'utf8');
      const events = loadEvents(channel);
      assert.ok(events.length > 0 || c.program === 'clean_exit.py', 'the program recorded something');
      const built = reportText(buildReport(events, contextOf(JSON.parse(expected))));
      assert.equal(built, expected);
      // The contract both sides keep: the published schema.
      assert.deepEqual(schemaErrors(JSON.parse(expected), REPORT_SCHEMA), []);
    });
  }
});

describe('report building', () => {
  const context: ReportContext = { program: '/w/p.py', argv: ['a'], python: '3.12.1', exitCode: 1, rootPid: 10, rootPpid: 9, rootExit: 1 };

  test('joins a failure with its submission and folds the swallowed result into it', () => {
    const events = [
      { v: 1, kind: 'submit', pid: 10, t: 1, key: 'k', api: 'map', function: 'm.f', chunksize: 4, indexBase: 100, indexed: true, submittedAt: { file: '/w/p.py', line: 3 } },
      { v: 1, kind: 'task-exception', pid: 11, t: 2, key: 'k', chunk: 2, pos: 1, thread: 'MainThread', worker: 'W-1', task: { function: 'm.f', args: ['5'], kwargs: {} }, exception: { type: 'E', message: 'm' }, frames: [{ file: '/w/p.py', line: 7, function: 'f', locals: { x: '5' }, user: true }] },
      { v: 1, kind: 'swallowed', pid: 10, t: 3, key: 'k', chunk: 2, api: 'map', task: null, exception: { type: 'E', message: 'm' } },
      { v: 1, kind: 'swallowed', pid: 10, t: 2.5, key: 'other', chunk: 0, api: 'apply_async', task: { function: 'm.g', args: [], kwargs: { y: '1' } }, exception: { type: 'F', message: 'n' } },
    ];
    const report = buildReport(events, context) as { failures: Record<string, unknown>[] };
    assert.deepEqual(report.failures.map((f) => f.kind), ['swallowed', 'swallowed']);
    assert.deepEqual(report.failures[0].task, { function: 'm.f', args: ['5'], kwargs: {}, index: 109, submittedAt: { file: '/w/p.py', line: 3 } });
    assert.deepEqual(report.failures[0].frames, [{ file: '/w/p.py', line: 7, function: 'f', locals: { x: '5' } }]);
    assert.deepEqual(Object.keys(report.failures[0]), ['kind', 'pid', 'thread', 'worker', 'task', 'exception', 'signal', 'exitCode', 'frames']);
    assert.deepEqual(report.failures[1].task, { function: 'm.g', args: [], kwargs: { y: '1' }, index: null, submittedAt: null });
  });

  test('a lost worker names its cause after the common fields, and its task from the submit', () => {
    const events = [
      { v: 1, kind: 'submit', pid: 9, t: 0.5, key: 'dask:f-1', api: 'submit', function: 'm.f', chunksize: 1, indexBase: 0, indexed: false, submittedAt: { file: '/w/a.py', line: 4 } },
      { v: 1, kind: 'worker-lost', pid: 9, t: 1, child: 12, worker: 'Dask Worker', role: 'process', exitCode: -15, signal: 'SIGTERM', key: 'dask:f-1', chunk: null, pos: null, task: null, frames: [], cause: "the nanny's memory limit" },
      { v: 1, kind: 'worker-lost', pid: 9, t: 2, child: 13, worker: 'W', role: 'pool-worker', exitCode: 3, signal: null, key: null, chunk: 0, pos: 0, task: null, frames: [] },
    ];
    const report = buildReport(events, context) as { failures: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(report.failures[0]), ['kind', 'pid', 'thread', 'worker', 'task', 'exception', 'signal', 'exitCode', 'frames', 'cause']);
    assert.equal(report.failures[0].cause, "the nanny's memory limit");
    assert.deepEqual(report.failures[0].task, { function: 'm.f', args: [], kwargs: {}, index: null, submittedAt: { file: '/w/a.py', line: 4 } });
    assert.ok(!('cause' in report.failures[1]));
  });

  test('processes: the main one first, children as announced, lost and exited', () => {
    const events = [
      { v: 1, kind: 'process-start', pid: 12, t: 1, ppid: 10, owner: 10, role: 'pool-worker', name: 'W-2' },
      { v: 1, kind: 'process-start', pid: 10, t: 1.5, ppid: 9, owner: null, role: 'main', name: 'MainProcess', python: '3.12.1', cacheTag: 'cpython-312' },
      { v: 1, kind: 'worker-lost', pid: 10, t: 2, child: 13, worker: 'W-3', role: 'pool-worker', exitCode: -9, signal: 'SIGKILL', key: null, chunk: 0, pos: 0, task: null, frames: [] },
      { v: 1, kind: 'child-exit', pid: 10, t: 3, child: 12, name: 'W-2', role: 'pool-worker', exitCode: 0, terminated: true },
      { v: 1, kind: 'start-method', pid: 12, t: 1, method: 'spawn' },
    ];
    const report = buildReport(events, context) as { processes: unknown[]; failures: Record<string, unknown>[]; startMethod: unknown };
    assert.deepEqual(report.processes, [
      { pid: 10, ppid: 9, role: 'main', name: 'MainProcess', exitCode: 1, signal: null, outlived: false },
      { pid: 12, ppid: 10, role: 'pool-worker', name: 'W-2', exitCode: 0, signal: null, outlived: false },
      { pid: 13, ppid: 10, role: 'pool-worker', name: 'W-3', exitCode: -9, signal: 'SIGKILL', outlived: false },
    ]);
    assert.equal(report.failures[0].kind, 'killed');
    assert.equal(report.failures[0].task, null);
    assert.equal(report.startMethod, 'spawn', 'the first child start method when the main process reported none');
    assert.deepEqual(rootAnnouncement(events, 10), { python: '3.12.1', cacheTag: 'cpython-312' });
    assert.deepEqual(rootAnnouncement(events, 12), {});
  });

  test('a stall: one failure per running task, after the common fields, live frames without locals', () => {
    const frame = { file: '/w/p.py', line: 8, function: 'spin' };
    const stalled = (pid: number, runningFor: number) => ({
      pid, worker: `W-${pid}`, role: 'pool-worker', key: 'k', chunk: 0, pos: 1, startedAt: 100, runningFor,
      task: { function: 'm.spin', args: ['1'], kwargs: {}, index: 1, submittedAt: { file: '/w/p.py', line: 20 } }, frames: [frame],
    });
    const events = [
      { v: 1, kind: 'task-exception', pid: 11, t: 2, key: 'k', chunk: 0, pos: 0, thread: 'MainThread', worker: 'W-11', task: { function: 'm.spin', args: ['0'], kwargs: {} }, exception: { type: 'E', message: 'm' }, frames: [] },
      { v: 1, kind: 'in-flight', pid: 99, t: 130.5, reason: 'stall', signal: null, timeout: 30, tasks: [stalled(12, 30.5), stalled(13, 2.25)] },
    ];
    const report = buildReport(events, { ...context, exitCode: 124 }) as { failures: Record<string, unknown>[]; inFlight: unknown[] };
    assert.deepEqual(report.failures.map((f) => [f.kind, f.pid]), [['exception', 11], ['stall', 12], ['stall', 13]]);
    assert.deepEqual(report.failures[1], {
      kind: 'stall', pid: 12, thread: 'MainThread', worker: 'W-12', task: stalled(12, 0).task, exception: null, signal: null, exitCode: null,
      frames: [{ ...frame, locals: {} }], runningFor: 30.5,
    });
    assert.deepEqual(Object.keys(report.failures[1]), ['kind', 'pid', 'thread', 'worker', 'task', 'exception', 'signal', 'exitCode', 'frames', 'runningFor']);
    assert.deepEqual(report.inFlight, [], 'a stall is no end of the main process');
    assert.match(reportText(report), /"frames": \[\n {8}\{\n {10}"file": "\/w\/p\.py",\n {10}"line": 8,\n {10}"function": "spin",\n {10}"locals": \{\}\n {8}\}\n {6}\],\n {6}"runningFor": 30\.5\n/);
  });

  test('the main process killed: tasks in flight, later failures marked, processes left behind', () => {
    const events = [
      { v: 1, kind: 'process-start', pid: 12, t: 1, ppid: 10, owner: 10, role: 'pool-worker', name: 'W-12' },
      { v: 1, kind: 'process-start', pid: 14, t: 1, ppid: 10, owner: 10, role: 'process', name: 'SyncManager-1' },
      { v: 1, kind: 'thread-exception', pid: 12, t: 4, thread: 'T', worker: 'W-12', exception: { type: 'E', message: 'before' }, frames: [] },
      { v: 1, kind: 'in-flight', pid: 99, t: 5, reason: 'ended', signal: 'SIGTERM', timeout: null, tasks: [
        { pid: 12, worker: 'W-12', role: 'pool-worker', key: 'k', chunk: 0, pos: 0, startedAt: 2, runningFor: 3, task: null, frames: [{ file: '/w/p.py', line: 3, function: 'f' }] },
      ] },
      { v: 1, kind: 'task-exception', pid: 12, t: 5.5, key: 'k', chunk: 0, pos: 0, thread: 'MainThread', worker: 'W-12', task: { function: 'm.f', args: [], kwargs: {} }, exception: { type: 'BrokenPipeError', message: 'x' }, frames: [] },
      { v: 1, kind: 'leftover', pid: 99, t: 6, child: 14, name: 'SyncManager-1', role: 'process', signal: 'SIGTERM', exitCode: null },
      { v: 1, kind: 'leftover', pid: 99, t: 6, child: 15, name: null, role: null, signal: null, exitCode: -9 },
      // Ended by SIGTERM, which it handled: it exited 0 (the signal comes from the exit code only).
      { v: 1, kind: 'leftover', pid: 99, t: 6, child: 16, name: 'P', role: 'process', signal: 'SIGTERM', exitCode: 0 },
    ];
    const killed: ReportContext = { ...context, exitCode: -15, rootExit: -15 };
    const report = buildReport(events, killed) as { processes: Record<string, unknown>[]; failures: Record<string, unknown>[]; inFlight: unknown[] };
    assert.deepEqual(Object.keys(report), ['version', 'program', 'argv', 'python', 'startMethod', 'runtime', 'exitCode', 'processes', 'failures', 'races', 'inFlight']);
    assert.deepEqual(report.processes, [
      { pid: 10, ppid: 9, role: 'main', name: 'MainProcess', exitCode: -15, signal: 'SIGTERM', outlived: false },
      { pid: 12, ppid: 10, role: 'pool-worker', name: 'W-12', exitCode: null, signal: null, outlived: false },
      { pid: 14, ppid: 10, role: 'process', name: 'SyncManager-1', exitCode: null, signal: null, outlived: true },
      { pid: 15, ppid: null, role: null, name: null, exitCode: -9, signal: 'SIGKILL', outlived: true },
      { pid: 16, ppid: null, role: 'process', name: 'P', exitCode: 0, signal: null, outlived: true },
    ]);
    assert.deepEqual(report.inFlight, [{ pid: 12, worker: 'W-12', task: null, runningFor: 3, frames: [{ file: '/w/p.py', line: 3, function: 'f' }] }], 'live frames: no locals');
    assert.deepEqual(report.failures.map((f) => f.afterMainEnded), [undefined, true]);
    assert.equal(Object.keys(report.failures[1]).at(-1), 'afterMainEnded');
    assert.doesNotMatch(reportText(report).split('"inFlight"')[0].split('"failures"')[1].split('BrokenPipe')[0], /afterMainEnded/, 'absent, not false, before the end');
  });

  test('the last "ended" record is the one reported (a Stop snapshot, then the death it caused)', () => {
    const ended = (t: number, signal: string | null, pid: number) => ({ v: 1, kind: 'in-flight', pid: 99, t, reason: 'ended', signal, timeout: null, tasks: [{ pid, worker: null, role: null, key: null, chunk: null, pos: null, startedAt: 0, runningFor: t, task: null, frames: [] }] });
    const report = buildReport([ended(1, null, 12), ended(2, 'SIGTERM', 13)], context) as { inFlight: Record<string, unknown>[] };
    assert.deepEqual(report.inFlight.map((t) => t.pid), [13]);
    // A Stop's snapshot names no signal: what follows it is not marked as after the main process's death.
    const lost = { v: 1, kind: 'worker-lost', pid: 10, t: 3, child: 12, worker: 'W', role: 'pool-worker', exitCode: -15, signal: 'SIGTERM', key: null, chunk: 0, pos: 0, task: null, frames: [] };
    const stopped = buildReport([ended(1, null, 12), lost], context) as { failures: Record<string, unknown>[] };
    assert.equal(stopped.failures[0].afterMainEnded, undefined);
    const killed = buildReport([ended(1, 'SIGTERM', 12), lost], context) as { failures: Record<string, unknown>[] };
    assert.equal(killed.failures[0].afterMainEnded, true);
  });

  test('signal names as Python gives them, unknown numbers as SIG<n>', () => {
    assert.deepEqual([6, 9, 15, 17, 29, 34, 40, 64].map((n) => signalName(n)), ['SIGABRT', 'SIGKILL', 'SIGTERM', 'SIGCHLD', 'SIGIO', 'SIGRTMIN', 'SIG40', 'SIGRTMAX']);
    const py = spawnSync(python, ['-c', 'import signal\nfor n in (6, 9, 15, 17, 29, 34, 64): print(signal.Signals(n).name)'], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.deepEqual(py.stdout.trim().split('\n'), [6, 9, 15, 17, 29, 34, 64].map((n) => signalName(n)));
  });

  test('races add up per site and list each process once', () => {
    const race = (pid: number, count: number) => ({ v: 1, kind: 'race', pid, t: pid, file: '/w/p.py', line: 4, object: 'Value(i)', count });
    const report = buildReport([race(12, 3), race(11, 2), race(12, 1)], context) as { races: unknown[] };
    assert.deepEqual(report.races, [{ file: '/w/p.py', line: 4, kind: 'unlocked-read-modify-write', object: 'Value(i)', count: 6, pids: [11, 12] }]);
  });

  test('a channel directory: files in name order, records in time order, torn lines skipped', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-events-'));
    try {
      fs.writeFileSync(path.join(dir, '20.jsonl'), '{"v":1,"kind":"paused","pid":20,"t":2,"id":"a"}\n{"v":1,"kind":"resu');
      fs.writeFileSync(path.join(dir, '10.jsonl'), '{"v":1,"kind":"paused","pid":10,"t":2,"id":"b"}\n{"v":1,"kind":"paused","pid":10,"t":1,"id":"c"}\n');
      fs.writeFileSync(path.join(dir, '10.slot'), 'x');
      assert.deepEqual(loadEvents(dir).map((e) => e.id), ['c', 'b', 'a']);
      assert.deepEqual(loadEvents(path.join(dir, 'missing')), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Node records: threads become role-thread processes named as created; an exit of their own is a failure, an exception is not doubled', () => {
    const context: ReportContext = { program: '/w/app.js', argv: [], python: null, runtime: 'node', exitCode: 0, rootPid: 20, rootPpid: 19, rootExit: 0 };
    const created = { file: '/w/app.js', line: 4, function: '<module>' };
    const events = [
      { v: 1, kind: 'process-start', pid: 20, t: 1, ppid: 19, owner: null, role: 'main', name: 'main', node: '22.1.0' },
      { v: 1, kind: 'thread-start', pid: 20, t: 2, threadId: 1, name: 'resize #1', file: '/w/w.js', createdAt: created, parentThreadId: 0 },
      { v: 1, kind: 'thread-start', pid: 20, t: 2.1, threadId: 2, name: 'Worker #2', file: '<eval>', createdAt: created, parentThreadId: 0 },
      { v: 1, kind: 'thread-start', pid: 20, t: 2.2, threadId: 3, name: 'idle #3', file: '/w/w.js', createdAt: created, parentThreadId: 0 },
      // Recorded by the thread itself, which does not know the name its creator gave it.
      { v: 1, kind: 'thread-exception', pid: 20, t: 3, threadId: 1, thread: 'Worker #1', worker: null, role: 'thread', origin: 'uncaughtException', exception: { type: 'Error', message: 'x' }, frames: [], task: { function: '<message>', args: ['{ n: 1 }'], kwargs: {} } },
      { v: 1, kind: 'thread-exit', pid: 20, t: 4, threadId: 1, name: 'resize #1', exitCode: 1, terminated: false },
      { v: 1, kind: 'thread-exit', pid: 20, t: 5, threadId: 2, name: 'Worker #2', exitCode: 3, terminated: false },
      { v: 1, kind: 'thread-exit', pid: 20, t: 5.5, threadId: 3, name: 'idle #3', exitCode: 1, terminated: true },
      // A Node child that recorded its own death, and the parent's account of its exit.
      { v: 1, kind: 'process-exception', pid: 21, t: 6, thread: 'MainThread', worker: 'node c.js', role: 'process', task: null, origin: 'uncaughtException', exception: { type: 'Error', message: 'c' }, frames: [] },
      { v: 1, kind: 'worker-lost', pid: 20, t: 7, child: 21, worker: 'node c.js', role: 'process', exitCode: 1, signal: null, task: null, frames: [] },
      { v: 1, kind: 'worker-lost', pid: 20, t: 8, child: 22, worker: 'sh -c exit 2', role: 'process', exitCode: 2, signal: null, task: null, frames: [] },
    ];
    const report = buildReport(events, context);
    assert.equal(report.runtime, 'node');
    assert.equal(report.node, '22.1.0');
    const failures = report.failures as Obj[];
    assert.deepEqual(failures.map((f) => [f.kind, f.thread, f.exitCode ?? null]), [
      ['thread-exception', 'resize #1', null],
      ['exited', 'Worker #2', 3],
      ['exception', 'MainThread', null],
      ['exited', 'MainThread', 2],
    ]);
    assert.equal(failures[0].origin, 'uncaughtException');
    assert.deepEqual((failures[0].task as Obj).args, ['{ n: 1 }']);
    const threads = (report.processes as Obj[]).filter((p) => p.role === 'thread');
    assert.deepEqual(threads.map((t) => [t.pid, t.name, t.threadId, t.exitCode]), [[20, 'resize #1', 1, 1], [20, 'Worker #2', 2, 3], [20, 'idle #3', 3, 1]]);
    assert.deepEqual(threads[0].createdAt, created);
    assert.deepEqual(schemaErrors(report, REPORT_SCHEMA), []);
  });

  test('JSON text as wire.py writes it: ASCII escapes, Python number forms, empty containers', () => {
    const value = { s: 'naïve ✓ 😀 "q" \\ \n \u0007 \u007f', n: [0, -3, 2 ** 53, 0.5, 1e-5, 1.5e16, -2.5e-7, 123.456, 1e22], e: {}, l: [], b: [true, false, null] };
    const py = spawnSync(python, ['-c', 'import json,sys\nfrom workerscope_tracer import wire\nsys.stdout.write(wire.dumps_pretty(json.loads(sys.stdin.read())))'], {
      input: JSON.stringify(value),
      env: { ...process.env, PYTHONPATH: pythonDir },
      encoding: 'utf8',
    });
    assert.equal(py.status, 0, py.stderr);
    // Python reads 1e22 and 1.5e16 as floats, which JSON cannot tell from ints: Node writes ints.
    const expected = py.stdout.replace('1e+22', '10000000000000000000000').replace('1.5e+16', '15000000000000000');
    assert.equal(dumpsPretty(value), expected);
    assert.deepEqual(['1e-05', '0.0001', '1.5e-07', '1e+16', '-0.5'].map((text) => pythonNumber(Number(text))), ['1e-05', '0.0001', '1.5e-07', '10000000000000000', '-0.5']);
  });
});
