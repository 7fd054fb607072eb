/**
 * Records a run's timeline beside its trace runtime: the records (live, or from the channel once
 * the program has ended) and the spans the processes left in their `<pid>.spans` buffers are
 * folded (timelineFold.ts), handed out in batches while the run lasts, and written at its end as
 * Chrome Trace Event JSON (0600, atomically) when a file was asked for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import type { TimelineEvent, TimelineFile } from '../../protocol/src/timeline';
import { loadEvents } from './channelEvents';
import { writeReportFile } from './report';
import { TimelineFold, monotonicMicros } from './timelineFold';
import type { ChannelRecord } from './channelReader';
import type { RunEnd, TraceRuntime } from './traceRuntime';
import * as wire from './wire';
import type { Obj } from './pyValues';

/** Live batches go out at most this often. */
export const TIMELINE_BATCH_MS = 250;

export interface TimelineOptions {
  /** Absolute path of the program (the file's `otherData.program`). */
  program: string;
  /** Where to write the timeline at the end of the run; none: nothing is written. */
  file?: string;
  /** Read live, with batches while the run lasts (`batch` events); else the channel is folded once the program has ended. */
  live?: boolean;
}

export interface TimelineEnd {
  /** The events not handed out in a batch yet. */
  events: TimelineEvent[];
  timeline: TimelineFile;
  /** The file written, when one was asked for and could be written. */
  file?: string;
  /** Why the file could not be written. */
  error?: string;
}

export interface TimelineRecorderEvents {
  batch: [TimelineEvent[]];
  final: [TimelineEnd];
}

export class TimelineRecorder extends EventEmitter<TimelineRecorderEvents> {
  private readonly fold = new TimelineFold(monotonicMicros());
  private readonly started = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;

  /** Attach before `runtime.launch()` (with `timeline: true` among its options). */
  constructor(private readonly runtime: TraceRuntime, private readonly options: TimelineOptions) {
    super();
    if (options.live) {
      runtime.on('record', (record: ChannelRecord) => this.fold.add(record as unknown as Obj));
      this.timer = setInterval(() => this.sendBatch(), TIMELINE_BATCH_MS);
      this.timer.unref();
    }
    runtime.on('closing', (channelDir: string) => this.closing(channelDir));
    runtime.once('end', (end: RunEnd) => this.end(end));
  }

  private sendBatch(): void {
    const pid = this.runtime.pid;
    if (pid !== undefined) this.fold.setRoot(pid);
    const events = this.fold.take();
    if (events.length > 0) this.emit('batch', events);
  }

  /** The program has ended and every record is read: the channel is still there, for the spans left unwritten. */
  private closing(channelDir: string): void {
    const pid = this.runtime.pid;
    if (pid !== undefined) this.fold.setRoot(pid);
    // Not read live (the CLI: nothing of Node's competes with the program for the cores while it
    // runs): the channel once, now; the report's own fold skipped the spans lines unparsed.
    if (!this.options.live) for (const record of loadEvents(channelDir)) this.fold.add(record);
    readResidualSpans(channelDir, this.fold);
  }

  private end(end: RunEnd): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const rootExit = end.signal ? end.signal : end.exitCode !== null ? `exit code ${end.exitCode}` : undefined;
    const traceEvents = this.fold.finish(monotonicMicros(), rootExit);
    const timeline: TimelineFile = {
      traceEvents,
      displayTimeUnit: 'ms',
      otherData: { workerscope: 1, program: this.options.program, runtime: 'python', started: this.started, droppedTasks: this.fold.droppedTasks },
    };
    const result: TimelineEnd = { events: this.fold.take(), timeline };
    if (this.options.file) {
      try {
        writeReportFile(this.options.file, `${JSON.stringify(timeline)}\n`);
        result.file = path.resolve(this.options.file);
      } catch (error) {
        result.error = `cannot write the timeline ${this.options.file}: ${(error as Error).message}`;
      }
    }
    this.emit('final', result);
  }
}

/** Each `<pid>.spans` buffer: a header of two little-endian int64 (bytes of span text, first span's number), then the spans. */
export function readResidualSpans(channelDir: string, fold: TimelineFold): void {
  let names: string[];
  try {
    names = fs.readdirSync(channelDir).filter((name) => name.endsWith(wire.SPANS_SUFFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(0, -wire.SPANS_SUFFIX.length));
    if (!Number.isInteger(pid)) continue;
    let text = '';
    try {
      const data = fs.readFileSync(path.join(channelDir, name));
      if (data.length < 16) continue;
      const used = Number(data.readBigInt64LE(0));
      const seq = Number(data.readBigInt64LE(8));
      if (used <= 0 || 16 + used > data.length) continue;
      text = data.subarray(16, 16 + used).toString('ascii');
      const spans = JSON.parse(`[${text}]`) as unknown;
      if (Array.isArray(spans)) fold.addResidual(pid, seq, spans);
    } catch {
      fold.lost(text.split('["task"').length - 1); // a torn buffer: its tasks are lost
    }
  }
}
