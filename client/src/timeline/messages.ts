/**
 * Messages between the extension and the Timeline webview. Plain types: both sides import them.
 */
import type { TimelineEvent, TimelineSite } from '../../../protocol/src/timeline';

export type ToWebview =
  /** A new timeline: drop what is shown. `live`: more batches will follow. */
  | { type: 'load'; title: string; events: TimelineEvent[]; live: boolean; note?: string }
  /** A live batch for the timeline shown. */
  | { type: 'append'; events: TimelineEvent[] }
  /** The live run ended; `note` says where the file was written. */
  | { type: 'ended'; note: string }
  /** Nothing to draw, and why. */
  | { type: 'message'; text: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'open'; site: TimelineSite }
  | { type: 'export' }
  | { type: 'openFile' };
