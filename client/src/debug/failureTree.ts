/**
 * The model behind the "Worker Failures" view, kept free of `vscode`: sessions (current and past),
 * their failures as the debug session reports them, and each failure's frames innermost first.
 */
import * as path from 'node:path';
import type { FailureEventBody } from '../../../protocol/src/customEvents';
import type { TraceFailure, TraceFrame } from '../../../protocol/src/traceReport';

export interface SessionEntry {
  id: string;
  name: string;
  startedAt: Date;
  running: boolean;
  failures: FailureEntry[];
}

export interface FailureEntry {
  id: string;
  threadName: string;
  failure: TraceFailure;
  postMortem: boolean;
}

export type FailureNode =
  | { type: 'session'; session: SessionEntry }
  | { type: 'failure'; session: SessionEntry; entry: FailureEntry }
  | { type: 'frame'; entry: FailureEntry; frame: TraceFrame; innermost: boolean }
  | { type: 'note'; text: string };

/** What a tree row shows; the view turns it into a TreeItem. */
export interface NodePresentation {
  label: string;
  description?: string;
  tooltip?: string;
  expandable: boolean;
  icon: 'session' | 'session-running' | 'exception' | 'killed' | 'swallowed' | 'hang' | 'stall' | 'frame' | 'note';
  /** File and 1-based line to open when the row is clicked. */
  open?: { file: string; line: number };
}

const KIND_LABEL: Record<string, string> = {
  exception: 'raised',
  'thread-exception': 'thread raised',
  killed: 'killed',
  exited: 'exited',
  swallowed: 'never retrieved',
  hang: 'pool hang',
  stall: 'stalled',
};

export class FailureTreeModel {
  private readonly sessions: SessionEntry[] = [];

  constructor(private readonly maxSessions = 20) {}

  addSession(id: string, name: string, startedAt = new Date()): SessionEntry {
    let session = this.sessions.find((s) => s.id === id);
    if (!session) {
      session = { id, name, startedAt, running: true, failures: [] };
      this.sessions.unshift(session);
      // Forget the oldest finished sessions beyond the limit.
      while (this.sessions.length > this.maxSessions) {
        const index = this.sessions.map((s) => s.running).lastIndexOf(false);
        if (index < 0) break;
        this.sessions.splice(index, 1);
      }
    }
    return session;
  }

  endSession(id: string): void {
    const session = this.sessions.find((s) => s.id === id);
    if (session) session.running = false;
  }

  /** Records a failure event; a known id replaces its entry in place (its kind may have changed). */
  addFailure(sessionId: string, sessionName: string, body: FailureEventBody): boolean {
    const session = this.addSession(sessionId, sessionName);
    const entry: FailureEntry = { id: body.id, threadName: body.threadName, failure: body.failure, postMortem: body.postMortem };
    const index = session.failures.findIndex((f) => f.id === body.id);
    if (index < 0) {
      session.failures.push(entry);
      return true;
    }
    if (JSON.stringify(session.failures[index]) === JSON.stringify(entry)) return false;
    session.failures[index] = entry;
    return true;
  }

  clear(): void {
    this.sessions.length = 0;
  }

  /** Sessions that reported at least one failure, newest first, plus running ones. */
  roots(): FailureNode[] {
    return this.sessions.filter((s) => s.running || s.failures.length > 0).map((session) => ({ type: 'session', session }));
  }

  children(node: FailureNode): FailureNode[] {
    switch (node.type) {
      case 'session':
        if (node.session.failures.length === 0) return [{ type: 'note', text: node.session.running ? 'no failures so far' : 'no failures' }];
        return node.session.failures.map((entry) => ({ type: 'failure', session: node.session, entry }));
      case 'failure': {
        const frames = [...(node.entry.failure.frames ?? [])].reverse();
        if (frames.length === 0) {
          const at = node.entry.failure.task?.submittedAt;
          return at
            ? [{ type: 'frame', entry: node.entry, frame: { file: at.file, line: at.line, function: 'task submitted here' }, innermost: true }]
            : [{ type: 'note', text: 'no frames captured' }];
        }
        return frames.map((frame, i) => ({ type: 'frame', entry: node.entry, frame, innermost: i === 0 }));
      }
      default:
        return [];
    }
  }

  present(node: FailureNode): NodePresentation {
    switch (node.type) {
      case 'session': {
        const n = node.session.failures.length;
        return {
          label: node.session.name,
          description: `${n} failure${n === 1 ? '' : 's'}${node.session.running ? ' · running' : ''} · ${node.session.startedAt.toLocaleTimeString()}`,
          expandable: true,
          icon: node.session.running ? 'session-running' : 'session',
        };
      }
      case 'failure': {
        const f = node.entry.failure;
        const what = f.exception ? `${f.exception.type}: ${f.exception.message}` : f.signal ?? (f.exitCode !== undefined ? `exit code ${f.exitCode}` : f.runningFor !== undefined ? `running for ${f.runningFor.toFixed(1)} s` : '');
        const innermost = f.frames && f.frames.length > 0 ? f.frames[f.frames.length - 1] : undefined;
        const at = innermost ?? (f.task?.submittedAt ? { file: f.task.submittedAt.file, line: f.task.submittedAt.line } : undefined);
        return {
          label: `${KIND_LABEL[f.kind] ?? f.kind}: ${node.entry.threadName}`,
          description: what,
          tooltip: failureTooltip(node.entry),
          expandable: true,
          icon: f.kind === 'killed' || f.kind === 'exited' ? 'killed' : f.kind === 'swallowed' || f.kind === 'hang' || f.kind === 'stall' ? f.kind : 'exception',
          open: at && isRealFile(at.file) ? { file: at.file, line: at.line } : undefined,
        };
      }
      case 'frame':
        return {
          label: node.frame.function,
          description: `${path.basename(node.frame.file)}:${node.frame.line}`,
          tooltip: `${node.frame.file}:${node.frame.line}`,
          expandable: false,
          icon: 'frame',
          open: isRealFile(node.frame.file) ? { file: node.frame.file, line: node.frame.line } : undefined,
        };
      default:
        return { label: node.text, expandable: false, icon: 'note' };
    }
  }
}

function failureTooltip(entry: FailureEntry): string {
  const f = entry.failure;
  const lines = [`${KIND_LABEL[f.kind] ?? f.kind} in ${entry.threadName}`];
  if (f.exception) lines.push(`${f.exception.type}: ${f.exception.message}`);
  if (f.signal) lines.push(`signal ${f.signal}`);
  if (f.kind === 'stall' && f.runningFor !== undefined) lines.push(`no task finished while this one ran for ${f.runningFor.toFixed(1)} s`);
  if (f.afterMainEnded) lines.push('after the main process ended (a consequence of its end)');
  const task = f.task;
  if (task?.function) {
    const args = [...(task.args ?? []), ...Object.entries(task.kwargs ?? {}).map(([k, v]) => `${k}=${v}`)].join(', ');
    lines.push(`task ${task.function}(${args})${task.index !== undefined ? ` [item ${task.index}]` : ''}`);
    if (task.submittedAt) lines.push(`submitted at ${task.submittedAt.file}:${task.submittedAt.line}`);
  }
  if (entry.postMortem) lines.push('(from a saved report)');
  return lines.join('\n');
}

function isRealFile(file: string): boolean {
  return file !== '' && !file.startsWith('<');
}
