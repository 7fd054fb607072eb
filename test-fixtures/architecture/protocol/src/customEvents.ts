// Deliberate violation: the shared protocol depends on the runtime that shares it.
import type { TraceReport } from '../../runtime/src/report';
export type SummaryEventBody = { report: TraceReport };
