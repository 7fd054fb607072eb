/**
 * The requests a thread waiting in the debugger answers itself: its variables (values expand)
 * and assignments to them, and the exception filters the session offers. Threads that went on
 * show what was captured when they stopped.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { EvaluateContext, TraceRuntime } from '../../../runtime/src/traceRuntime';
import type { WorkerEvaluator } from './evaluation';
import type { FailureInspector } from './inspection';

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'uncaught', label: 'Uncaught exceptions', default: true, description: 'Stop where an exception no code catches was raised, in any process, the main one included, before the program ends.' },
  { filter: 'failures', label: 'Failed tasks and worker deaths', default: true, description: 'Stop in a worker whose task raised, and at a worker killed or stalled while running a task.' },
  { filter: 'raised', label: 'Raised exceptions', default: false, description: 'Stop at every exception raised in your own code, caught or not, in every process and thread (slower).' },
];

/** DAP's evaluate context as the tracer knows it: statements run only in the console (`repl`). */
export function evaluateContext(context: string | undefined): EvaluateContext {
  return context === 'watch' || context === 'hover' || context === 'clipboard' || context === 'variables' ? context : 'repl';
}

/** The Variables view's rows for a reference: asked of a waiting thread, else captured. */
export async function liveVariables(inspector: FailureInspector, evaluator: WorkerEvaluator, runtime: TraceRuntime | undefined, args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
  const live = inspector.live(args.variablesReference);
  if (live?.held.paused && runtime && live.held.pid !== undefined) {
    const answer = await evaluator.variables(live.held, live.target, runtime, args.start, args.count).catch((error: Error) => ({ ok: false as const, error: error.message }));
    if (answer.ok) return inspector.liveRows(live.held, live.target.frame, answer.variables);
  }
  return inspector.variablesOf(args.variablesReference);
}

/** Sets a variable of a waiting thread: the body to answer with, or the error to show. */
export async function setLiveVariable(inspector: FailureInspector, evaluator: WorkerEvaluator, runtime: TraceRuntime | undefined, args: DebugProtocol.SetVariableArguments): Promise<{ body: DebugProtocol.SetVariableResponse['body'] } | { error: DebugProtocol.Message }> {
  const live = inspector.live(args.variablesReference);
  if (!live?.held.paused || !runtime || live.held.pid === undefined) {
    return { error: { id: 3013, format: 'Only the variables of a thread that waits in the debugger can be set.', showUser: true } };
  }
  const answer = await evaluator.setVariable(live.held, live.target, args.name, args.value, runtime).catch((error: Error) => ({ ok: false as const, error: error.message }));
  if (!answer.ok) return { error: { id: 3014, format: answer.error, showUser: true } };
  return { body: { value: answer.value, type: answer.type ?? undefined, variablesReference: inspector.liveChild(live.held, answer.ref, live.target.frame) } };
}
