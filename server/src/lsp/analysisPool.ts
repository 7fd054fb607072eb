/**
 * The main thread's side of the analysis worker: forwards tree edits, sends analysis requests and
 * resolves them with findings or "cancelled". It keeps the worker honest: a run that goes on after
 * its version was superseded, or past the time budget, is ended by restarting the worker, and a
 * worker that analysed a very large text is restarted once idle, which gives its memory (the
 * WebAssembly heap only ever grows) back to the system.
 */
import { Worker } from 'node:worker_threads';
import type { StartMethod } from '../engine/names';
import type { Finding, NotebookLayout, SeveritySetting } from '../engine/types';
import { ANALYSIS_WORKER_ROLE, type FromWorker, type ToWorker, type WorkerData } from './analysisProtocol';
import type { TreeEditData } from './treeStore';

/** `modules`: stamps (`path\0stamp`) of the project modules the findings depend on (analysisProtocol.ts). */
export type AnalysisOutcome = { kind: 'findings'; findings: Finding[]; modules: string[] } | { kind: 'cancelled' } | { kind: 'failed'; error: string } | { kind: 'timeout' };

export interface AnalysisPoolOptions {
  /** The script that starts the worker (the server's entry, which branches on ANALYSIS_WORKER_ROLE). */
  entry: string;
  /** How long a superseded run may go on before the worker is restarted to end it. */
  supersededGraceMs: number;
  /** The longest a single analysis may take; the worker is restarted past it. */
  budgetMs: number;
  /** Texts at least this long leave the worker to be restarted once idle. */
  recycleChars: number;
  log: (message: string) => void;
}

interface Pending {
  id: number;
  key: string;
  slot: number;
  version: number;
  chars: number;
  resolve: (outcome: AnalysisOutcome) => void;
  budgetTimer?: NodeJS.Timeout;
}

const SLOTS = 4096;
// A worker that dies this many times in a row before it is ready will not start: stop trying.
const MAX_FAILED_STARTS = 3;
// An analysis of a large file allocates tens of MB of short-lived syntax-node objects: with V8's
// default young generation (16 MB semi-spaces) they are scavenged, copied and promoted several
// times per analysis, which was half of a dense 5,000-line file's time; 32 MB semi-spaces (the
// young generation is three of them) halve that (docs/performance.md).
const YOUNG_GENERATION_MB = 96;

export class AnalysisPool {
  private readonly latest = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly slots = new Map<string, number>();
  private readonly freeSlots: number[] = Array.from({ length: SLOTS - 1 }, (_, i) => SLOTS - 1 - i);
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private recycleWhenIdle = false;
  private disposed = false;
  private failedStarts = 0;
  private broken: string | undefined;
  private readonly overlays = new Map<string, string>();

  constructor(private readonly options: AnalysisPoolOptions) {
    this.start();
  }

  /** Records that `key` is now at `version`: a run of an older version stops at its next check. */
  supersede(key: string, version: number): void {
    const slot = this.slotFor(key);
    Atomics.store(this.latest, slot, version);
    for (const p of this.pending.values()) {
      if (p.key === key && p.version !== version) this.watchSuperseded(p);
    }
  }

  edit(key: string, edits: TreeEditData[]): void {
    if (edits.length > 0) this.post({ kind: 'edit', key, edits });
  }

  /** An open module's unsaved text (undefined once closed), for the analyses of the modules importing it. */
  overlay(file: string, text: string | undefined): void {
    // Kept here too: a restarted worker gets them again.
    if (text === undefined) this.overlays.delete(file);
    else this.overlays.set(file, text);
    this.post({ kind: 'overlay', file, ...(text === undefined ? {} : { text }) });
  }

  /** Files created or deleted on disk, which imports may now find or miss. */
  filesChanged(files: string[]): void {
    if (files.length > 0) this.post({ kind: 'filesChanged', files });
  }

  /** Forgets the key's tree (a whole-document change, or the document closed). */
  drop(key: string, release = false): void {
    this.post({ kind: 'drop', key });
    if (release) {
      const slot = this.slots.get(key);
      if (slot !== undefined && slot !== 0) this.freeSlots.push(slot);
      this.slots.delete(key);
    }
  }

  analyse(request: { key: string; version: number; text: string; file: string; severities: Record<string, SeveritySetting> | undefined; startMethod?: StartMethod; notebook?: NotebookLayout; keepTree: boolean; language?: 'python' | 'javascript'; languageId?: string }): Promise<AnalysisOutcome> {
    const slot = this.slotFor(request.key);
    const id = this.nextId++;
    if (this.broken) return Promise.resolve({ kind: 'failed', error: this.broken });
    return new Promise((resolve) => {
      const p: Pending = { id, key: request.key, slot, version: request.version, chars: request.text.length, resolve };
      this.pending.set(id, p);
      this.post({ kind: 'analyse', id, slot, ...request, language: request.language ?? 'python' });
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.pending.values()) this.settle(p, { kind: 'cancelled' });
    void this.worker.terminate();
  }

  private slotFor(key: string): number {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      // Slot 0 is shared by every key past the 4,095th: a spurious cancellation there only costs a rerun.
      slot = this.freeSlots.pop() ?? 0;
      this.slots.set(key, slot);
    }
    return slot;
  }

  private start(): void {
    const data: WorkerData = { role: ANALYSIS_WORKER_ROLE, latest: this.latest.buffer as SharedArrayBuffer };
    const worker = new Worker(this.options.entry, { workerData: data, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker = worker;
    for (const [file, text] of this.overlays) worker.postMessage({ kind: 'overlay', file, text } satisfies ToWorker);
    let ready = false;
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'ready') {
        ready = true;
        this.failedStarts = 0;
      }
      this.receive(m);
    });
    worker.on('error', (error) => this.options.log(`analysis worker failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker || this.disposed) return;
      // Died on its own (out of memory, a crash): whatever it was doing is lost; start afresh,
      // unless it cannot even start, which would only repeat.
      this.failAll('the analysis worker stopped');
      if (!ready && ++this.failedStarts >= MAX_FAILED_STARTS) {
        this.broken = `the analysis worker could not start (exit code ${code})`;
        this.options.log(this.broken);
        return;
      }
      this.options.log(`analysis worker exited (${code}); restarting it`);
      this.start();
    });
  }

  private receive(m: FromWorker): void {
    if (m.kind === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.kind === 'started') {
      p.budgetTimer = setTimeout(() => this.restart(`analysis of ${p.key} took longer than ${this.options.budgetMs} ms`, p.id), this.options.budgetMs);
    } else if (m.kind === 'result') {
      if (p.chars >= this.options.recycleChars) this.recycleWhenIdle = true;
      this.settle(p, { kind: 'findings', findings: m.findings, modules: m.modules });
    } else if (m.kind === 'cancelled') {
      this.settle(p, { kind: 'cancelled' });
    } else {
      this.settle(p, { kind: 'failed', error: m.error });
    }
    if (this.recycleWhenIdle && this.pending.size === 0) {
      this.recycleWhenIdle = false;
      this.replaceWorker();
    }
  }

  private settle(p: Pending, outcome: AnalysisOutcome): void {
    if (!this.pending.delete(p.id)) return;
    clearTimeout(p.budgetTimer);
    p.resolve(outcome);
  }

  /** A run that keeps going after it was superseded (inside one long rule) is ended by force. */
  private watchSuperseded(p: Pending): void {
    setTimeout(() => {
      if (this.pending.has(p.id) && Atomics.load(this.latest, p.slot) !== p.version) this.restart(`a superseded analysis of ${p.key} did not stop within ${this.options.supersededGraceMs} ms`);
    }, this.options.supersededGraceMs).unref();
  }

  /** Ends the worker's current work: the run `timedOut` (if any) is reported as a timeout, the rest as cancelled. */
  private restart(reason: string, timedOut?: number): void {
    if (this.disposed) return;
    this.options.log(`restarting the analysis worker: ${reason}`);
    for (const p of [...this.pending.values()]) this.settle(p, p.id === timedOut ? { kind: 'timeout' } : { kind: 'cancelled' });
    this.replaceWorker();
  }

  private replaceWorker(): void {
    const old = this.worker;
    this.start();
    void old.terminate();
  }

  private failAll(error: string): void {
    for (const p of [...this.pending.values()]) this.settle(p, { kind: 'failed', error });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }
}
