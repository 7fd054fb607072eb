/**
 * A thread stopped for the debugger where it runs (a breakpoint, a finished step, a pause, a
 * raised or uncaught exception), as the tracer's `stopped` record describes it. Unlike a failure,
 * it belongs to no task and is not part of the trace report: it lasts until the thread resumes.
 */
import { parseFailure, type TraceFrame } from './report';
import { num, str } from './recordFields';

export type StopReason = 'breakpoint' | 'step' | 'pause' | 'exception';

/** A thread stopped where it runs, waiting for `resume()` or a step; it answers requests meanwhile. */
export interface ModelStop {
  kind: 'stop';
  reason: StopReason;
  /** The tracer's stop id (`<pid>-s<n>`). */
  id: string;
  pid: number;
  threadId: number;
  paused: boolean;
  /** Whether it can step: not at an uncaught exception, whose frames are already unwound. */
  steppable: boolean;
  /** The breakpoint's id, as the runtime placed it. */
  breakpoint?: number;
  /** For an exception stop: "uncaught" or "raised". */
  description?: string;
  exception?: { type: string; message: string };
  thread?: string;
  worker?: string;
  /** The stopped thread's stack, outermost first, with locals. */
  frames: TraceFrame[];
}

const REASONS: ReadonlySet<string> = new Set(['breakpoint', 'step', 'pause', 'exception']);

/** The stop a `stopped` record describes, without its owning thread; undefined if malformed. */
export function stopFromRecord(r: Record<string, unknown>, pid: number): Omit<ModelStop, 'threadId'> | undefined {
  const id = str(r.id);
  if (id === undefined) return undefined;
  const frames = parseFailure({ kind: 'exception', frames: r.frames }).frames;
  const reason = typeof r.reason === 'string' && REASONS.has(r.reason) ? (r.reason as StopReason) : 'breakpoint';
  const exc = r.exception && typeof r.exception === 'object' ? (r.exception as Record<string, unknown>) : undefined;
  return {
    kind: 'stop',
    reason,
    id,
    pid,
    paused: r.paused !== false,
    // An older tracer's stops are breakpoints, which can step.
    steppable: r.steppable !== false,
    breakpoint: num(r.breakpoint),
    description: str(r.description),
    exception: exc ? { type: str(exc.type) ?? 'Exception', message: str(exc.message) ?? '' } : undefined,
    thread: str(r.thread),
    worker: str(r.worker),
    frames: frames ?? [],
  };
}
