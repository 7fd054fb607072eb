/**
 * The workers a debug session holds where they run at a stall: stopped by SIGSTOP when the stall
 * is declared, continued by SIGCONT when the user goes on or the program ends.
 */
import type { ChannelRecord } from './channelReader';
import { programProcesses } from './processTree';

export class StallHold {
  private readonly held = new Set<number>();

  /** Stops each stalled worker the record names, if it is a process of this program (never its root). */
  hold(record: ChannelRecord, root: number | undefined, channelDir: string | undefined): void {
    if (root === undefined || !Array.isArray(record.tasks)) return;
    // Only processes of this program: a pid from the channel is never signalled on its word alone.
    const ours = new Set(programProcesses(root, channelDir));
    for (const task of record.tasks as unknown[]) {
      const pid = (task as { pid?: unknown } | null)?.pid;
      if (typeof pid !== 'number' || !ours.has(pid) || pid === root || this.held.has(pid)) continue;
      try {
        process.kill(pid, 'SIGSTOP');
        this.held.add(pid);
      } catch {
        // Gone meanwhile: nothing to hold.
      }
    }
  }

  /** Lets a held worker run on (every one without a pid); true if one was held. */
  release(pid?: number): boolean {
    const pids = pid === undefined ? [...this.held] : this.held.has(pid) ? [pid] : [];
    for (const p of pids) {
      this.held.delete(p);
      try {
        process.kill(p, 'SIGCONT');
      } catch {
        // Ended meanwhile.
      }
    }
    return pids.length > 0;
  }

  holds(pid: number): boolean {
    return this.held.has(pid);
  }

  /** Forgets the held workers without continuing them (the tree is being killed). */
  forget(): void {
    this.held.clear();
  }
}
