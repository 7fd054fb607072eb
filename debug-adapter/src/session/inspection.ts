/**
 * What a stopped thread shows, built as DAP bodies from the trace model: its failure's or
 * breakpoint's frames (innermost first, then where a failed task was submitted), their scopes and variables, and the
 * exception details. Holds the frame and variable handles the session hands out.
 */
import * as path from 'node:path';
import { Handles, Scope, Source, StackFrame } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { sourceReader } from '../../../runtime/src/sourceLines';
import type { ModelFailure } from '../../../runtime/src/traceModel';
import { exceptionDescription, exceptionId, taskText, tracebackText } from './describe';
import { taskVariables, type FrameRef, type Held, type LiveTarget, type VariablesRef } from './variables';

export class FailureInspector {
  private readonly frames = new Handles<FrameRef>();
  private readonly variables = new Handles<VariablesRef>();

  /** `clientLine` converts a line to the client's numbering (the session's linesStartAt1). */
  constructor(private readonly clientLine: (line: number) => number) {}

  frame(frameId: number): FrameRef | undefined {
    return this.frames.get(frameId);
  }

  /** The failure's frames, innermost first, then a label frame at the task's submission. */
  stackFrames(failure: Held | undefined): DebugProtocol.StackFrame[] {
    const all: DebugProtocol.StackFrame[] = [];
    if (!failure) return all;
    const frames = failure.frames ?? [];
    for (let index = frames.length - 1; index >= 0; index--) {
      const frame = frames[index];
      const id = this.frames.create({ failure, index });
      all.push(new StackFrame(id, frame.function, sourceOf(frame.file), this.clientLine(frame.line)));
    }
    const task = failure.kind === 'stop' ? undefined : failure.task;
    const submittedAt = task?.submittedAt;
    if (submittedAt) {
      const id = this.frames.create({ failure, index: 'submitted' });
      const frame: DebugProtocol.StackFrame = new StackFrame(id, `task submitted here: ${taskText(task) ?? 'task'}`, sourceOf(submittedAt.file), this.clientLine(submittedAt.line));
      frame.presentationHint = 'label';
      all.push(frame);
    }
    return all;
  }

  /**
   * Locals (for a worker-side frame), Globals (while the thread waits: asked of it) and the
   * Task scope. A waiting thread's variables are asked of the thread itself, so they expand.
   */
  scopes(frameId: number): DebugProtocol.Scope[] {
    const frame = this.frames.get(frameId);
    const scopes: DebugProtocol.Scope[] = [];
    if (!frame) return scopes;
    const held = frame.failure;
    if (frame.index !== 'submitted') {
      const live = held.paused && held.kind !== 'stall';
      const locals = held.frames?.[frame.index]?.locals;
      const ref: VariablesRef = live ? { kind: 'live', held, target: { frame: frame.index, scope: 'locals' } } : { kind: 'locals', frame };
      const scope: DebugProtocol.Scope = new Scope('Locals', this.variables.create(ref), false);
      scope.presentationHint = 'locals';
      scope.namedVariables = locals ? Object.keys(locals).length : 0;
      scopes.push(scope);
      if (live) scopes.push(new Scope('Globals', this.variables.create({ kind: 'live', held, target: { frame: frame.index, scope: 'globals' } }), true));
    }
    if (held.kind !== 'stop') scopes.push(new Scope('Task', this.variables.create({ kind: 'task', failure: held }), false));
    return scopes;
  }

  /** What a variables reference asks of a waiting thread, if it is one that does. */
  live(reference: number): { held: Held; target: LiveTarget } | undefined {
    const ref = this.variables.get(reference);
    return ref?.kind === 'live' ? ref : undefined;
  }

  /** A reference to a value's children, as the waiting thread numbered them (0: none), reached from `frame`. */
  liveChild(held: Held, ref: number, frame: number): number {
    return ref > 0 ? this.variables.create({ kind: 'live', held, target: { frame, ref } }) : 0;
  }

  /** The Variables view's rows for a waiting thread's answer. */
  liveRows(held: Held, frame: number, variables: ReadonlyArray<{ name: string; value: string; type: string; ref: number }>): DebugProtocol.Variable[] {
    return variables.map((v) => ({ name: v.name, value: v.value, type: v.type || undefined, variablesReference: this.liveChild(held, v.ref, frame) }));
  }

  /** The captured variables of a reference (a thread no longer waiting has only those). */
  variablesOf(reference: number): DebugProtocol.Variable[] {
    const ref = this.variables.get(reference);
    let items: Array<[string, string, VariablesRef?]> = [];
    if (ref?.kind === 'locals' && ref.frame.index !== 'submitted') {
      items = Object.entries(ref.frame.failure.frames?.[ref.frame.index]?.locals ?? {});
    } else if (ref?.kind === 'live' && 'scope' in ref.target && ref.target.scope === 'locals') {
      items = Object.entries(ref.held.frames?.[ref.target.frame]?.locals ?? {});
    } else if (ref?.kind === 'task') {
      items = taskVariables(ref.failure);
    } else if (ref?.kind === 'items') {
      items = ref.items;
    }
    return items.map(([name, value, child]) => ({ name, value, variablesReference: child ? this.variables.create(child) : 0 }));
  }

  /**
   * VS Code's exception widget shows `exceptionId` as its title, then `description`, then
   * `details.stackTrace` (not `details.message`, nor the stopped event's text): each fact goes in
   * one of those three once.
   */
  exceptionInfo(failure: ModelFailure): DebugProtocol.ExceptionInfoResponse['body'] {
    const description = exceptionDescription(failure);
    return {
      exceptionId: exceptionId(failure),
      description,
      breakMode: 'unhandled',
      details: {
        message: failure.exception?.message ?? description,
        typeName: failure.exception?.type,
        fullTypeName: failure.exception?.type,
        stackTrace: tracebackText(failure, sourceReader()),
      },
    };
  }
}

/** A source the editor can open: files only (`<string>`, `<frozen …>` are not). */
function sourceOf(file: string): Source | undefined {
  if (!file || file.startsWith('<')) return undefined;
  return new Source(path.basename(file), file);
}
