/**
 * The Debug Console's answers in a stopped thread: evaluated by the paused worker itself when it
 * waits (one request at a time per process), else from the locals captured when it stopped.
 */
import type { TraceRuntime } from '../../../runtime/src/traceRuntime';
import type { FrameRef } from './variables';

/** A result for the console, or an error with the session's error code. */
export type Answer = { result: string } | { code: number; message: string };

export class WorkerEvaluator {
  /** The last evaluation sent to each process: the next one waits for it. */
  private readonly evaluations = new Map<number, Promise<unknown>>();

  async answer(frame: FrameRef | undefined, expression: string, runtime: TraceRuntime | undefined): Promise<Answer> {
    if (frame?.index === 'submitted' && (frame.failure.kind === 'killed' || frame.failure.kind === 'exited') && !frame.failure.frames?.length) {
      // The only frame is where the task was submitted: the worker itself is gone.
      const how = frame.failure.kind === 'killed' ? `was killed${frame.failure.signal ? ` by ${frame.failure.signal}` : ''}` : 'exited';
      return { code: 3012, message: `The worker ${how} while running this task: it has no live frame to evaluate in. Its task's arguments are in the Task scope.` };
    }
    if (!frame || frame.index === 'submitted') return { code: 3003, message: 'Select a frame of a failed worker in the Call Stack to evaluate there.' };
    const { failure: held, index } = frame;
    if (held.kind === 'stall') {
      return { code: 3009, message: 'A stalled worker is shown where it runs (its live stack), without its variables: nothing can be evaluated there.' };
    }
    // A dead worker's parent may hold on for it (an executor's), but it has no frame to evaluate in.
    if (!held.paused || !runtime || held.pid === undefined || held.kind === 'killed' || held.kind === 'exited') {
      // Only the captured reprs are left: answer a bare local name from them.
      const locals = held.frames?.[index]?.locals ?? {};
      const name = expression.trim();
      if (Object.prototype.hasOwnProperty.call(locals, name)) return { result: locals[name] };
      return { code: 3004, message: `The worker is not paused, so only its captured locals can be shown (${Object.keys(locals).join(', ') || 'none'}).` };
    }
    try {
      const answer = await this.inWorker(runtime, held.pid, held.id, index, expression);
      return answer.ok ? { result: answer.value } : { code: 3005, message: answer.error };
    } catch (error) {
      return { code: 3006, message: `Cannot evaluate in the worker: ${(error as Error).message}` };
    }
  }

  /**
   * Asks the paused worker to evaluate. The runtime matches the answer to this request by its
   * sequence number, so an answer that comes after its request timed out is never taken for a
   * later one's. Requests go one at a time per process, so each has its whole timeout to itself
   * rather than spending it queued behind a slow one in the worker.
   */
  private inWorker(runtime: TraceRuntime, pid: number, heldId: string, frame: number, expression: string): ReturnType<TraceRuntime['evaluate']> {
    const previous = this.evaluations.get(pid) ?? Promise.resolve();
    // Named by the failure or stop it was paused for: two paused threads of one process answer apart.
    const next = previous.catch(() => undefined).then(() => runtime.evaluate(pid, frame, expression, undefined, heldId));
    this.evaluations.set(pid, next);
    return next;
  }
}
