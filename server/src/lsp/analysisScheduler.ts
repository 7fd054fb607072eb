/**
 * Decides when to analyse a document after it changed. An edit to a quiet document is analysed on
 * the next turn of the event loop (lowest latency); edits arriving in a rapid burst are coalesced
 * into one trailing run. Edits that arrive while an analysis runs queue behind it and share the
 * next run, since each run reads the latest text.
 */

interface DocState {
  timer: NodeJS.Timeout | undefined;
  /** When the previous change to this document was scheduled (ms since epoch). */
  lastEdit: number;
}

export class AnalysisScheduler {
  private readonly docs = new Map<string, DocState>();

  constructor(
    /** A burst is edits closer together than this; they share one trailing analysis. */
    private readonly burstMs: number,
    private readonly run: (uri: string) => Promise<void>,
    private readonly onError: (uri: string, error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  schedule(uri: string): void {
    const state = this.docs.get(uri) ?? { timer: undefined, lastEdit: Number.NEGATIVE_INFINITY };
    this.docs.set(uri, state);
    if (state.timer) clearTimeout(state.timer);
    const now = this.now();
    const quiet = now - state.lastEdit >= this.burstMs;
    state.lastEdit = now;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.run(uri).catch((error: unknown) => this.onError(uri, error));
    }, quiet ? 0 : this.burstMs);
  }

  cancel(uri: string): void {
    const state = this.docs.get(uri);
    if (state?.timer) clearTimeout(state.timer);
    this.docs.delete(uri);
  }

  dispose(): void {
    for (const state of this.docs.values()) if (state.timer) clearTimeout(state.timer);
    this.docs.clear();
  }
}
