/**
 * The trace report (version 1) as types: what the runtime writes, the debug session shows, the
 * extension lists and the CLI saves. Its published form is docs/trace-report.schema.json.
 */
export type ProcessRole = 'main' | 'pool-worker' | 'executor-worker' | 'process' | 'thread';
export type FailureKind = 'exception' | 'killed' | 'exited' | 'swallowed' | 'thread-exception' | 'hang' | 'stall';

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
  /** A stall: seconds the task had run when the stall was declared. */
  runningFor?: number;
  /** Recorded after the main process was killed: a consequence of its death, not a cause. */
  afterMainEnded?: boolean;
  /** A hang's cause when known: "join-before-drain" (frames: the parent's join() call, then the child's put sites). */
  reason?: string;
  /** join-before-drain: the items the child had not written into the queue's pipe. */
  items?: number;
  /** A killed worker: why it died and what else it ran, when its task runner says (a Dask nanny's memory limit). */
  cause?: string;
}

export interface TraceProcess {
  pid: number;
  ppid?: number;
  role: ProcessRole;
  name?: string;
  exitCode?: number | null;
  /** The signal that ended it (from a negative exit code, or as the supervisor ended it). */
  signal?: string;
  /** Still alive when the main process ended (the supervisor then ended it). */
  outlived?: boolean;
}

/** A task running when the main process ended (killed, or stopped from the editor). */
export interface TraceInFlight {
  pid: number;
  worker?: string;
  task?: TraceTask;
  /** Seconds it had run by then. */
  runningFor?: number;
  /** Its worker's live stack, outermost first, without locals. */
  frames: TraceFrame[];
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
  runtime?: 'python' | 'node';
  exitCode: number | null;
  processes: TraceProcess[];
  failures: TraceFailure[];
  races: TraceRace[];
  /** Tasks in flight when the main process ended by a signal or was stopped ([] otherwise). */
  inFlight: TraceInFlight[];
}
