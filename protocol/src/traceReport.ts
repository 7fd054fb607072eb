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
  /**
   * Node: how the exception surfaced: "uncaughtException", "unhandledRejection",
   * "unhandled-error-event" (an 'error' event nobody listened to), "messageerror", or where
   * structured clone refused a value ("postMessage", "workerData").
   */
  origin?: string;
  /** Node: the class of the emitter whose 'error' event nobody heard (Worker, ChildProcess…). */
  emitter?: string;
  /** Node: a DataCloneError's path to the value that could not be cloned (`msg.options.onProgress: function`). */
  clonePath?: string;
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
  /** Node worker threads (role "thread", pid their process's): the thread's id in its process. */
  threadId?: number;
  /** Node: the id of the thread that created this one (0: the main thread). */
  parentThreadId?: number;
  /** Node: the worker's script (`<eval>` for code). */
  file?: string;
  /** Node: where `new Worker` was called. */
  createdAt?: { file: string; line: number; function?: string };
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
  /** Node programs: the Node version of the program's own process. */
  node?: string;
  exitCode: number | null;
  processes: TraceProcess[];
  failures: TraceFailure[];
  races: TraceRace[];
  /** Tasks in flight when the main process ended by a signal or was stopped ([] otherwise). */
  inFlight: TraceInFlight[];
}
