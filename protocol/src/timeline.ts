/**
 * The timeline of a run: what the runtime records with `timeline` on, what `workerscope run
 * --timeline FILE` writes and what the Timeline panel draws. One format for all three: Chrome's
 * Trace Event JSON (it opens in Perfetto and chrome://tracing as it is), with Workerscope's facts
 * in each event's `args`. Plain types: no DAP, no vscode.
 */

/** Microseconds since the run started, on the one monotonic clock every process shares. */
export type Micros = number;

/** Event categories: what a lane's bar or mark stands for. */
export const TIMELINE_CATEGORIES = ['task', 'wait', 'lifetime', 'failure'] as const;
export type TimelineCategory = (typeof TIMELINE_CATEGORIES)[number];

/** How a task's run ended. `unfinished`: still running when the run (or the live view) ended. */
export type TaskOutcome = 'ok' | 'raised' | 'killed' | 'unfinished';

/** A source position the panel can open (absolute path, 1-based line). */
export interface TimelineSite {
  file: string;
  line: number;
}

/** `args` of a `task` event: one task run by a pool, executor or Process. */
export interface TaskArgs {
  /** Qualified name of the function the task runs (`process_item`, `Worker.run`). */
  function: string;
  /** Where that function is defined, when known. */
  def?: TimelineSite;
  /** Where the task was submitted (`pool.map(...)`, `executor.submit(...)`), when known. */
  submit?: TimelineSite;
  /** Index of the task in its map/chunk (0-based), when it has one. */
  index?: number;
  /** Short repr of the arguments (at most 80 characters). */
  args?: string;
  /** The pool or executor (the report's id for it), when the task came from one. */
  pool?: string;
  outcome: TaskOutcome;
  /** `Type: message` (one line, at most 200 characters) when the task raised or was killed. */
  error?: string;
}

/** `args` of a `wait` event: a thread waiting on results (`get()`, `result()`, `join()`, `map`). */
export interface WaitArgs {
  /** Where the wait was called. */
  site?: TimelineSite;
}

/** `args` of a `lifetime` event: a process or thread from its start to its end. */
export interface LifetimeArgs {
  /** The report's role (`main`, `pool-worker`, `executor-worker`, `process`, `thread`). */
  role: string;
  /** How it ended: `exit code N`, `SIGKILL`, `running` (still alive when recorded). */
  end?: string;
}

/** `args` of a `failure` mark: a failure, kill, hang, stall or race the report also lists. */
export interface FailureArgs {
  /** `task-exception`, `worker-lost`, `process-exception`, `thread-exception`, `hang`, `stall`, `race`. */
  kind: string;
  /** One line, at most 200 characters. */
  message: string;
  site?: TimelineSite;
}

interface EventBase {
  /** Bar label: the task's function, the wait's call, the process/thread name, the failure's title. */
  name: string;
  /** OS process id; one lane group per process. */
  pid: number;
  /** The thread's native id; one lane per (pid, tid). */
  tid: number;
  ts: Micros;
}

/** A bar: `ph: 'X'` with a duration. */
export interface TaskEvent extends EventBase { ph: 'X'; cat: 'task'; dur: Micros; args: TaskArgs }
export interface WaitEvent extends EventBase { ph: 'X'; cat: 'wait'; dur: Micros; args: WaitArgs }
export interface LifetimeEvent extends EventBase { ph: 'X'; cat: 'lifetime'; dur: Micros; args: LifetimeArgs }
/** A mark: an instant event (`ph: 'i'`) scoped to its thread. */
export interface FailureEvent extends EventBase { ph: 'i'; s: 't'; cat: 'failure'; args: FailureArgs }
/** Lane names: `process_name` (args.name `ForkPoolWorker-2`), `thread_name`, `process_sort_index`. */
export interface MetadataEvent {
  ph: 'M';
  name: 'process_name' | 'thread_name' | 'process_sort_index' | 'thread_sort_index';
  pid: number;
  tid?: number;
  args: { name?: string; sort_index?: number };
}

export type TimelineEvent = TaskEvent | WaitEvent | LifetimeEvent | FailureEvent | MetadataEvent;

/** The file `--timeline FILE` writes (and the panel exports and opens). */
export interface TimelineFile {
  traceEvents: TimelineEvent[];
  displayTimeUnit: 'ms';
  otherData: {
    /** Marks the file as Workerscope's (the panel refuses other traces with a clear message). */
    workerscope: 1;
    program: string;
    runtime: 'python' | 'node';
    /** Wall-clock time the run started (ISO 8601), for the panel's title. */
    started: string;
    /** Tasks whose begin/end were not recorded (a buffer lost with a killed worker, a cap hit). */
    droppedTasks: number;
  };
}

/**
 * Live, while a session runs: the events recorded since the last batch (sent at most every
 * 250 ms; metadata before the events that use its lanes; a task's bar when it ends). After the
 * program ends, `final: true` carries the path of the file written (when one was).
 */
export const TIMELINE_EVENT = 'workerscope/timeline';
export interface TimelineEventBody {
  events: TimelineEvent[];
  final?: boolean;
  file?: string;
}
