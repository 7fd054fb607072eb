/** Thread names, stop descriptions and exception details the debug session shows. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { describeFailure, exceptionId, stopBadge, threadLabel, tracebackText } from '../src/session/describe';
import type { ModelThread } from '../src/runtime/traceModel';

const thread = (role: ModelThread['role'], name: string, pid = 4711): ModelThread => ({ id: 1, pid, role, name, alive: true });

test('threads are named by role, name and pid', () => {
  assert.equal(threadLabel(thread('main', 'MainProcess', 4700)), 'main (pid 4700)');
  assert.equal(threadLabel(thread('pool-worker', 'ForkPoolWorker-2')), 'ForkPoolWorker-2 (pid 4711)');
  assert.equal(threadLabel(thread('executor-worker', 'SpawnProcess-1')), 'executor SpawnProcess-1 (pid 4711)');
  assert.equal(threadLabel(thread('process', 'Process-3')), 'process Process-3 (pid 4711)');
  assert.equal(threadLabel(thread('thread', 'sensor-4', 4700)), 'thread sensor-4 (pid 4700)');
});

test('descriptions name the exception or signal and the task', () => {
  const task = { function: 'm.work', args: ['7'], kwargs: { retry: 'True' }, index: 7, submittedAt: { file: '/a.py', line: 3 } };
  assert.equal(describeFailure({ kind: 'exception', task, exception: { type: 'ValueError', message: 'bad' } }), 'ValueError: bad in task m.work(7, retry=True) [item 7]');
  assert.equal(describeFailure({ kind: 'killed', task, signal: 'SIGKILL', exitCode: -9 }), 'worker killed by SIGKILL while running task m.work(7, retry=True) [item 7]');
  assert.equal(describeFailure({ kind: 'exited', exitCode: 3 }), 'worker exited with code 3');
  assert.equal(describeFailure({ kind: 'thread-exception', thread: 'T', exception: { type: 'KeyError', message: "'k'" } }), "KeyError: 'k' in thread T");
  assert.equal(exceptionId({ kind: 'killed', signal: 'SIGSEGV' }), 'SIGSEGV');
  assert.equal(exceptionId({ kind: 'exited' }), 'exited');
});

test('the traceback text lists frames outermost first, then the exception and the task', () => {
  const text = tracebackText({
    kind: 'exception', pid: 9, worker: 'ForkPoolWorker-1',
    task: { function: 'm.work', args: ['1'], submittedAt: { file: '/a.py', line: 3 } },
    exception: { type: 'ValueError', message: 'bad' },
    frames: [{ file: '/a.py', line: 5, function: 'outer' }, { file: '/a.py', line: 9, function: 'work' }],
  });
  assert.equal(text, [
    'Traceback (most recent call last):',
    '  File "/a.py", line 5, in outer',
    '  File "/a.py", line 9, in work',
    'ValueError: bad',
    'task: m.work(1), submitted at /a.py:3',
    'worker: ForkPoolWorker-1 (pid 9)',
  ].join('\n'));
});

test('stop badges stay short so the thread name beside them stays readable', () => {
  assert.equal(stopBadge({ kind: 'exception', exception: { type: 'ValueError', message: 'could not convert string to float' } }), 'ValueError');
  assert.equal(stopBadge({ kind: 'killed', signal: 'SIGKILL', exitCode: -9 }), 'killed by SIGKILL');
  assert.equal(stopBadge({ kind: 'exited', exitCode: 3 }), 'exited with 3');
  assert.equal(stopBadge({ kind: 'thread-exception', exception: { type: 'KeyError', message: "'k'" } }), 'KeyError');
});
