/**
 * Decides when to analyse a document after it changed. An edit to a quiet document is analysed on
 * the next turn of the event loop (lowest latency). An edit that finds an analysis still waiting
 * to start is part of a burst (typing faster than we analyse, or edits queued behind a running
 * analysis): the wait restarts, so the burst costs one analysis of its final text.
 */

interface DocState {
  timer: NodeJS.Timeout | undefined;
}

export class AnalysisScheduler {
  private readonly docs = new Map<string, DocState>();

  constructor(
    /** How long a burst waits after its latest edit before it is analysed. */
    private readonly burstMs: number,
    private readonly run: (uri: string) => Promise<void>,
    private readonly onError: (uri: string, error: unknown) => void,
  ) {}

  schedule(uri: string): void {
    const state = this.docs.get(uri) ?? { timer: undefined };
    this.docs.set(uri, state);
    const quiet = state.timer === undefined;
    if (state.timer) clearTimeout(state.timer);
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
