/**
 * Running and stopping threads of a live session: what each thread is stopped at, and Continue,
 * the steps and Pause turned into requests to the runtime. Sends DAP events through the session;
 * answers no request itself.
 */
import { ContinuedEvent, OutputEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { StepKind, TraceRuntime } from '../../../runtime/src/traceRuntime';
import { StopQueues, stoppedEvent } from './stops';
import type { Held } from './variables';

export type SendEvent = (event: DebugProtocol.Event) => void;

export class RunControl {
  readonly stops = new StopQueues();

  constructor(private readonly send: SendEvent, private readonly runtime: () => TraceRuntime | undefined) {}

  /** Queues what a thread stopped at and shows it if the thread shows nothing else. */
  hold(held: Held): void {
    if (this.stops.hold(held)) this.send(stoppedEvent(held));
  }

  /**
   * Lets the thread's shown stop go on; a pause the user asked for ends in every thread it
   * stopped. Returns whether every thread of the program runs now.
   */
  continue(threadId: number): void {
    const head = this.release(threadId);
    if (head?.kind === 'stop' && head.reason === 'pause') {
      for (const other of this.stops.otherPauses(threadId)) {
        this.release(other.threadId);
        this.send(new ContinuedEvent(other.threadId, false));
      }
    }
  }

  /**
   * Steps the thread's shown stop. A failure cannot step (its exception has left the frames it
   * shows) nor can an uncaught exception: those go on as with Continue, and the console says so.
   */
  step(threadId: number, command: StepKind): void {
    const head = this.stops.head(threadId);
    const runtime = this.runtime();
    if (head?.kind !== 'stop' || !head.steppable || !head.paused || !runtime) {
      if (head) this.send(new OutputEvent(`Workerscope: ${whyNoStep(head)} Continued instead.\n`, 'console'));
      this.continue(threadId);
      return;
    }
    const { next } = this.stops.shift(threadId);
    head.paused = false;
    try {
      runtime.step(head.pid, head.id, command);
    } catch (error) {
      this.send(new OutputEvent(`Workerscope could not step ${head.worker ?? `pid ${head.pid}`}: ${(error as Error).message}\n`, 'important'));
    }
    if (next) this.send(stoppedEvent(next));
  }

  /** The tracer let a stopped thread go on by itself (safety timeout, channel gone). */
  resumedByItself(held: Held, reason: string): void {
    if (this.stops.head(held.threadId) !== held) return;
    const { next } = this.stops.shift(held.threadId);
    this.send(new OutputEvent(`Workerscope: ${held.worker ?? `pid ${held.pid}`} resumed by itself (${reason}).\n`, 'console'));
    this.send(new ContinuedEvent(held.threadId, false));
    if (next) this.send(stoppedEvent(next));
  }

  /** Takes the thread's shown stop away, lets its thread go on, shows the next one. */
  private release(threadId: number): Held | undefined {
    const { head, next } = this.stops.shift(threadId);
    const runtime = this.runtime();
    // A stalled worker was stopped by a signal where it runs: let it run on.
    if (head?.kind === 'stall' && head.pid !== undefined) runtime?.continueStalled(head.pid);
    if (head?.paused && head.pid !== undefined && runtime) {
      head.paused = false;
      try {
        runtime.resume(head.pid, head.id);
      } catch (error) {
        this.send(new OutputEvent(`Workerscope could not resume ${head.worker ?? `pid ${head.pid}`}: ${(error as Error).message}\n`, 'important'));
      }
    }
    if (next) this.send(stoppedEvent(next));
    return head;
  }
}

function whyNoStep(held: Held): string {
  if (held.kind === 'stop') return held.paused ? 'the program is ending with this uncaught exception: it cannot step.' : 'this thread no longer waits: it cannot step.';
  if (held.kind === 'stall') return 'a stalled worker is held by a signal where it runs: it cannot step.';
  return 'a failure stop cannot step: the exception has already left the frames shown.';
}
