/**
 * The Debug Console's answers and the live Variables view of a stopped thread: asked of the
 * paused thread itself while it waits (one request at a time per process), else answered from the
 * locals captured when it stopped.
 */
import type { EvaluateContext, SetVariableAnswer, TraceRuntime, VariablesAnswer } from '../../../runtime/src/traceRuntime';
import type { FrameRef, Held, LiveTarget } from './variables';

/** A result for the console (`ref`: the paused thread's reference to its children), or an error with the session's error code. */
export type Answer = { result: string; type?: string; ref?: number } | { code: number; message: string };

export class WorkerEvaluator {
  /** The last evaluation sent to each process: the next one waits for it. */
  private readonly evaluations = new Map<number, Promise<unknown>>();

  async answer(frame: FrameRef | undefined, expression: string, runtime: TraceRuntime | undefined, context?: EvaluateContext): Promise<Answer> {
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
      const pid = held.pid;
      const answer = await this.inWorker(pid, () => runtime.evaluate(pid, index, expression, undefined, held.id, context));
      return answer.ok ? { result: answer.value, type: answer.type ?? undefined, ref: answer.ref } : { code: 3005, message: answer.error };
    } catch (error) {
      return { code: 3006, message: `Cannot evaluate in the worker: ${(error as Error).message}` };
    }
  }

  /** A waiting thread's variables: a frame's locals or globals, or a value's children. */
  variables(held: Held, target: LiveTarget, runtime: TraceRuntime, start?: number, count?: number): Promise<VariablesAnswer> {
    const pid = held.pid as number;
    const asked = 'ref' in target ? { ref: target.ref, start, count } : { frame: target.frame, scope: target.scope };
    return this.inWorker(pid, () => runtime.variables(pid, held.id, asked));
  }

  /** Assigns a variable of a waiting thread; `value` is an expression evaluated in the target's frame. */
  setVariable(held: Held, target: LiveTarget, name: string, value: string, runtime: TraceRuntime): Promise<SetVariableAnswer> {
    const pid = held.pid as number;
    const where = 'ref' in target ? { ref: target.ref } : { scope: target.scope };
    return this.inWorker(pid, () => runtime.setVariable(pid, held.id, { frame: target.frame, name, value, ...where }));
  }

  /**
   * Asks the paused worker. The runtime matches the answer to this request by its sequence
   * number, so an answer that comes after its request timed out is never taken for a later one's.
   * Requests go one at a time per process, so each has its whole timeout to itself rather than
   * spending it queued behind a slow one in the worker. Each names the failure or stop it is for:
   * two paused threads of one process answer apart.
   */
  private inWorker<T>(pid: number, ask: () => Promise<T>): Promise<T> {
    const previous = this.evaluations.get(pid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(ask);
    this.evaluations.set(pid, next);
    return next;
  }
}
