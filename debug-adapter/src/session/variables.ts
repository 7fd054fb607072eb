/**
 * What the Variables view shows for a failure: the references the session hands out for stack
 * frames and variable containers, and the Task scope's items (function, arguments, where it was
 * submitted, the worker). Plain data, no DAP requests.
 */
import type { ModelFailure, ModelStop } from '../../../runtime/src/traceModel';

/** What a thread is stopped at: a failure, or a stop where it runs (breakpoint, step, pause...). */
export type Held = ModelFailure | ModelStop;

/** What a paused thread is asked to list: a frame's locals or globals, or a value's children (reached from that frame). */
export type LiveTarget = { frame: number; scope: 'locals' | 'globals' } | { frame: number; ref: number };

/** A DAP stack frame: a worker-side frame (index into the tracer's outermost-first list) or the submission site. */
export interface FrameRef {
  failure: Held;
  index: number | 'submitted';
}

export type VariablesRef =
  | { kind: 'locals'; frame: FrameRef }
  | { kind: 'task'; failure: ModelFailure }
  | { kind: 'items'; items: Array<[string, string]> }
  /** Asked of the paused thread itself while it waits (expandable, settable). */
  | { kind: 'live'; held: Held; target: LiveTarget };

/** The Task scope: name, value and, for arguments, the items to expand. */
export function taskVariables(failure: ModelFailure): Array<[string, string, VariablesRef?]> {
  const items: Array<[string, string, VariablesRef?]> = [];
  const task = failure.task;
  if (task?.function) items.push(['function', task.function]);
  if (task?.args) {
    items.push(['args', `(${task.args.join(', ')}${task.args.length === 1 ? ',' : ''})`, task.args.length > 0 ? { kind: 'items', items: task.args.map((a, i) => [`[${i}]`, a]) } : undefined]);
  }
  if (task?.kwargs && Object.keys(task.kwargs).length > 0) {
    items.push(['kwargs', `{${Object.entries(task.kwargs).map(([k, v]) => `'${k}': ${v}`).join(', ')}}`, { kind: 'items', items: Object.entries(task.kwargs) }]);
  }
  if (task?.index !== undefined) items.push(['index', String(task.index)]);
  if (task?.submittedAt) items.push(['submitted at', `${task.submittedAt.file}:${task.submittedAt.line}`]);
  if (failure.worker) items.push(['worker', failure.worker]);
  if (failure.pid !== undefined) items.push(['pid', String(failure.pid)]);
  if (failure.thread) items.push(['thread', failure.thread]);
  if (failure.exception) items.push(['exception', `${failure.exception.type}: ${failure.exception.message}`]);
  if (failure.signal) items.push(['signal', failure.signal]);
  if (failure.exitCode !== undefined) items.push(['exit code', String(failure.exitCode)]);
  return items;
}
