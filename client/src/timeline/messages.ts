/**
 * Messages between the extension and the Timeline webview. Plain types: both sides import them.
 */
import type { TimelineEvent, TimelineSite } from '../../../protocol/src/timeline';

export type ToWebview =
  /**
   * A new timeline: drop what is shown. `live`: more batches will follow. `url`: the page reads
   * the events from the file itself (a webview resource), far quicker than a message for 100,000 tasks.
   */
  | { type: 'load'; key: string; title: string; events: TimelineEvent[]; url?: string; live: boolean; note?: string }
  /** A live batch for the timeline shown. */
  | { type: 'append'; events: TimelineEvent[] }
  /** The live run ended; `note` says where the file was written. */
  | { type: 'ended'; note: string }
  /** Nothing to draw, and why. */
  | { type: 'message'; text: string };

export type FromWebview =
  | { type: 'ready' }
  /** The page read the file of load `key`: what it is, and the events it left out. */
  | { type: 'loaded'; key: string; title: string; program: string; started: string; skipped: number; problems: string[] }
  /** The page could not read the file of load `key` (not a Workerscope timeline, unreadable). */
  | { type: 'failed'; key: string; message: string }
  | { type: 'open'; site: TimelineSite }
  | { type: 'export' }
  | { type: 'openFile' };
