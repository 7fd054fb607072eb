/** Thread names, stop descriptions and exception details the debug session shows. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { describeFailure, exceptionDescription, exceptionId, stopBadge, threadLabel, threadListLabel, tracebackText } from '../src/session/describe';
import type { ModelThread } from '../../runtime/src/traceModel';

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
  assert.equal(exceptionId({ kind: 'exited', exitCode: 3 }), 'exit code 3');
});

test('the traceback lists frames outermost first with their source lines, then the task and the worker; the exception is left to the title and description', () => {
  const failure = {
    kind: 'exception' as const, pid: 9, worker: 'ForkPoolWorker-1',
    task: { function: 'm.work', args: ['1'], submittedAt: { file: '/a.py', line: 3 } },
    exception: { type: 'ValueError', message: 'bad' },
    frames: [{ file: '/a.py', line: 5, function: 'outer' }, { file: '/a.py', line: 9, function: 'work' }, { file: '<string>', line: 1, function: '<module>' }],
  };
  const source: Record<number, string> = { 5: '    return work(x)', 9: '        raise ValueError("bad")' };
  assert.equal(tracebackText(failure, (file, line) => (file === '/a.py' ? source[line] : undefined)), [
    'Traceback (most recent call last):',
    '  File "/a.py", line 5, in outer',
    '    return work(x)',
    '  File "/a.py", line 9, in work',
    '    raise ValueError("bad")',
    '  File "<string>", line 1, in <module>',
    'task: m.work(1), submitted at /a.py:3',
    'worker: ForkPoolWorker-1 (pid 9)',
  ].join('\n'));
  // The widget: title "Exception has occurred: <exceptionId>", then the description, then the traceback.
  const widget = [exceptionId(failure), exceptionDescription(failure), tracebackText(failure)].join('\n');
  for (const fact of ['ValueError', 'bad', 'm.work(1)', 'ForkPoolWorker-1']) {
    assert.equal(widget.split(fact).length - 1, 1, `${fact} once in ${JSON.stringify(widget)}`);
  }
});

test('the widget description says what the title and traceback do not', () => {
  const task = { function: 'm.work', args: ['2'] };
  assert.equal(exceptionDescription({ kind: 'exception', exception: { type: 'ValueError', message: 'bad' }, task }), 'bad');
  assert.equal(exceptionDescription({ kind: 'exception', exception: { type: 'StopIteration', message: '' } }), undefined, 'nothing to add to the title');
  assert.equal(exceptionDescription({ kind: 'killed', signal: 'SIGKILL', task }), 'worker killed while running its task');
  assert.equal(exceptionDescription({ kind: 'exited', exitCode: 3 }), 'worker exited');
  assert.equal(exceptionDescription({ kind: 'swallowed', exception: { type: 'OSError', message: 'disk' } }), 'never retrieved: disk');
  assert.equal(exceptionDescription({ kind: 'hang', worker: 'ForkPoolWorker-1', pid: 100 }), 'the pool could no longer finish after ForkPoolWorker-1 was lost');
  assert.equal(tracebackText({ kind: 'hang', worker: 'ForkPoolWorker-1', pid: 100 }), 'worker: ForkPoolWorker-1', "a hang's pid is the pool owner's, not the worker's");
  assert.equal(tracebackText({ kind: 'thread-exception', thread: 'sensor-4', pid: 7, exception: { type: 'KeyError', message: "'k'" } }), 'thread: sensor-4 (pid 7)');
});

test('stop badges stay short so the thread name beside them stays readable', () => {
  assert.equal(stopBadge({ kind: 'exception', exception: { type: 'ValueError', message: 'could not convert string to float' } }), 'ValueError');
  // How the worker ended is in the thread's name beside the badge: the badge says what the stop is about.
  assert.equal(stopBadge({ kind: 'killed', signal: 'SIGKILL', exitCode: -9 }), 'worker lost');
  assert.equal(stopBadge({ kind: 'killed', signal: 'SIGKILL', exitCode: -9, task: { function: 'm.work' } }), 'task lost');
  assert.equal(stopBadge({ kind: 'exited', exitCode: 3 }), 'worker lost');
  assert.equal(stopBadge({ kind: 'thread-exception', exception: { type: 'KeyError', message: "'k'" } }), 'KeyError');
});

test('the Threads list says how each ended process ended', () => {
  const ended = (fields: Partial<ModelThread>): ModelThread => ({ ...thread('pool-worker', 'ForkPoolWorker-2'), alive: false, ...fields });
  assert.equal(threadListLabel(thread('pool-worker', 'ForkPoolWorker-2')), 'ForkPoolWorker-2 (pid 4711)', 'running: the plain label');
  assert.equal(threadListLabel(ended({ exitCode: 0 })), 'ForkPoolWorker-2 (pid 4711) — exited 0');
  assert.equal(threadListLabel(ended({ exitCode: 1 })), 'ForkPoolWorker-2 (pid 4711) — exited 1');
  assert.equal(threadListLabel(ended({})), 'ForkPoolWorker-2 (pid 4711) — ended', 'no exit code known');
  assert.equal(threadListLabel(ended({ exitCode: -9, signal: 'SIGKILL' })), 'ForkPoolWorker-2 (pid 4711) — killed by SIGKILL');
  assert.equal(threadListLabel(ended({ outlived: true, signal: 'SIGTERM' })), 'ForkPoolWorker-2 (pid 4711) — left running after main ended, then ended by SIGTERM');
  assert.equal(threadListLabel(ended({ outlived: true, exitCode: 0 })), 'ForkPoolWorker-2 (pid 4711) — left running after main ended, then exited 0');
  assert.equal(threadListLabel({ ...thread('thread', 'sensor-4', 4700), alive: false }), 'thread sensor-4 (pid 4700) — ended');
});

test('a stall: where the worker runs now, how long the task has run, no exception', () => {
  const stall = { kind: 'stall' as const, pid: 8, worker: 'ForkPoolWorker-1', task: { function: 'm.spin', args: ['1'] }, runningFor: 31.44, frames: [{ file: '/a.py', line: 5, function: 'spin' }] };
  assert.equal(describeFailure(stall), 'stall: no task finished meanwhile; task m.spin(1) has run for 31.4 s in ForkPoolWorker-1');
  assert.equal(stopBadge(stall), 'stalled 31 s');
  assert.equal(exceptionId(stall), 'stall');
  assert.equal(tracebackText(stall), 'Running now (most recent call last):\n  File "/a.py", line 5, in spin\ntask: m.spin(1)\nworker: ForkPoolWorker-1 (pid 8)');
});
