/**
 * Words the debug session shows for processes, threads and failures: thread names, stop
 * descriptions, exception details. Plain functions over the model, no DAP, so they are unit-tested.
 */
import type { TraceFailure, TraceTask } from '../../../runtime/src/report';
import type { ModelThread } from '../../../runtime/src/traceModel';

/**
 * The DAP thread name: `main (pid 4700)`, `ForkPoolWorker-2 (pid 4711)`, `executor SpawnProcess-1
 * (pid 4712)`, `process Process-1 (pid 4713)`, `thread Thread-1 (pid 4700)`.
 */
export function threadLabel(thread: ModelThread): string {
  const pid = `(pid ${thread.pid})`;
  switch (thread.role) {
    case 'main':
      return `main ${pid}`;
    case 'pool-worker':
      return `${thread.name} ${pid}`;
    case 'executor-worker':
      return `executor ${thread.name} ${pid}`;
    case 'thread':
      return `thread ${thread.name} ${pid}`;
    default:
      return `process ${thread.name} ${pid}`;
  }
}

/**
 * The name in the Threads list: the thread's label and, once its process has ended, how it ended
 * if a signal ended it or it outlived the main process (`… (pid 4711), killed by SIGKILL`).
 */
export function threadListLabel(thread: ModelThread): string {
  const label = threadLabel(thread);
  if (thread.alive) return label;
  if (thread.outlived) return `${label}, left running after main ended${thread.signal ? `, ended by ${thread.signal}` : ''}`;
  return thread.signal ? `${label}, killed by ${thread.signal}` : label;
}

/** `module.work(7, flag=True) [item 7]`, or undefined when the failure has no task. */
export function taskText(task: TraceTask | undefined): string | undefined {
  if (!task?.function) return undefined;
  const args = [...(task.args ?? []), ...Object.entries(task.kwargs ?? {}).map(([k, v]) => `${k}=${v}`)].join(', ');
  const index = task.index !== undefined ? ` [item ${task.index}]` : '';
  return `${task.function}(${args})${index}`;
}

/** One line for the `stopped` event and the Worker Failures view. */
/**
 * The short label VS Code shows as the stopped thread's badge in the Call Stack; the thread's
 * name stays readable beside it, and the full story is in the description and exceptionInfo.
 */
export function stopBadge(failure: TraceFailure): string {
  switch (failure.kind) {
    case 'killed':
      return `killed by ${failure.signal ?? 'a signal'}`;
    case 'exited':
      return failure.exitCode !== undefined ? `exited with ${failure.exitCode}` : 'exited';
    case 'hang':
      return 'pool hang';
    case 'stall':
      return failure.runningFor !== undefined ? `stalled ${Math.round(failure.runningFor)} s` : 'stalled';
    case 'swallowed':
      return `unretrieved ${failure.exception?.type ?? 'exception'}`;
    default:
      return failure.exception?.type ?? 'exception';
  }
}

export function describeFailure(failure: TraceFailure): string {
  const task = taskText(failure.task);
  const inTask = task ? ` in task ${task}` : '';
  const exception = failure.exception ? `${failure.exception.type}: ${failure.exception.message}` : undefined;
  switch (failure.kind) {
    case 'exception':
      return `${exception ?? 'exception'}${inTask}`;
    case 'thread-exception':
      return `${exception ?? 'exception'} in thread ${failure.thread ?? 'unknown'}`;
    case 'killed':
      return `worker killed by ${failure.signal ?? 'a signal'}${task ? ` while running task ${task}` : ''}`;
    case 'exited':
      return `worker exited${failure.exitCode !== undefined ? ` with code ${failure.exitCode}` : ''}${task ? ` while running task ${task}` : ''}`;
    case 'swallowed':
      return `exception never retrieved: ${exception ?? 'exception'}${inTask}`;
    case 'hang':
      return `pool hang${failure.worker ? ` after ${failure.worker} was lost` : ''}${task ? ` (task ${task})` : ''}`;
    case 'stall':
      return `stall: no task finished meanwhile; ${task ? `task ${task}` : 'the task'} has run for ${failure.runningFor !== undefined ? `${failure.runningFor.toFixed(1)} s` : 'too long'}${failure.worker ? ` in ${failure.worker}` : ''}`;
    default:
      return exception ?? String(failure.kind);
  }
}

/** The DAP `exceptionInfo` id: the exception type, else the signal, else the failure kind. */
export function exceptionId(failure: TraceFailure): string {
  return failure.exception?.type ?? failure.signal ?? failure.kind;
}

/** A Python-style traceback of the failure, innermost last, followed by the task. */
export function tracebackText(failure: TraceFailure): string {
  const lines: string[] = [];
  const frames = failure.frames ?? [];
  if (frames.length > 0) {
    const heading = failure.kind === 'stall' ? 'Running now (most recent call last):' : failure.kind === 'killed' || failure.kind === 'exited' ? 'Last frames known (most recent call last):' : 'Traceback (most recent call last):';
    lines.push(heading);
    for (const frame of frames) lines.push(`  File "${frame.file}", line ${frame.line}, in ${frame.function}`);
  }
  if (failure.exception) lines.push(`${failure.exception.type}: ${failure.exception.message}`);
  if (failure.signal) lines.push(`killed by ${failure.signal}${failure.exitCode !== undefined ? ` (exit code ${failure.exitCode})` : ''}`);
  const task = taskText(failure.task);
  if (task) {
    const where = failure.task?.submittedAt ? `, submitted at ${failure.task.submittedAt.file}:${failure.task.submittedAt.line}` : '';
    lines.push(`task: ${task}${where}`);
  }
  if (failure.worker || failure.pid !== undefined) lines.push(`worker: ${failure.worker ?? 'unknown'}${failure.pid !== undefined ? ` (pid ${failure.pid})` : ''}`);
  return lines.join('\n');
}
