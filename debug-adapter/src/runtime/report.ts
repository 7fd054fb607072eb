/**
 * The trace report (version 1) as written by the tracer's supervisor: types, and a loader that
 * checks the shape before anything trusts it (reports may come from another machine's CI).
 */
import * as fs from 'node:fs';

export type ProcessRole = 'main' | 'pool-worker' | 'executor-worker' | 'process' | 'thread';
export type FailureKind = 'exception' | 'killed' | 'exited' | 'swallowed' | 'thread-exception' | 'hang';

export interface TraceFrame {
  file: string;
  line: number;
  function: string;
  locals?: Record<string, string>;
}

export interface TraceTask {
  function?: string;
  args?: string[];
  kwargs?: Record<string, string>;
  index?: number;
  submittedAt?: { file: string; line: number };
}

export interface TraceFailure {
  kind: FailureKind;
  pid?: number;
  thread?: string;
  worker?: string;
  task?: TraceTask;
  exception?: { type: string; message: string };
  signal?: string;
  exitCode?: number;
  frames?: TraceFrame[];
}

export interface TraceProcess {
  pid: number;
  ppid?: number;
  role: ProcessRole;
  name?: string;
  exitCode?: number | null;
}

export interface TraceRace {
  file: string;
  line: number;
  kind: string;
  object?: string;
  count: number;
  pids?: number[];
}

export interface TraceReport {
  version: 1;
  program: string;
  argv: string[];
  python?: string;
  startMethod?: string | null;
  exitCode: number | null;
  processes: TraceProcess[];
  failures: TraceFailure[];
  races: TraceRace[];
}

export class ReportError extends Error {}

/** Validates parsed JSON as a version-1 report, with a message that says what is wrong. */
export function parseReport(json: unknown, source = 'report'): TraceReport {
  if (!json || typeof json !== 'object') throw new ReportError(`${source} is not a JSON object`);
  const r = json as Partial<TraceReport>;
  if (r.version !== 1) throw new ReportError(`${source} has version ${String(r.version)}; this Workerscope reads version 1`);
  if (typeof r.program !== 'string') throw new ReportError(`${source} has no "program"`);
  for (const key of ['processes', 'failures', 'races'] as const) {
    if (r[key] !== undefined && !Array.isArray(r[key])) throw new ReportError(`${source}: "${key}" must be an array`);
  }
  for (const [i, f] of (r.failures ?? []).entries()) {
    if (!f || typeof f !== 'object' || typeof f.kind !== 'string') throw new ReportError(`${source}: failures[${i}] has no "kind"`);
    if (f.frames !== undefined && !Array.isArray(f.frames)) throw new ReportError(`${source}: failures[${i}].frames must be an array`);
  }
  return {
    version: 1,
    program: r.program,
    // The tracer writes null for fields it does not know; the types say "absent".

    argv: Array.isArray(r.argv) ? r.argv : [],
    python: r.python,
    startMethod: r.startMethod,
    exitCode: typeof r.exitCode === 'number' ? r.exitCode : null,
    processes: (r.processes ?? []).map(withoutNulls),
    failures: (r.failures ?? []).map((f) => {
      const failure = withoutNulls(f);
      if (failure.task) failure.task = withoutNulls(failure.task);
      if (failure.frames) failure.frames = failure.frames.map(withoutNulls);
      return failure;
    }),
    races: (r.races ?? []).map(withoutNulls),
  };
}

function withoutNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as T;
}

export function loadReport(file: string): TraceReport {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ReportError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReportError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseReport(json, file);
}
