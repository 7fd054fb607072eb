/**
 * Tails the tracer's private channel directory: one append-only `<pid>.jsonl` file per process.
 * New complete lines are parsed and handed on in file order; a torn last line waits for its end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ChannelRecord {
  kind: string;
  pid: number;
  [field: string]: unknown;
}

interface FileCursor {
  offset: number;
  partial: string;
}

export class ChannelReader {
  private readonly cursors = new Map<string, FileCursor>();
  private timer: NodeJS.Timeout | undefined;
  private watcher: fs.FSWatcher | undefined;
  private soon: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly onRecord: (record: ChannelRecord) => void,
    private readonly pollMs = 50,
    private readonly coalesceMs = 10,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.drain(), this.pollMs);
    try {
      // Watching only speeds delivery up; polling alone is correct. A burst of writes (a pool
      // starting, a failure with its frames) wakes one drain, not one per write: this process
      // shares the machine's cores with the program it is watching.
      this.watcher = fs.watch(this.dir, () => {
        this.soon ??= setTimeout(() => {
          this.soon = undefined;
          this.drain();
        }, this.coalesceMs);
      });
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined;
    }
  }

  /** Reads everything written so far. Called by the timer, the watcher, and once more at the end. */
  drain(): void {
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
    if (this.soon) clearTimeout(this.soon);
    this.watcher?.close();
    this.timer = undefined;
    this.soon = undefined;
    this.watcher = undefined;
    this.drain();
  }

  private drainFile(name: string): void {
    const cursor = this.cursors.get(name) ?? { offset: 0, partial: '' };
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
      const text = cursor.partial + buffer.subarray(0, read).toString('utf8');
      const lines = text.split('\n');
      cursor.partial = lines.pop() ?? '';
      for (const line of lines) {
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
