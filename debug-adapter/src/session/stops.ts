/**
 * What each DAP thread is stopped at: a queue per thread, whose head is the stop shown (a thread
 * may fail again, or a second failure of its process may be announced, while one is shown), and
 * the DAP `stopped` event and exception details for a head.
 */
import { StoppedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { sourceReader } from '../../../runtime/src/sourceLines';
import type { ModelStop } from '../../../runtime/src/traceModel';
import { describeFailure, frameLines, stopBadge } from './describe';
import type { Held } from './variables';

export class StopQueues {
  private readonly queues = new Map<number, Held[]>();

  head(threadId: number): Held | undefined {
    return this.queues.get(threadId)?.[0];
  }

  /** Queues what a thread stopped at; true if it is the head now (to be shown). */
  hold(held: Held): boolean {
    const queue = this.queues.get(held.threadId) ?? [];
    this.queues.set(held.threadId, queue);
    queue.push(held);
    return queue.length === 1;
  }

  /** Takes the head away; the next one, if any, is to be shown. */
  shift(threadId: number): { head: Held | undefined; next: Held | undefined } {
    const queue = this.queues.get(threadId);
    const head = queue?.shift();
    return { head, next: queue?.[0] };
  }

  /** The heads that are pauses asked for by the user, other than on `threadId`. */
  otherPauses(threadId: number): Held[] {
    const found: Held[] = [];
    for (const [id, queue] of this.queues) if (id !== threadId && queue[0]?.kind === 'stop' && queue[0].reason === 'pause') found.push(queue[0]);
    return found;
  }
}

/**
 * The DAP `stopped` event for what a thread shows. `allThreadsStopped` for a saved report: a
 * snapshot of ended processes, none of which runs.
 */
export function stoppedEvent(held: Held, allThreadsStopped = false): DebugProtocol.StoppedEvent {
  if (held.kind === 'stop') return stopEvent(held);
  // VS Code shows `description` as the thread's badge in the Call Stack: keep it short, so the
  // thread's name stays readable; `text` carries the whole story.
  // A stall is no exception: the worker is paused where it runs, with its live stack.
  const event = new StoppedEvent(held.kind === 'stall' ? 'pause' : 'exception', held.threadId, describeFailure(held)) as DebugProtocol.StoppedEvent;
  event.body.description = stopBadge(held);
  event.body.allThreadsStopped = allThreadsStopped;
  event.body.preserveFocusHint = false;
  return event;
}

function stopEvent(stop: ModelStop): DebugProtocol.StoppedEvent {
  const exception = stop.exception ? `${stop.exception.type}: ${stop.exception.message}` : undefined;
  const event = new StoppedEvent(stop.reason, stop.threadId, exception) as DebugProtocol.StoppedEvent;
  if (stop.breakpoint !== undefined && stop.reason === 'breakpoint') event.body.hitBreakpointIds = [stop.breakpoint];
  if (stop.reason === 'exception') event.body.description = `${stop.description === 'raised' ? 'raised' : 'uncaught'} ${stop.exception?.type ?? 'exception'}`;
  event.body.allThreadsStopped = false;
  return event;
}

/**
 * The exception widget's details for a thread stopped at a raised or uncaught exception. VS Code's
 * widget shows the id as its title, then the description and the stack trace: the message goes in
 * the description, the source lines under each frame, as Python prints a traceback.
 */
export function stopExceptionInfo(stop: ModelStop): DebugProtocol.ExceptionInfoResponse['body'] | undefined {
  if (stop.reason !== 'exception' || !stop.exception) return undefined;
  const uncaught = stop.description !== 'raised';
  const trace = frameLines(stop.frames, sourceReader());
  const message = stop.exception.message ? `${stop.exception.message}\n` : '';
  const what = uncaught ? `Uncaught: the ${stop.worker && stop.worker !== 'MainProcess' ? 'process' : 'program'} ends with it after Continue.` : 'Raised here; Continue lets the program handle it.';
  return {
    exceptionId: stop.exception.type,
    description: `${message}${what}`,
    breakMode: uncaught ? 'unhandled' : 'always',
    details: {
      message: stop.exception.message,
      typeName: stop.exception.type,
      fullTypeName: stop.exception.type,
      stackTrace: trace.length > 0 ? ['Traceback (most recent call last):', ...trace].join('\n') : undefined,
    },
  };
}
