/**
 * What makes a timeline valid Chrome Trace Event JSON as the contract (protocol/src/timeline.ts)
 * writes it, checked the same way by the fold's, the CLI's and the debug adapter's tests.
 */
import * as assert from 'node:assert/strict';
import { TIMELINE_CATEGORIES, type TimelineEvent, type TimelineFile } from '../../../protocol/src/timeline';

/** Every event has ph/pid (and tid/ts but metadata), bars a duration >= 0, every lane is named and in time order. */
export function assertValidTimeline(events: readonly TimelineEvent[]): void {
  const named = new Set<string>();
  const lastTs = new Map<string, number>();
  for (const event of events) {
    assert.ok(['X', 'i', 'M'].includes(event.ph), `unknown ph in ${JSON.stringify(event)}`);
    assert.ok(Number.isInteger(event.pid), `pid of ${JSON.stringify(event)}`);
    if (event.ph === 'M') {
      assert.ok(['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index'].includes(event.name));
      if (event.name === 'process_name') named.add(`${event.pid}`);
      if (event.name === 'thread_name') named.add(`${event.pid}:${event.tid}`);
      continue;
    }
    assert.ok(Number.isInteger(event.tid) && Number.isFinite(event.ts) && event.ts >= 0, `tid/ts of ${JSON.stringify(event)}`);
    assert.ok((TIMELINE_CATEGORIES as readonly string[]).includes(event.cat), `cat of ${JSON.stringify(event)}`);
    if (event.ph === 'X') assert.ok(Number.isFinite(event.dur) && event.dur >= 0, `dur of ${JSON.stringify(event)}`);
    else assert.equal(event.s, 't');
    assert.ok(named.has(`${event.pid}`) && named.has(`${event.pid}:${event.tid}`), `lane ${event.pid}:${event.tid} used before it is named`);
    const lane = `${event.pid}:${event.tid}`;
    assert.ok(event.ts >= (lastTs.get(lane) ?? 0), `lane ${lane} out of time order at ${JSON.stringify(event)}`);
    lastTs.set(lane, event.ts);
  }
}

export function assertValidTimelineFile(file: TimelineFile, program: string): void {
  assert.equal(file.displayTimeUnit, 'ms');
  assert.equal(file.otherData.workerscope, 1);
  assert.equal(file.otherData.program, program);
  assert.equal(file.otherData.runtime, 'python');
  assert.ok(!Number.isNaN(Date.parse(file.otherData.started)));
  assert.ok(Number.isInteger(file.otherData.droppedTasks));
  assertValidTimeline(file.traceEvents);
}
