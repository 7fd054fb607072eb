/**
 * The launch attribute `timeline` in DAP terms: a recorder beside the session's runtime whose
 * batches go to the client as `workerscope/timeline` events while the program runs (at most every
 * 250 ms, lanes named before their first event), then a last one with `final: true` and the file.
 */
import { Event, OutputEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { TIMELINE_EVENT, type TimelineEventBody } from '../../../protocol/src/timeline';
import { TimelineRecorder } from '../../../runtime/src/timelineRecorder';
import type { TraceRuntime } from '../../../runtime/src/traceRuntime';

/**
 * Attaches a recorder when the launch asks for a timeline (a path: written there at the end;
 * `true` from a client that chose no file: live events only). Call it before the session listens
 * for the run's end, so that the final batch precedes `terminated`. Returns whether it is on.
 */
export function recordTimeline(runtime: TraceRuntime, attribute: unknown, program: string, send: (event: DebugProtocol.Event) => void): boolean {
  if (attribute === undefined || attribute === null || attribute === false || attribute === '') return false;
  if (attribute !== true && typeof attribute !== 'string') {
    send(new OutputEvent(`Workerscope: "timeline" must be true or a file path, not ${JSON.stringify(attribute)}: no timeline is recorded.\n`, 'important'));
    return false;
  }
  const recorder = new TimelineRecorder(runtime, { program, file: typeof attribute === 'string' ? attribute : undefined, live: true });
  recorder.on('batch', (events) => send(new Event(TIMELINE_EVENT, { events } satisfies TimelineEventBody)));
  recorder.once('final', (end) => {
    if (end.error) send(new OutputEvent(`Workerscope: ${end.error}\n`, 'important'));
    const body: TimelineEventBody = { events: end.events, final: true };
    if (end.file) body.file = end.file;
    send(new Event(TIMELINE_EVENT, body));
  });
  return true;
}
