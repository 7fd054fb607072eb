/**
 * Timelines of debug sessions as their live batches arrive, without vscode: one Timeline per
 * session (the few most recent kept in memory), and the file each one was written to at its end.
 */
import type { TimelineEvent } from '../../../protocol/src/timeline';
import { Timeline } from './model';

export interface LiveTimeline {
  id: string;
  name: string;
  program?: string;
  timeline: Timeline;
  running: boolean;
  /** The file the run wrote, from the final batch. */
  file?: string;
}

export class LiveTimelines {
  private readonly sessions: LiveTimeline[] = [];

  constructor(private readonly keep = 5) {}

  /** Adds a batch; returns the session's timeline and whether this batch started it. */
  append(id: string, name: string, events: readonly TimelineEvent[], program?: string): { live: LiveTimeline; isNew: boolean } {
    let live = this.get(id);
    const isNew = !live;
    if (!live) {
      live = { id, name, program, timeline: new Timeline(), running: true };
      this.sessions.unshift(live);
      // Memory: a finished session's events go first once more than `keep` are held.
      while (this.sessions.length > this.keep) {
        const index = this.sessions.map((s) => s.running).lastIndexOf(false);
        this.sessions.splice(index < 0 ? this.sessions.length - 1 : index, 1);
      }
    }
    live.timeline.add(events);
    return { live, isNew };
  }

  end(id: string, file?: string): LiveTimeline | undefined {
    const live = this.get(id);
    if (!live) return undefined;
    live.running = false;
    if (file) live.file = file;
    return live;
  }

  get(id: string): LiveTimeline | undefined {
    return this.sessions.find((s) => s.id === id);
  }

  /** The newest session with a timeline. */
  latest(): LiveTimeline | undefined {
    return this.sessions[0];
  }
}

/**
 * What the open panel does with a session's batch: `append` when it shows that session, `switch`
 * to it when it shows no running session (a file, a finished run, nothing), else `none` (it keeps
 * the other running session; the batch is still kept for this one).
 */
export function routeBatch(showing: { key: string; live: boolean } | undefined, sessionId: string, sessionRunning: boolean): 'append' | 'switch' | 'none' {
  if (showing?.key === sessionId) return 'append';
  return !showing?.live && sessionRunning ? 'switch' : 'none';
}
