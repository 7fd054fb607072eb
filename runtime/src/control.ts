/**
 * Requests to a thread stopped for the debugger, and the records that answer them. A request is
 * the file `ctl/<pid>/<seq>.json` (written `.tmp` then renamed, 0600); then the stop's doorbell
 * FIFO `ctl/<pid>/<id>.bell` is rung, so the waiting thread serves it at once instead of at its
 * next poll. Its answer comes back as a channel record, matched here by pid, seq and stop id.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChannelRecord } from './channelReader';
import * as wire from './wire';

/** Where a Debug Console expression is evaluated from; only `repl` runs statements. */
export type EvaluateContext = 'repl' | 'watch' | 'hover' | 'clipboard' | 'variables';
export type StepKind = 'next' | 'stepIn' | 'stepOut';
/** A value as a stopped thread shows it: `ref` > 0 names its children for `variables()` during that stop. */
export interface ShownValue {
  value: string;
  /** The value's type name; null for statements run in the console. */
  type: string | null;
  ref: number;
}
/** A paused worker's answer to an expression (`value` "" and `type` null for statements). */
export type Evaluation = ({ ok: true } & ShownValue) | { ok: false; error: string };
export interface Variable {
  name: string;
  value: string;
  type: string;
  ref: number;
}
export type VariablesAnswer = { ok: true; variables: Variable[]; total: number } | { ok: false; error: string };
export type SetVariableAnswer = ({ ok: true } & ShownValue) | { ok: false; error: string };
/** A frame's scope (frames indexed outermost first) or the children of a reference, paged. */
export type VariablesTarget = { frame: number; scope: 'locals' | 'globals' } | { ref: number; start?: number; count?: number };
/** A local or global of a frame, or the child `name` of a reference; `value` is an expression evaluated in the frame. */
export type SetVariableTarget = { frame: number; name: string; value: string } & ({ scope: 'locals' | 'globals' } | { ref: number });

/** Who the answers come from: the runtime's `record` events. */
export interface RecordSource {
  on(event: 'record', listener: (record: ChannelRecord) => void): unknown;
  off(event: 'record', listener: (record: ChannelRecord) => void): unknown;
}

interface Pending {
  pid: number;
  /** None for a resume: its answer is the stop's `resumed` record. */
  seq: number | undefined;
  id: string | undefined;
  kind: string;
  settle: (record: ChannelRecord | Error) => void;
}

export class ControlChannel {
  private seq = 0;
  private readonly pending = new Set<Pending>();
  private listening = false;
  private readonly onRecord = (record: ChannelRecord): void => this.answer(record);

  /** `channelDir()`: the running program's channel, undefined when none runs. */
  constructor(
    private readonly channelDir: () => string | undefined,
    private readonly records: RecordSource,
  ) {}

  /** Whether an answer is awaited now. */
  get awaiting(): boolean {
    return this.pending.size > 0;
  }

  /** Puts a request in place for process `pid` and rings the bell of the stop it names; its seq. */
  send(pid: number, message: Record<string, unknown>): number {
    const channelDir = this.channelDir();
    if (!channelDir) throw new Error('no program is running');
    const seq = ++this.seq;
    const dir = path.join(channelDir, wire.CTL_DIR, String(pid));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const final = path.join(dir, `${seq}.json`);
    const tmp = `${final}.tmp`;
    // Write then rename, so the worker never reads half a request; made afresh, so never a
    // file (or link) someone left under that name.
    fs.rmSync(tmp, { force: true });
    fs.writeFileSync(tmp, JSON.stringify({ ...message, seq }), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, final);
    const id = typeof message.id === 'string' ? message.id : undefined;
    ringBells(dir, id);
    return seq;
  }

  /**
   * Sends a request and resolves with the record of kind `answerKind` answering it (same pid and
   * seq, and the stop's id when the request names one). Rejects after `timeoutMs`, or once the
   * stop has resumed or its process exited without answering.
   */
  request(pid: number, message: Record<string, unknown>, answerKind: string, timeoutMs: number): Promise<ChannelRecord> {
    return this.await(pid, this.send(pid, message), typeof message.id === 'string' ? message.id : undefined, answerKind, timeoutMs);
  }

  /**
   * Sends `continue` or a step to stop `id`; resolves with its `resumed` record. Meanwhile the
   * answer is awaited (`awaiting`), so the runtime learns promptly that the thread runs again.
   */
  resume(pid: number, message: Record<string, unknown> & { id: string }, timeoutMs = RESUME_WAIT_MS): Promise<ChannelRecord> {
    this.send(pid, message);
    return this.await(pid, undefined, message.id, wire.RESUMED, timeoutMs);
  }

  private await(pid: number, seq: number | undefined, id: string | undefined, answerKind: string, timeoutMs: number): Promise<ChannelRecord> {
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        pid,
        seq,
        id,
        kind: answerKind,
        settle: (result) => {
          clearTimeout(timer);
          this.pending.delete(pending);
          if (this.pending.size === 0 && this.listening) {
            this.records.off('record', this.onRecord);
            this.listening = false;
          }
          if (result instanceof Error) reject(result);
          else resolve(result);
        },
      };
      const timer = setTimeout(() => pending.settle(new Error('the worker did not answer in time')), timeoutMs);
      this.pending.add(pending);
      if (!this.listening) {
        this.records.on('record', this.onRecord);
        this.listening = true;
      }
    });
  }

  private answer(record: ChannelRecord): void {
    for (const pending of [...this.pending]) {
      if (record.pid !== pending.pid) continue;
      // The tracer echoes the seq as a string (the request's file name).
      if (record.kind === pending.kind && (pending.seq === undefined || String(record.seq) === String(pending.seq))) {
        if (pending.id === undefined || String(record.id) === pending.id) pending.settle(record);
      } else if (record.kind === wire.RESUMED && pending.id !== undefined && String(record.id) === pending.id) {
        // Answers come before the stop's `resumed` in the same file: this one will never come.
        pending.settle(new Error('the thread is no longer stopped'));
      } else if (record.kind === wire.PROCESS_EXIT) {
        pending.settle(new Error('the process has ended'));
      }
    }
  }
}

/**
 * Wakes the waiting thread of stop `id` (without one, every stop of the process). Never blocks
 * and never fails: no reader (ENXIO), a full pipe (EAGAIN), no bell (ENOENT), a link (ELOOP) or a
 * file that is no FIFO only leave the request to the thread's next poll.
 */
export function ringBells(dir: string, id: string | undefined): void {
  let names: string[];
  if (id !== undefined) names = [`${id}${wire.BELL_SUFFIX}`];
  else {
    try {
      names = fs.readdirSync(dir).filter((name) => name.endsWith(wire.BELL_SUFFIX));
    } catch {
      return;
    }
  }
  const flags = fs.constants.O_WRONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW;
  for (const name of names) {
    if (name.includes('/') || name.startsWith('.')) continue;
    let fd: number;
    try {
      fd = fs.openSync(path.join(dir, name), flags);
    } catch {
      continue;
    }
    try {
      if (fs.fstatSync(fd).isFIFO()) fs.writeSync(fd, BELL_BYTE);
    } catch {
      // a full pipe has rung already
    } finally {
      fs.closeSync(fd);
    }
  }
}

const BELL_BYTE = Buffer.from('!');
/** How long a resume is awaited (the reader hurried meanwhile): a thread stopped in a busy process may take a while. */
const RESUME_WAIT_MS = 5000;

/** Reads an answer's value fields; a record is another process's data, so each is checked. */
export function shownValue(record: ChannelRecord): ShownValue {
  return {
    value: typeof record.value === 'string' ? record.value : String(record.value ?? ''),
    type: typeof record.type === 'string' ? record.type : null,
    ref: typeof record.ref === 'number' && Number.isInteger(record.ref) && record.ref > 0 ? record.ref : 0,
  };
}

export function evaluation(record: ChannelRecord): Evaluation {
  return record.ok === true ? { ok: true, ...shownValue(record) } : { ok: false, error: errorOf(record, 'evaluation failed') };
}

export function setVariableAnswer(record: ChannelRecord): SetVariableAnswer {
  return record.ok === true ? { ok: true, ...shownValue(record) } : { ok: false, error: errorOf(record, 'the variable could not be set') };
}

export function variablesAnswer(record: ChannelRecord): VariablesAnswer {
  if (record.ok !== true) return { ok: false, error: errorOf(record, 'the variables could not be read') };
  const variables: Variable[] = [];
  for (const item of Array.isArray(record.variables) ? (record.variables as unknown[]) : []) {
    if (item === null || typeof item !== 'object') continue;
    const v = item as Record<string, unknown>;
    if (typeof v.name !== 'string') continue;
    const shown = shownValue(v as ChannelRecord);
    variables.push({ name: v.name, value: shown.value, type: shown.type ?? '', ref: shown.ref });
  }
  const total = typeof record.total === 'number' && Number.isInteger(record.total) && record.total >= variables.length ? record.total : variables.length;
  return { ok: true, variables, total };
}

function errorOf(record: ChannelRecord, fallback: string): string {
  return typeof record.error === 'string' && record.error !== '' ? record.error : fallback;
}
