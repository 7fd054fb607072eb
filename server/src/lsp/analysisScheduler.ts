/**
 * Coalesces bursts of edits into one analysis per document: each change restarts a short timer,
 * and a run whose document changed meanwhile is abandoned before it publishes.
 */

export class AnalysisScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly delayMs: number,
    private readonly run: (uri: string) => Promise<void>,
    private readonly onError: (uri: string, error: unknown) => void,
  ) {}

  schedule(uri: string): void {
    this.cancel(uri);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      this.run(uri).catch((error: unknown) => this.onError(uri, error));
    }, this.delayMs);
    this.timers.set(uri, timer);
  }

  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
