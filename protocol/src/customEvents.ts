/**
 * Custom DAP events the Workerscope debug session sends besides the standard ones, declared once
 * here and imported by both the session and the extension (which receives them through
 * `vscode.debug.onDidReceiveDebugSessionCustomEvent`). Plain types: no DAP, no vscode.
 */
import type { TraceFailure, TraceRace } from './traceReport';

/** A failure found in the run (live) or read from the report (post-mortem), sent once each. */
export const FAILURE_EVENT = 'workerscope/failure';
export interface FailureEventBody {
  /** Unique within the session. */
  id: string;
  /** The DAP thread the failure is shown on. */
  threadId: number;
  /** The DAP thread's name, e.g. `ForkPoolWorker-2 (pid 4711)`. */
  threadName: string;
  failure: TraceFailure;
  postMortem: boolean;
}

/** The readable summary at the end of a run (or at the start of a post-mortem session). */
export const SUMMARY_EVENT = 'workerscope/summary';
export interface SummaryEventBody {
  /** `formatSummary(report)` text, or why there is no report. */
  text: string;
  program: string;
  exitCode: number | null;
  postMortem: boolean;
}

/** A race `detectRaces` found (live: when first seen; post-mortem: each of the report's). */
export const RACE_EVENT = 'workerscope/race';
export interface RaceEventBody {
  race: TraceRace;
  postMortem: boolean;
}
