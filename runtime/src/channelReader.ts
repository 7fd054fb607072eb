/**
 * Tails the tracer's private channel directory: one append-only `<pid>.jsonl` file per process.
 * New complete lines are parsed and handed on in file order; a torn last line waits for its end,
 * kept as bytes: a read may end inside a multi-byte UTF-8 character.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

export interface ChannelRecord {
  kind: string;
  pid: number;
  [field: string]: unknown;
}

interface FileCursor {
  offset: number;
  /** The bytes after the last newline read so far. */
  partial: Buffer;
}

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export class ChannelReader {
  private readonly cursors = new Map<string, FileCursor>();
  private timer: NodeJS.Timeout | undefined;
  private watcher: fs.FSWatcher | undefined;
  /** The drain a write has asked for, not run yet: at most one is ever waiting. */
  private soon: { timer: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  private lastDrain = -Infinity;
  private hurry: (() => boolean) | undefined;

  constructor(
    private readonly dir: string,
    private readonly onRecord: (record: ChannelRecord) => void,
    private readonly pollMs = 50,
    private readonly coalesceMs = 10,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.drain(), this.pollMs);
    try {
      // Watching only speeds delivery up; polling alone is correct.
      this.watcher = fs.watch(this.dir, () => this.wake());
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined;
    }
  }

  /**
   * A write was seen. A write after a quiet spell is read at once (an answer to a control
   * request is awaited: the round trip is the debugger's latency); within `coalesceMs` of the last
   * drain it waits for the end of that window, so a burst of writes (a pool starting, a failure
   * with its frames) costs one drain per window, not one per write: this process shares the
   * machine's cores with the program it is watching. While `hurry` says an answer is awaited,
   * every write is read at once (the writes of one turn of the event loop still in one drain).
   */
  private wake(): void {
    if (this.soon) return;
    const wait = this.hurry?.() ? 0 : this.lastDrain + this.coalesceMs - performance.now();
    const run = (): void => {
      this.soon = undefined;
      this.drain();
    };
    this.soon = wait > 0 ? { timer: setTimeout(run, wait) } : { immediate: setImmediate(run) };
  }

  /** While `awaited()` is true, writes are read without waiting for the coalescing window. */
  hurryWhile(awaited: () => boolean): void {
    this.hurry = awaited;
  }

  /** Reads everything written so far. Called by the timer, the watcher, and once more at the end. */
  drain(): void {
    this.lastDrain = performance.now();
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.jsonl')).sort();
    } catch {
      return;
    }
    for (const name of names) this.drainFile(name);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soon && 'timer' in this.soon) clearTimeout(this.soon.timer);
    else if (this.soon) clearImmediate(this.soon.immediate);
    this.watcher?.close();
    this.timer = undefined;
    this.soon = undefined;
    this.watcher = undefined;
    this.drain();
  }

  private drainFile(name: string): void {
    const cursor = this.cursors.get(name) ?? { offset: 0, partial: EMPTY };
    this.cursors.set(name, cursor);
    let fd: number;
    try {
      fd = fs.openSync(path.join(this.dir, name), 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= cursor.offset) return;
      const buffer = Buffer.alloc(size - cursor.offset);
      const read = fs.readSync(fd, buffer, 0, buffer.length, cursor.offset);
      cursor.offset += read;
      // Split on the newline byte, then decode whole lines: no UTF-8 byte but the newline is 0x0a.
      const bytes = cursor.partial.length > 0 ? Buffer.concat([cursor.partial, buffer.subarray(0, read)]) : buffer.subarray(0, read);
      const end = bytes.lastIndexOf(NEWLINE);
      cursor.partial = Buffer.from(bytes.subarray(end + 1));
      if (end < 0) return;
      for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const record = JSON.parse(line) as ChannelRecord;
          if (record && typeof record.kind === 'string') this.onRecord(record);
        } catch {
          // A line that is not JSON cannot come from the tracer's single-write records; ignore it.
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}
