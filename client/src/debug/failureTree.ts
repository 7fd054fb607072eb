/**
 * The model behind the "Worker Failures" view, kept free of `vscode`: sessions (current and past,
 * kept across window reloads as a bounded snapshot), their failures and races as the debug session
 * reports them, each failure's details and frames innermost first, and the view's badge.
 */
import * as path from 'node:path';
import type { FailureEventBody } from '../../../protocol/src/customEvents';
import type { TraceFailure, TraceFrame, TraceRace } from '../../../protocol/src/traceReport';

export interface SessionEntry {
  id: string;
  name: string;
  /** The traced program (a report session: the report's program), once known. */
  program?: string;
  /** A post-mortem session's report file. */
  report?: string;
  /** The timeline file the session records (`timeline` launch attribute) or recorded. */
  timeline?: string;
  startedAt: Date;
  running: boolean;
  /** The first failures, up to the model's limit per session. */
  failures: FailureEntry[];
  /** Failures beyond that limit: counted, not listed. */
  omitted: number;
  races: TraceRace[];
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
  | { type: 'detail'; entry: FailureEntry; text: string; tooltip?: string; open?: { file: string; line: number } }
  | { type: 'frame'; entry: FailureEntry; frame: TraceFrame; innermost: boolean }
  | { type: 'race'; session: SessionEntry; race: TraceRace }
  | { type: 'note'; text: string };

/** What a tree row shows; the view turns it into a TreeItem. */
export interface NodePresentation {
  label: string;
  description?: string;
  tooltip?: string;
  expandable: boolean;
  icon: 'session' | 'session-running' | 'exception' | 'killed' | 'swallowed' | 'hang' | 'stall' | 'race' | 'detail' | 'frame' | 'note';
  /** File and 1-based line to open when the row is clicked. */
  open?: { file: string; line: number };
}

/** The snapshot kept in the workspace's storage (no locals: the view never shows them). */
export interface StoredFailures {
  version: 1;
  sessions: Array<Omit<SessionEntry, 'startedAt' | 'running'> & { startedAt: string }>;
}

export interface FailureTreeOptions {
  /** Sessions kept (the oldest finished ones go first). */
  maxSessions?: number;
  /** Failures listed per session; more are counted. */
  maxFailures?: number;
  /** The clock, for the time in session labels. */
  now?: () => Date;
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
  /** Ids of the failures counted in `omitted`, so a repeated event is counted once. */
  private readonly omittedIds = new Map<string, Set<string>>();
  private readonly maxSessions: number;
  private readonly maxFailures: number;
  private readonly now: () => Date;

  constructor(options: FailureTreeOptions = {}) {
    this.maxSessions = options.maxSessions ?? 20;
    this.maxFailures = options.maxFailures ?? 200;
    this.now = options.now ?? (() => new Date());
  }

  addSession(id: string, name: string, startedAt = this.now(), about: { program?: string; report?: string; timeline?: string } = {}): SessionEntry {
    let session = this.sessions.find((s) => s.id === id);
    if (!session) {
      session = { id, name, startedAt, running: true, failures: [], omitted: 0, races: [], ...definedOnly(about) };
      this.sessions.unshift(session);
      // Forget the oldest finished sessions beyond the limit.
      while (this.sessions.length > this.maxSessions) {
        const index = this.sessions.map((s) => s.running).lastIndexOf(false);
        if (index < 0) break;
        this.omittedIds.delete(this.sessions[index].id);
        this.sessions.splice(index, 1);
      }
    }
    return session;
  }

  /** The program a session traced, once it is known (a report session learns it from the report). */
  setProgram(id: string, program: string): boolean {
    const session = this.sessions.find((s) => s.id === id);
    if (!session || !program || session.program === program) return false;
    session.program = program;
    return true;
  }

  /** The file a session's timeline was written to (its final live batch says where). */
  setTimeline(id: string, file: string): boolean {
    const session = this.sessions.find((s) => s.id === id);
    if (!session || !file || session.timeline === file) return false;
    session.timeline = file;
    return true;
  }

  endSession(id: string): void {
    const session = this.sessions.find((s) => s.id === id);
    if (session) session.running = false;
  }

  /** Records a failure event; a known id replaces its entry in place (its kind may have changed). */
  addFailure(sessionId: string, sessionName: string, body: FailureEventBody): boolean {
    const session = this.addSession(sessionId, sessionName);
    const entry: FailureEntry = { id: body.id, threadName: body.threadName, failure: withoutLocals(body.failure), postMortem: body.postMortem };
    const index = session.failures.findIndex((f) => f.id === body.id);
    if (index >= 0) {
      if (JSON.stringify(session.failures[index]) === JSON.stringify(entry)) return false;
      session.failures[index] = entry;
      return true;
    }
    if (session.failures.length < this.maxFailures) {
      session.failures.push(entry);
      return true;
    }
    const omitted = this.omittedIds.get(sessionId) ?? new Set<string>();
    this.omittedIds.set(sessionId, omitted);
    if (omitted.has(body.id)) return false;
    omitted.add(body.id);
    session.omitted += 1;
    return true;
  }

  /** Records a race once per site and object (its count grows as the run goes: the summary has the total). */
  addRace(sessionId: string, sessionName: string, race: TraceRace): boolean {
    const session = this.addSession(sessionId, sessionName);
    if (session.races.some((r) => r.file === race.file && r.line === race.line && r.object === race.object)) return false;
    session.races.push({ ...race, pids: race.pids ? [...race.pids] : undefined });
    return true;
  }

  clear(): void {
    this.sessions.length = 0;
    this.omittedIds.clear();
  }

  /** Sessions that reported at least one failure or race or recorded a timeline, newest first, plus running ones. */
  roots(): FailureNode[] {
    return this.sessions.filter((s) => s.running || s.failures.length > 0 || s.races.length > 0 || s.timeline !== undefined).map((session) => ({ type: 'session', session }));
  }

  /**
   * The view's badge: the failures of the running sessions, or when none runs, of the newest
   * session (a clean last run shows none, whatever came before it).
   */
  badge(): { value: number; tooltip: string } | undefined {
    const running = this.sessions.filter((s) => s.running);
    const shown = running.length > 0 ? running : this.sessions.slice(0, 1);
    const value = shown.reduce((n, s) => n + s.failures.length + s.omitted, 0);
    if (value === 0) return undefined;
    const which = shown.length === 1 ? sessionTitle(shown[0], this.now()) : `${shown.length} running sessions`;
    return { value, tooltip: `${value} worker failure${value === 1 ? '' : 's'} in ${which}` };
  }

  children(node: FailureNode): FailureNode[] {
    switch (node.type) {
      case 'session': {
        const s = node.session;
        const rows: FailureNode[] = s.failures.map((entry) => ({ type: 'failure', session: s, entry }));
        if (s.omitted > 0) rows.push({ type: 'note', text: `${s.omitted} more failure${s.omitted === 1 ? '' : 's'} (in the Workerscope Trace output)` });
        rows.push(...s.races.map((race): FailureNode => ({ type: 'race', session: s, race })));
        if (rows.length === 0) rows.push({ type: 'note', text: s.running ? 'no failures so far' : 'no failures' });
        return rows;
      }
      case 'failure':
        return failureChildren(node.entry);
      default:
        return [];
    }
  }

  present(node: FailureNode): NodePresentation {
    switch (node.type) {
      case 'session':
        return presentSession(node.session, this.now());
      case 'failure':
        return presentFailure(node.entry);
      case 'detail':
        return { label: node.text, tooltip: node.tooltip ?? node.text, expandable: false, icon: 'detail', open: node.open };
      case 'frame':
        return {
          label: node.frame.function,
          description: `${path.basename(node.frame.file)}:${node.frame.line}`,
          tooltip: `${node.frame.file}:${node.frame.line}`,
          expandable: false,
          icon: 'frame',
          open: isRealFile(node.frame.file) ? { file: node.frame.file, line: node.frame.line } : undefined,
        };
      case 'race': {
        const r = node.race;
        const what = r.kind === 'unlocked-read-modify-write' ? 'unlocked read-modify-write' : r.kind;
        return {
          label: `race: ${r.object ?? 'shared object'}`,
          description: `${path.basename(r.file)}:${r.line}`,
          tooltip: `${what} of ${r.object ?? 'a shared object'} at ${r.file}:${r.line}\n(updates can be lost: guard it with its lock)`,
          expandable: false,
          icon: 'race',
          open: isRealFile(r.file) ? { file: r.file, line: r.line } : undefined,
        };
      }
      default:
        return { label: node.text, expandable: false, icon: 'note' };
    }
  }

  /** What is kept across window reloads: the sessions with something to show. */
  snapshot(): StoredFailures {
    const sessions = this.sessions.filter((s) => s.failures.length > 0 || s.races.length > 0 || s.omitted > 0 || s.timeline !== undefined);
    return { version: 1, sessions: sessions.map(({ startedAt, running: _running, ...rest }) => ({ ...rest, startedAt: startedAt.toISOString() })) };
  }

  /** Takes back a snapshot of an earlier window (its sessions have ended); anything malformed is left out. */
  restore(stored: unknown): void {
    if (!isObject(stored) || stored.version !== 1 || !Array.isArray(stored.sessions)) return;
    for (const raw of stored.sessions.slice(0, this.maxSessions)) {
      if (!isObject(raw) || typeof raw.id !== 'string' || typeof raw.name !== 'string' || this.sessions.some((s) => s.id === raw.id)) continue;
      const startedAt = new Date(typeof raw.startedAt === 'string' ? raw.startedAt : NaN);
      const failures = Array.isArray(raw.failures) ? raw.failures.flatMap(storedEntry).slice(0, this.maxFailures) : [];
      const races = Array.isArray(raw.races) ? raw.races.filter(isRace) : [];
      this.sessions.push({
        id: raw.id,
        name: raw.name,
        ...(typeof raw.program === 'string' ? { program: raw.program } : {}),
        ...(typeof raw.report === 'string' ? { report: raw.report } : {}),
        ...(typeof raw.timeline === 'string' && raw.timeline !== '' ? { timeline: raw.timeline } : {}),
        startedAt: isNaN(startedAt.getTime()) ? new Date(0) : startedAt,
        running: false,
        failures,
        omitted: typeof raw.omitted === 'number' && raw.omitted >= 0 ? raw.omitted : 0,
        races,
      });
    }
  }
}

/** `crashing_pool.py · 14:02:33`: the program and when its session started. */
function sessionTitle(session: SessionEntry, now: Date): string {
  const program = session.program ? path.basename(session.program) : session.name;
  return `${program} · ${when(session.startedAt, now)}`;
}

function presentSession(session: SessionEntry, now: Date): NodePresentation {
  const n = session.failures.length + session.omitted;
  const races = session.races.length;
  const parts = [`${n} failure${n === 1 ? '' : 's'}`];
  if (races > 0) parts.push(`${races} race${races === 1 ? '' : 's'}`);
  if (session.report) parts.push('report');
  if (session.running) parts.push('running');
  const tooltip = [
    session.name,
    session.program ? `program: ${session.program}` : undefined,
    session.report ? `report: ${session.report}` : undefined,
    `started ${session.startedAt.toLocaleString()}`,
    session.report ? undefined : session.timeline ? `timeline: ${session.timeline}` : 'no timeline recorded (set "timeline": true in the launch configuration to record one)',
  ].filter((line): line is string => line !== undefined).join('\n');
  return { label: sessionTitle(session, now), description: parts.join(' · '), tooltip, expandable: true, icon: session.running ? 'session-running' : 'session' };
}

/**
 * A failure row fits the default side-bar width: a short label (the exception type, or how the
 * worker ended) and the message or the worker as its description; the whole story in the tooltip.
 */
function presentFailure(entry: FailureEntry): NodePresentation {
  const f = entry.failure;
  const message = f.exception?.message ? firstLine(f.exception.message) : undefined;
  const innermost = f.frames && f.frames.length > 0 ? f.frames[f.frames.length - 1] : undefined;
  const at = innermost ?? (f.task?.submittedAt ? { file: f.task.submittedAt.file, line: f.task.submittedAt.line } : undefined);
  return {
    label: shortLabel(f),
    description: message ?? workerOf(entry),
    tooltip: failureTooltip(entry),
    expandable: true,
    icon: f.kind === 'killed' || f.kind === 'exited' ? 'killed' : f.kind === 'swallowed' || f.kind === 'hang' || f.kind === 'stall' ? f.kind : 'exception',
    open: at && isRealFile(at.file) ? { file: at.file, line: at.line } : undefined,
  };
}

function shortLabel(f: TraceFailure): string {
  switch (f.kind) {
    case 'killed':
      return `killed by ${f.signal ?? 'a signal'}`;
    case 'exited':
      return f.exitCode !== undefined ? `exited with ${f.exitCode}` : 'exited';
    case 'swallowed':
      return `never retrieved: ${f.exception?.type ?? 'exception'}`;
    case 'hang':
      return f.reason === 'join-before-drain' ? 'queue deadlock' : 'pool hang';
    case 'stall':
      return f.runningFor !== undefined ? `stalled ${f.runningFor.toFixed(1)} s` : 'stalled';
    default:
      return f.exception?.type ?? KIND_LABEL[f.kind] ?? f.kind;
  }
}

/** Under a failure: the whole message when it does not fit one row, where it ran, its task, then its frames. */
function failureChildren(entry: FailureEntry): FailureNode[] {
  const f = entry.failure;
  const rows: FailureNode[] = [];
  const message = f.exception?.message ?? '';
  if (message.includes('\n') || message.length > 40) {
    for (const line of message.split('\n').filter((l) => l.trim() !== '').slice(0, 10)) rows.push({ type: 'detail', entry, text: line, tooltip: `${f.exception?.type}: ${message}` });
  }
  rows.push({ type: 'detail', entry, text: `in ${entry.threadName}` });
  const task = taskText(f);
  if (task) {
    const at = f.task?.submittedAt;
    rows.push({ type: 'detail', entry, text: `task ${task}`, tooltip: at ? `submitted at ${at.file}:${at.line}` : undefined, open: at && isRealFile(at.file) ? { file: at.file, line: at.line } : undefined });
  }
  const frames = [...(f.frames ?? [])].reverse();
  rows.push(...frames.map((frame, i): FailureNode => ({ type: 'frame', entry, frame, innermost: i === 0 })));
  if (frames.length === 0 && !task) rows.push({ type: 'note', text: 'no frames captured' });
  return rows;
}

function taskText(f: TraceFailure): string | undefined {
  const task = f.task;
  if (!task?.function) return undefined;
  const args = [...(task.args ?? []), ...Object.entries(task.kwargs ?? {}).map(([k, v]) => `${k}=${v}`)].join(', ');
  return `${task.function}(${args})${task.index !== undefined ? ` [item ${task.index}]` : ''}`;
}

function failureTooltip(entry: FailureEntry): string {
  const f = entry.failure;
  const lines = [`${KIND_LABEL[f.kind] ?? f.kind} in ${entry.threadName}`];
  if (f.exception) lines.push(`${f.exception.type}: ${f.exception.message}`);
  if (f.signal) lines.push(`signal ${f.signal}`);
  if (f.kind === 'stall' && f.runningFor !== undefined) lines.push(`no task finished while this one ran for ${f.runningFor.toFixed(1)} s`);
  if (f.afterMainEnded) lines.push('after the main process ended (a consequence of its end)');
  const task = taskText(f);
  if (task) {
    lines.push(`task ${task}`);
    if (f.task?.submittedAt) lines.push(`submitted at ${f.task.submittedAt.file}:${f.task.submittedAt.line}`);
  }
  if (entry.postMortem) lines.push('(from a saved report)');
  return lines.join('\n');
}

/** `ForkPoolWorker-2` from `ForkPoolWorker-2 (pid 4711)`: the row's description is short. */
function workerOf(entry: FailureEntry): string {
  return entry.threadName.replace(/ \(pid \d+\)$/, '');
}

/** `14:02:33` today, `2026-12-06 14:02` on another day (local time). */
function when(date: Date, now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay ? `${time}:${pad(date.getSeconds())}` : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length < text.trim().length ? `${line.trim()} …` : line;
}

/** The view shows no locals: they are dropped, so neither memory nor the stored snapshot holds them. */
function withoutLocals(failure: TraceFailure): TraceFailure {
  return failure.frames ? { ...failure, frames: failure.frames.map(({ file, line, function: fn }) => ({ file, line, function: fn })) } : { ...failure };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A stored failure as the rows read it: its frames, exception and task checked field by field. */
function storedEntry(value: unknown): FailureEntry[] {
  if (!isObject(value) || typeof value.id !== 'string' || typeof value.threadName !== 'string' || !isObject(value.failure)) return [];
  const f = value.failure;
  if (typeof f.kind !== 'string') return [];
  const frames = Array.isArray(f.frames) ? f.frames.filter((x): x is TraceFrame => isObject(x) && typeof x.file === 'string' && typeof x.line === 'number' && typeof x.function === 'string') : undefined;
  const exception = isObject(f.exception) && typeof f.exception.type === 'string' && typeof f.exception.message === 'string' ? f.exception : undefined;
  const task = isObject(f.task) && (f.task.function === undefined || typeof f.task.function === 'string')
    && (f.task.args === undefined || (Array.isArray(f.task.args) && f.task.args.every((a) => typeof a === 'string')))
    && (f.task.kwargs === undefined || (isObject(f.task.kwargs) && Object.values(f.task.kwargs).every((a) => typeof a === 'string')))
    && (f.task.submittedAt === undefined || (isObject(f.task.submittedAt) && typeof f.task.submittedAt.file === 'string' && typeof f.task.submittedAt.line === 'number')) ? f.task : undefined;
  const failure = { ...f, frames, exception, task, runningFor: typeof f.runningFor === 'number' ? f.runningFor : undefined } as TraceFailure;
  return [{ id: value.id, threadName: value.threadName, failure, postMortem: value.postMortem === true }];
}

function isRace(value: unknown): value is TraceRace {
  return isObject(value) && typeof value.file === 'string' && typeof value.line === 'number' && typeof value.count === 'number';
}

function isRealFile(file: string): boolean {
  return file !== '' && !file.startsWith('<');
}
