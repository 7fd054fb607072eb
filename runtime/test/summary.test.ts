/**
 * The failure summary `workerscope run` prints and the editor's trace output shows: it must point
 * at the user's own code and say plainly what a hang means.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseReport } from '../src/report';
import { formatFailure, formatSummary } from '../src/summary';

test('a native crash is shown at the innermost frame of the user\'s code, not inside a library', () => {
  const lines = formatFailure({
    kind: 'killed',
    pid: 41,
    worker: 'ForkPoolWorker-1',
    signal: 'SIGSEGV',
    exitCode: -11,
    frames: [
      { file: '/home/me/app/crash.py', line: 20, function: '<module>' },
      { file: '/home/me/app/crash.py', line: 9, function: 'peek' },
      { file: '/usr/lib/python3.11/ctypes/__init__.py', line: 519, function: 'string_at' },
    ],
  }, 1);
  assert.equal(lines.at(-1), '    at peek (/home/me/app/crash.py:9)');
});

test('a failure inside a Manager proxy call is shown at the user\'s line, not the proxy\'s exec\'d code', () => {
  const lines = formatFailure({
    kind: 'exception',
    frames: [
      { file: '/home/me/app/job.py', line: 16, function: 'lookup' },
      { file: '<string>', line: 2, function: '__getitem__' },
      { file: '/usr/lib/python3.11/multiprocessing/managers.py', line: 837, function: '_callmethod' },
    ],
  }, 1);
  assert.equal(lines.at(-1), '    at lookup (/home/me/app/job.py:16)');
});

test('only library frames: the innermost one is shown', () => {
  const lines = formatFailure({ kind: 'killed', frames: [{ file: '/opt/venv/lib/python3.12/site-packages/x/y.py', line: 3, function: 'f' }] }, 1);
  assert.equal(lines.at(-1), '    at f (/opt/venv/lib/python3.12/site-packages/x/y.py:3)');
});

test('a hang names the lost worker and ends the program it was recorded by', () => {
  const lines = formatFailure({ kind: 'hang', pid: 7, worker: 'ForkPoolWorker-2', task: { function: 'm.f', args: ['3'], index: 3 } }, 2);
  assert.equal(lines[0], '[2] pool hang in ForkPoolWorker-2');
  assert.match(lines.join('\n'), /could no longer finish; the program \(pid 7\) was ended/);
});

test('a queue deadlock names the parent\'s join() and where the child put what nobody read', () => {
  // Through the report loader: it keeps the hang's reason and item count.
  const report = parseReport({
    version: 1, program: '/app/x.py', exitCode: 124, processes: [], races: [],
    failures: [{
      kind: 'hang', pid: 70, thread: 'MainThread', worker: 'Process-1', task: null, exception: null, signal: 'SIGKILL', exitCode: null,
      frames: [{ file: '/app/x.py', line: 12, function: '<module>', locals: {} }, { file: '/app/x.py', line: 7, function: 'work', locals: {} }],
      reason: 'join-before-drain', items: 1,
    }],
  });
  assert.equal(report.failures[0].reason, 'join-before-drain');
  assert.deepEqual(formatFailure(report.failures[0], 1), [
    '[1] queue deadlock in Process-1',
    '    Process.join() at /app/x.py:12 waits for Process-1, which cannot exit until the item it put on a Queue at /app/x.py:7 is read',
    '    the program (pid 70) was ended',
  ]);
  const many = formatFailure({ ...report.failures[0], items: 3, frames: [...(report.failures[0].frames ?? []), { file: '/app/y.py', line: 2, function: 'f' }] }, 1);
  assert.match(many[1], /until the 3 items it put on a Queue at \/app\/x\.py:7, \/app\/y\.py:2 are read$/);
});

test('an uncaught thread exception names the thread as well as its process', () => {
  const lines = formatFailure({ kind: 'thread-exception', pid: 9, worker: 'MainProcess', thread: 'Thread-3 (_handle_results)', exception: { type: 'TypeError', message: 'x' } }, 1);
  assert.deepEqual(lines.slice(0, 2), ['[1] thread raised in MainProcess (pid 9)', '    thread: Thread-3 (_handle_results)']);
});

const base = { version: 1 as const, program: '/w/p.py', argv: [], races: [], inFlight: [] };

test('a stall names the task, its worker and how long it has run', () => {
  const text = formatSummary({
    ...base, exitCode: 124,
    processes: [{ pid: 7, role: 'main' }],
    failures: [{ kind: 'stall', pid: 8, worker: 'ForkPoolWorker-1', thread: 'MainThread', task: { function: 'm.spin', args: ['1'], index: 1 }, runningFor: 31.4, frames: [{ file: '/w/p.py', line: 5, function: 'spin' }] }],
  });
  assert.equal(text, [
    'workerscope: 1 failure, 0 races (exit code 124)',
    '[1] task stalled in ForkPoolWorker-1 (pid 8)',
    '    task: m.spin(1) [item 1]',
    '    no task finished meanwhile; this one had run for 31 s',
    '    at spin (/w/p.py:5)',
    '',
  ].join('\n'));
});

test('the main process killed: said first with the tasks in flight; later failures under their own heading; leftovers listed', () => {
  const text = formatSummary({
    ...base, exitCode: -15,
    processes: [
      { pid: 7, role: 'main', name: 'MainProcess', exitCode: -15, signal: 'SIGTERM' },
      { pid: 9, role: 'process', name: 'SyncManager-1', signal: 'SIGTERM', outlived: true },
    ],
    failures: [
      { kind: 'exception', pid: 8, worker: 'ForkPoolWorker-1', exception: { type: 'ValueError', message: 'first' } },
      { kind: 'exception', pid: 8, worker: 'ForkPoolWorker-1', exception: { type: 'BrokenPipeError', message: '[Errno 32] Broken pipe' }, afterMainEnded: true },
    ],
    inFlight: [{ pid: 8, worker: 'ForkPoolWorker-1', task: { function: 'm.work', args: ['4'] }, runningFor: 2.25, frames: [{ file: '/w/p.py', line: 12, function: 'work' }] }],
  });
  assert.equal(text, [
    'workerscope: 2 failures, 0 races (exit code -15)',
    'workerscope: main process killed by SIGTERM; 1 task was in flight',
    '  in flight: m.work(4) in ForkPoolWorker-1 (pid 8), running for 2.3 s',
    '    at work (/w/p.py:12)',
    '[1] task raised in ForkPoolWorker-1 (pid 8)',
    '    ValueError: first',
    '  after the main process ended (consequences of its end, not causes):',
    '[2] task raised in ForkPoolWorker-1 (pid 8)',
    '    BrokenPipeError: [Errno 32] Broken pipe',
    '  left running after the main process ended: SyncManager-1 (pid 9), ended by SIGTERM',
    '',
  ].join('\n'));
});

test('a run stopped from the editor with nothing failed still names what was in flight', () => {
  const text = formatSummary({ ...base, exitCode: -15, processes: [{ pid: 7, role: 'main', exitCode: -15 }], failures: [], inFlight: [{ pid: 8, frames: [] }, { pid: 9, frames: [] }] });
  assert.equal(text, [
    'workerscope: no worker failures (1 process traced, exit code -15)',
    'workerscope: program stopped; 2 tasks were in flight',
    '  in flight: a task in worker (pid 8)',
    '  in flight: a task in worker (pid 9)',
    '',
  ].join('\n'));
});

test('a main process the tracer killed to end a stall or a hang is not said to be killed from outside', () => {
  for (const kind of ['stall', 'hang'] as const) {
    const text = formatSummary({
      ...base, exitCode: 124,
      processes: [{ pid: 7, role: 'main', name: 'MainProcess', exitCode: -9, signal: 'SIGKILL' }],
      failures: [{ kind, pid: 8, worker: 'SpawnPoolWorker-2', runningFor: 2.2, frames: [{ file: '/w/p.py', line: 4, function: 'work' }] }],
      inFlight: [],
    });
    assert.doesNotMatch(text, /main process killed|tasks were in flight/, kind);
    assert.match(text, /^workerscope: 1 failure, 0 races \(exit code 124\)\n/, kind);
  }
});
