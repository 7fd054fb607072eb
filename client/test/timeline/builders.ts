/** Small timelines for the tests: events built the way the recorder documents them. */
import type { FailureEvent, LifetimeEvent, MetadataEvent, TaskEvent, TaskOutcome, TimelineFile, WaitEvent } from '../../../protocol/src/timeline';

export function task(pid: number, tid: number, ts: number, dur: number, fn = 'work', extra: Partial<TaskEvent['args']> & { outcome?: TaskOutcome } = {}): TaskEvent {
  return { ph: 'X', cat: 'task', name: fn, pid, tid, ts, dur, args: { function: fn, outcome: 'ok', ...extra } };
}

export function wait(pid: number, tid: number, ts: number, dur: number): WaitEvent {
  return { ph: 'X', cat: 'wait', name: 'get()', pid, tid, ts, dur, args: {} };
}

export function lifetime(pid: number, tid: number, ts: number, dur: number, role: string, end?: string): LifetimeEvent {
  return { ph: 'X', cat: 'lifetime', name: role, pid, tid, ts, dur, args: { role, ...(end ? { end } : {}) } };
}

export function failure(pid: number, tid: number, ts: number, kind: string, message = kind): FailureEvent {
  return { ph: 'i', s: 't', cat: 'failure', name: kind, pid, tid, ts, args: { kind, message } };
}

export function processName(pid: number, name: string): MetadataEvent {
  return { ph: 'M', name: 'process_name', pid, args: { name } };
}

export function threadName(pid: number, tid: number, name: string): MetadataEvent {
  return { ph: 'M', name: 'thread_name', pid, tid, args: { name } };
}

export function file(traceEvents: TimelineFile['traceEvents']): TimelineFile {
  return { traceEvents, displayTimeUnit: 'ms', otherData: { workerscope: 1, program: '/ws/pool.py', runtime: 'python', started: '2026-12-08T01:00:00Z', droppedTasks: 0 } };
}
