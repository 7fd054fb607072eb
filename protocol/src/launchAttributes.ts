/**
 * The `workerscope` launch attributes (package.json, contributes.debuggers), declared once for
 * the client that resolves configurations and the session that runs them.
 */

export const CONSOLE_KINDS = ['internalConsole', 'integratedTerminal', 'externalTerminal'] as const;
export type ConsoleKind = (typeof CONSOLE_KINDS)[number];

export interface LaunchAttributes {
  program?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  python?: string;
  stopOnWorkerFailure?: boolean;
  /** Step and pause in the program's own code only (default true). */
  justMyCode?: boolean;
  detectRaces?: boolean;
  hangTimeout?: number;
  /** Seconds with no task finished while tasks run: the stalled workers are stopped where they are. */
  stallTimeout?: number;
  /**
   * Where the program's input and output go: the Debug Console (pipes; `input()` reads nothing),
   * or a terminal the client opens (DAP `runInTerminal`), where the program reads its input.
   */
  console?: ConsoleKind;
  /**
   * Record a timeline of workers and tasks (protocol/src/timeline.ts): a path writes it there
   * (Chrome Trace Event JSON, 0600); `true` lets the client choose a file in the extension's
   * storage. Live batches reach the client as `workerscope/timeline` events either way.
   */
  timeline?: boolean | string;
  /** Open this saved trace report post-mortem instead of running a program. */
  report?: string;
}
