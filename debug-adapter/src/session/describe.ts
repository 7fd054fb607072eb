/**
 * Words the debug session shows for processes, threads and failures: thread names, stop
 * descriptions, exception details. Plain functions over the model, no DAP, so they are unit-tested.
 */
import { constants as osConstants } from 'node:os';
import type { TraceFailure, TraceFrame, TraceRace, TraceTask } from '../../../runtime/src/report';
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
 * (`… (pid 4711) — killed by SIGKILL`, `— exited 0`): a post-mortem session lists only ended
 * processes, and VS Code would show each as running otherwise.
 */
export function threadListLabel(thread: ModelThread): string {
  const label = threadLabel(thread);
  if (thread.alive) return label;
  const end = thread.signal ? `killed by ${thread.signal}` : typeof thread.exitCode === 'number' ? `exited ${thread.exitCode}` : undefined;
  // The supervisor ended what outlived the main process: "ended by", as the summary says it.
  if (thread.outlived) return `${label} — left running after main ended${end ? `, then ${end.replace(/^killed by/, 'ended by')}` : ''}`;
  if (thread.role === 'thread') return `${label} — ended`;
  return `${label} — ${end ?? 'ended'}`;
}

/** `module.work(7, flag=True) [item 7]`, or undefined when the failure has no task. */
export function taskText(task: TraceTask | undefined): string | undefined {
  if (!task?.function) return undefined;
  const args = [...(task.args ?? []), ...Object.entries(task.kwargs ?? {}).map(([k, v]) => `${k}=${v}`)].join(', ');
  const index = task.index !== undefined ? ` [item ${task.index}]` : '';
  return `${task.function}(${args})${index}`;
}

/**
 * The short label VS Code shows as the stopped thread's badge in the Call Stack; the thread's
 * name stays readable beside it, and the full story is in the description and exceptionInfo.
 */
export function stopBadge(failure: TraceFailure): string {
  switch (failure.kind) {
    // How the worker ended is in its name (threadListLabel): the badge says what the stop is about.
    case 'killed':
    case 'exited':
      return failure.task?.function ? 'task lost' : 'worker lost';
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

/** One line for the `stopped` event's text: the whole story, task included. */
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

/** The DAP `exceptionInfo` id, the exception widget's title: the exception type, else the signal, else what ended. */
export function exceptionId(failure: TraceFailure): string {
  if (failure.exception) return failure.exception.type;
  if (failure.signal) return failure.signal;
  if (failure.kind === 'exited' && failure.exitCode !== undefined) return `exit code ${failure.exitCode}`;
  return failure.kind;
}

/**
 * The exception widget's line under its title (`exceptionId`): what happened, without what the
 * title or the traceback already say (the type, the task, the worker). Undefined when there is
 * nothing left to say (an exception without a message).
 */
export function exceptionDescription(failure: TraceFailure): string | undefined {
  const message = failure.exception?.message || undefined;
  const withTask = failure.task?.function ? ' while running its task' : '';
  switch (failure.kind) {
    case 'swallowed':
      return `never retrieved${message ? `: ${message}` : ''}`;
    case 'killed':
      return `worker killed${withTask}`;
    case 'exited':
      return `worker exited${withTask}`;
    case 'hang':
      return `the pool could no longer finish${failure.worker ? ` after ${failure.worker} was lost` : ''}`;
    case 'stall':
      return `no task finished meanwhile; this one has run for ${failure.runningFor !== undefined ? `${failure.runningFor.toFixed(1)} s` : 'too long'}`;
    default:
      return message;
  }
}

/** The source text of a file's 1-based line, when it can be read. */
export type SourceLines = (file: string, line: number) => string | undefined;

/**
 * The exception widget's traceback: the frames outermost first, each with its source line as
 * Python prints them, then the task and the worker. The exception itself is left to the widget's
 * title and description (`exceptionId`, `exceptionDescription`), so each is shown once.
 */
export function tracebackText(failure: TraceFailure, source: SourceLines = () => undefined): string {
  const lines: string[] = [];
  const frames = failure.frames ?? [];
  if (frames.length > 0) {
    const heading = failure.kind === 'stall' ? 'Running now (most recent call last):' : failure.kind === 'killed' || failure.kind === 'exited' ? 'Last frames known (most recent call last):' : 'Traceback (most recent call last):';
    lines.push(heading, ...frameLines(frames, source));
  }
  const task = taskText(failure.task);
  if (task) {
    const where = failure.task?.submittedAt ? `, submitted at ${failure.task.submittedAt.file}:${failure.task.submittedAt.line}` : '';
    lines.push(`task: ${task}${where}`);
  }
  // A hang is recorded by the pool's owner: its pid is not the lost worker's.
  const pid = failure.pid !== undefined && failure.kind !== 'hang' ? ` (pid ${failure.pid})` : '';
  if (failure.kind === 'thread-exception' && failure.thread) lines.push(`thread: ${failure.thread}${failure.worker ? ` in ${failure.worker}` : ''}${pid}`);
  else if (failure.worker || pid) lines.push(`worker: ${failure.worker ?? 'unknown'}${pid}`);
  return lines.join('\n');
}

/** Frames as Python's traceback prints them, outermost first: each with its source line. */
export function frameLines(frames: readonly TraceFrame[], source: SourceLines): string[] {
  const lines: string[] = [];
  for (const frame of frames) {
    lines.push(`  File "${frame.file}", line ${frame.line}, in ${frame.function}`);
    const text = source(frame.file, frame.line)?.trim();
    if (text) lines.push(`    ${text}`);
  }
  return lines;
}

/** The console's line for a race found with `detectRaces`. */
export function raceText(race: TraceRace): string {
  return `race: unlocked read-modify-write of ${race.object ?? 'shared object'} at ${race.file}:${race.line}`;
}

/** The exit code a shell shows for a program ended by `signal` (128 + its number). */
export function signalExitCode(signal: NodeJS.Signals | null): number | undefined {
  if (!signal) return undefined;
  const n = (osConstants.signals as Record<string, number | undefined>)[signal];
  return n !== undefined ? 128 + n : undefined;
}
