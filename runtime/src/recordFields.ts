/**
 * Reading the fields of channel records and saved reports for the trace model: the tracer writes
 * null (or nothing) for what it does not know, the model leaves such fields out.
 */
import * as wire from './wire';
import type { ProcessRole, TraceFailure, TraceTask } from './report';

const ROLES: readonly ProcessRole[] = ['main', 'pool-worker', 'executor-worker', 'process', 'thread'];

export function asRole(value: unknown): ProcessRole | undefined {
  return (ROLES as readonly unknown[]).includes(value) ? (value as ProcessRole) : undefined;
}

export function guessRole(worker: string | undefined): ProcessRole {
  if (!worker) return 'process';
  if (worker === 'MainProcess') return 'main';
  if (/PoolWorker/.test(worker)) return 'pool-worker';
  return 'process';
}

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
};

/** POSIX name of a signal number (Linux numbering), or `signal N`. */
export function signalName(signum: number): string {
  return SIGNALS[signum] ?? `signal ${signum}`;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function location(value: unknown): { file: string; line: number } | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  return typeof v.file === 'string' && typeof v.line === 'number' ? { file: v.file, line: v.line } : undefined;
}

export function task(value: unknown): TraceTask | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  return dropUndefined({
    function: str(v.function),
    args: Array.isArray(v.args) ? v.args.map(String) : undefined,
    kwargs: v.kwargs && typeof v.kwargs === 'object' ? Object.fromEntries(Object.entries(v.kwargs).map(([k, x]) => [k, String(x)])) : undefined,
    index: num(v.index),
    submittedAt: location(v.submittedAt),
  });
}

export function exception(value: unknown): { type: string; message: string } | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  return { type: str(v.type) ?? 'Exception', message: str(v.message) ?? '' };
}

export function frames(value: unknown): TraceFailure['frames'] {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object')
    .map((f) => dropUndefined({
      file: str(f.file) ?? '<unknown>',
      line: num(f.line) ?? 0,
      function: str(f.function) ?? '<unknown>',
      locals: f.locals && typeof f.locals === 'object' ? Object.fromEntries(Object.entries(f.locals).map(([k, x]) => [k, String(x)])) : undefined,
    }));
}

/** Leaves out absent fields; reports write `null` for them, the model leaves them out. */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export function normalizeFailure(f: TraceFailure): TraceFailure {
  const failure = dropUndefined({ ...f });
  if (failure.task) failure.task = dropUndefined({ ...failure.task });
  if (failure.frames) failure.frames = failure.frames.map((frame) => dropUndefined({ ...frame }));
  return failure;
}

/** A queue deadlock's reason, frames (the parent's join() call, then the child's put sites) and unwritten items. */
export function joinHangDetails(r: Record<string, unknown>): Partial<TraceFailure> {
  const sites = [r.joinedAt, ...(Array.isArray(r.puts) ? r.puts : [])].map((s) => (s !== null && typeof s === 'object' ? { ...(s as Record<string, unknown>), locals: {} } : s));
  return { reason: wire.HANG_JOIN_BEFORE_DRAIN, frames: frames(sites), items: num(r.items) };
}
