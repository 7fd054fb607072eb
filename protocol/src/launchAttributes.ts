/**
 * The `workerscope` launch attributes (package.json, contributes.debuggers), declared once for
 * the client that resolves configurations and the session that runs them.
 */

export interface LaunchAttributes {
  program?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  python?: string;
  stopOnWorkerFailure?: boolean;
  detectRaces?: boolean;
  hangTimeout?: number;
  /** Seconds with no task finished while tasks run: the stalled workers are stopped where they are. */
  stallTimeout?: number;
  /** Open this saved trace report post-mortem instead of running a program. */
  report?: string;
}
