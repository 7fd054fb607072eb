/**
 * Renders a trace report as the readable failure summary printed by `workerscope run` and shown
 * in the editor's output channel (coloured there by syntaxes/workerscope-trace.tmLanguage.json).
 */
import type { TraceFailure, TraceFrame, TraceInFlight, TraceReport, TraceTask } from './report';

const HEADLINE: Record<string, string> = {
  exception: 'task raised',
  killed: 'worker killed',
  exited: 'worker exited',
  swallowed: 'exception never retrieved',
  'thread-exception': 'thread raised',
  hang: 'pool hang',
  stall: 'task stalled',
};

/** Headlines of hangs by their reason. */
const HANG_HEADLINE: Record<string, string> = {
  'join-before-drain': 'queue deadlock',
};

export function formatSummary(report: TraceReport): string {
  const lines: string[] = [];
  const { failures, races } = report;
  const inFlight = report.inFlight ?? [];
  // A main process killed by the tracer itself (it ended a hang or a stall) was not killed from
  // outside: the hang or stall is the story, as in report.py.
  const endedByTracer = report.exitCode === 124 && failures.some((f) => f.kind === 'hang' || f.kind === 'stall');
  const mainSignal = endedByTracer ? undefined : report.processes.find((p) => p.role === 'main')?.signal;
  const endLines = mainSignal || inFlight.length > 0 ? formatEnd(mainSignal, inFlight) : [];
  const leftLines = formatLeftBehind(report);
  if (failures.length === 0 && races.length === 0) {
    // A Node program's worker threads are entries of their own (role "thread"), counted apart.
    const threads = report.processes.filter((p) => p.role === 'thread' && p.threadId !== undefined).length;
    const processes = report.processes.length - threads;
    const counted = `${processes} process${processes === 1 ? '' : 'es'}${threads ? ` and ${threads} worker thread${threads === 1 ? '' : 's'}` : ''}`;
    lines.push(`workerscope: no worker failures (${counted} traced, exit code ${report.exitCode ?? 'unknown'})`);
    return `${[...lines, ...endLines, ...leftLines].join('\n')}\n`;
  }
  lines.push(`workerscope: ${failures.length} failure${failures.length === 1 ? '' : 's'}, ${races.length} race${races.length === 1 ? '' : 's'} (exit code ${report.exitCode ?? 'unknown'})`);
  // The main process's death comes first: the workers' failures after it are its consequences.
  lines.push(...endLines);
  const before = failures.filter((f) => !f.afterMainEnded);
  const after = failures.filter((f) => f.afterMainEnded);
  before.forEach((failure, i) => lines.push(...formatFailure(failure, i + 1)));
  if (after.length > 0) {
    lines.push(`  after the main process ended (consequences of its end, not causes):`);
    after.forEach((failure, i) => lines.push(...formatFailure(failure, before.length + i + 1)));
  }
  for (const race of races) {
    lines.push(`  race: unlocked read-modify-write of ${race.object ?? 'shared object'} at ${race.file}:${race.line} (${race.count}×, pids ${(race.pids ?? []).join(', ')})`);
  }
  lines.push(...leftLines);
  return `${lines.join('\n')}\n`;
}

/** "main process killed by SIGTERM; 2 tasks were in flight", then each task and where it was. */
function formatEnd(signal: string | undefined, inFlight: readonly TraceInFlight[]): string[] {
  const tasks = `${inFlight.length} task${inFlight.length === 1 ? ' was' : 's were'} in flight`;
  const lines = [`workerscope: ${signal ? `main process killed by ${signal}` : 'program stopped'}; ${tasks}`];
  for (const t of inFlight) {
    const running = t.runningFor !== undefined ? `, running for ${seconds(t.runningFor)}` : '';
    lines.push(`  in flight: ${taskLine(t.task) ?? 'a task'} in ${t.worker ?? 'worker'} (pid ${t.pid})${running}`);
    const frame = innermost(t.frames);
    if (frame) lines.push(`    at ${frame.function} (${frame.file}:${frame.line})`);
  }
  return lines;
}

/** Processes of the program that were still running when its main process ended. */
function formatLeftBehind(report: TraceReport): string[] {
  return report.processes.filter((p) => p.outlived).map((p) => {
    const how = p.signal ? `ended by ${p.signal}` : p.exitCode !== undefined && p.exitCode !== null ? `exit code ${p.exitCode}` : 'ended';
    return `  left running after the main process ended: ${p.name ?? p.role ?? 'process'} (pid ${p.pid}), ${how}`;
  });
}

function taskLine(task: TraceTask | undefined): string | undefined {
  if (!task?.function) return undefined;
  const args = [...(task.args ?? []), ...Object.entries(task.kwargs ?? {}).map(([k, v]) => `${k}=${v}`)].join(', ');
  const index = task.index !== undefined ? ` [item ${task.index}]` : '';
  const where = task.submittedAt ? ` submitted at ${task.submittedAt.file}:${task.submittedAt.line}` : '';
  return `${task.function}(${args})${index}${where}`;
}

function seconds(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} s`;
}

export function formatFailure(failure: TraceFailure, ordinal: number): string[] {
  const lines: string[] = [];
  // A hang is recorded by the program's main process about the worker it lost: that pid is not the worker's.
  const pid = failure.pid !== undefined && failure.kind !== 'hang' ? `(pid ${failure.pid})` : '';
  const who = [failure.worker ?? failure.thread ?? 'process', pid].filter(Boolean).join(' ');
  const headline = (failure.reason !== undefined ? HANG_HEADLINE[failure.reason] : undefined) ?? HEADLINE[failure.kind] ?? failure.kind;
  lines.push(`[${ordinal}] ${headline} in ${who}`);
  if (failure.kind === 'thread-exception' && failure.thread) lines.push(`    thread: ${failure.thread}`);
  const task = failure.task;
  if (task?.function) {
    const args = [...(task.args ?? []), ...Object.entries(task.kwargs ?? {}).map(([k, v]) => `${k}=${v}`)].join(', ');
    const index = task.index !== undefined ? ` [item ${task.index}]` : '';
    const where = task.submittedAt ? ` submitted at ${task.submittedAt.file}:${task.submittedAt.line}` : '';
    lines.push(`    task: ${task.function}(${args})${index}${where}`);
  }
  if (failure.exception) lines.push(`    ${failure.exception.type}: ${failure.exception.message}`);
  const how = nodeOrigin(failure);
  if (how) lines.push(`    ${how}`);
  if (failure.reason === 'join-before-drain') return [...lines, ...joinBeforeDrain(failure)];
  if (failure.kind === 'hang') lines.push(`    the pool could no longer finish; the program${failure.pid !== undefined ? ` (pid ${failure.pid})` : ''} was ended`);
  if (failure.kind === 'stall') lines.push(`    no task finished meanwhile; this one had run for ${failure.runningFor !== undefined ? seconds(failure.runningFor) : 'too long'}`);
  if (failure.signal) lines.push(`    signal: ${failure.signal}${failure.exitCode !== undefined ? ` (exit code ${failure.exitCode})` : ''}`);
  else if (failure.kind === 'exited' && failure.exitCode !== undefined) lines.push(`    exit code: ${failure.exitCode}`);
  if (failure.cause) lines.push(`    cause: ${failure.cause}`);
  const frame = innermost(failure.frames);
  if (frame) lines.push(`    at ${frame.function} (${frame.file}:${frame.line})`);
  return lines;
}

/** How a Node failure surfaced, when it says more than "uncaught exception". */
function nodeOrigin(failure: TraceFailure): string | undefined {
  switch (failure.origin) {
    case 'unhandled-error-event':
      return `an 'error' event of ${failure.emitter ?? 'an emitter'} that nobody listened to`;
    case 'unhandledRejection':
      return 'a promise rejection nobody handled';
    case 'messageerror':
      return 'a message that could not be deserialized (messageerror)';
    case 'postMessage':
    case 'workerData':
      return `structured clone refused ${failure.clonePath ?? 'a value'} (${failure.origin})`;
    default:
      return undefined;
  }
}

/**
 * A queue deadlock, both sides in one sentence (frames: the parent's join() call, then the child's
 * put sites): "Process.join() at x.py:12 waits for Process-1, which cannot exit until the item it
 * put on a Queue at x.py:7 is read".
 */
function joinBeforeDrain(failure: TraceFailure): string[] {
  const [joined, ...puts] = failure.frames ?? [];
  const at = puts.map((f) => `${f.file}:${f.line}`).join(', ');
  const items = failure.items;
  let what = 'its Queue is read';
  if (at && items === 1) what = `the item it put on a Queue at ${at} is read`;
  else if (at && items !== undefined) what = `the ${items} items it put on a Queue at ${at} are read`;
  else if (at) what = `the items it put on a Queue at ${at} are read`;
  const join = joined ? `Process.join() at ${joined.file}:${joined.line}` : 'Process.join()';
  return [
    `    ${join} waits for ${failure.worker ?? 'its child'}, which cannot exit until ${what}`,
    `    the program${failure.pid !== undefined ? ` (pid ${failure.pid})` : ''} was ended`,
  ];
}

/** Frames of the interpreter's library and of installed packages, not the user's own code. */
const LIBRARY_FILE = /[\\/](lib[\\/]python\d+(\.\d+)?|site-packages|dist-packages)[\\/]/;

/** The innermost frame of the user's own code (a native crash's dump ends inside libraries). */
function innermost(frames: readonly TraceFrame[] | undefined): TraceFrame | undefined {
  if (!frames || frames.length === 0) return undefined;
  // Code without a file (`<string>`: a Manager proxy's exec'd methods) is the library's too.
  for (let i = frames.length - 1; i >= 0; i--) if (!LIBRARY_FILE.test(frames[i].file) && !frames[i].file.startsWith('<')) return frames[i];
  return frames[frames.length - 1];
}
