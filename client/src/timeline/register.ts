/**
 * Wires the Timeline into VS Code: "Show Timeline" and "Open Timeline File…", the button on a
 * session of the Worker Failures view, and the live `workerscope/timeline` events of workerscope
 * debug sessions, which fill the open panel in as they arrive.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TIMELINE_EVENT, type TimelineEventBody } from '../../../protocol/src/timeline';
import { LiveTimelines, routeBatch, type LiveTimeline } from './liveTimelines';
import { TimelinePanel, type TimelineSource } from './panel';

export const SHOW_TIMELINE_COMMAND = 'workerscope.showTimeline';
export const OPEN_TIMELINE_FILE_COMMAND = 'workerscope.openTimelineFile';
export const SHOW_SESSION_TIMELINE_COMMAND = 'workerscope.showSessionTimeline';
const DEBUG_TYPE = 'workerscope';
export const NO_TIMELINE_MESSAGE = 'No timeline was recorded for this session: set "timeline": true in its launch configuration (or run `workerscope run --timeline FILE`).';

/** A session row of the Worker Failures view, as the view passes it to its inline button. */
interface SessionNodeArg {
  type?: string;
  session?: { id: string; name: string; timeline?: string; running?: boolean };
}

export function registerTimeline(context: vscode.ExtensionContext): LiveTimelines {
  const live = new LiveTimelines();
  const show = (source: TimelineSource | { message: string }): void => {
    TimelinePanel.show(context.extensionUri, source, () => void vscode.commands.executeCommand(OPEN_TIMELINE_FILE_COMMAND));
  };
  // The page reads and checks the file (and says here what it found); this only makes sure it is there.
  const openFile = async (file: string): Promise<void> => {
    try {
      if (!(await fs.promises.stat(file)).isFile()) throw new Error('not a file');
    } catch (error) {
      const gone = (error as NodeJS.ErrnoException).code === 'ENOENT';
      void vscode.window.showErrorMessage(`Workerscope: ${gone ? `the timeline ${file} does not exist (any more).` : `the timeline ${file} could not be read: ${(error as Error).message}`}`);
      return;
    }
    show({ key: file, title: `Timeline: ${path.basename(file)}`, live: false, note: file, file });
  };
  const pickFile = async (): Promise<void> => {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Open Timeline', title: 'Open a Workerscope timeline', filters: { 'Timeline (Chrome Trace JSON)': ['json'], 'All files': ['*'] } });
    if (picked?.[0]) await openFile(picked[0].fsPath);
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_TIMELINE_COMMAND, async (arg?: unknown) => {
      const file = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : undefined;
      if (file) return openFile(file);
      // The newest run's timeline: from memory while it runs, from its file once written.
      const latest = live.latest();
      if (latest && !latest.running && latest.file) return openFile(latest.file);
      if (latest) return show(liveSource(latest));
      return pickFile();
    }),
    vscode.commands.registerCommand(OPEN_TIMELINE_FILE_COMMAND, pickFile),
    vscode.commands.registerCommand(SHOW_SESSION_TIMELINE_COMMAND, async (node?: SessionNodeArg) => {
      const session = node?.session;
      if (!session) {
        await vscode.commands.executeCommand(SHOW_TIMELINE_COMMAND);
        return;
      }
      let inMemory = live.get(session.id);
      // A run that has sent nothing yet: the panel waits for its first batch.
      if (!inMemory && session.running) inMemory = live.append(session.id, session.name, []).live;
      if (inMemory && (inMemory.running || !inMemory.file)) {
        show(liveSource(inMemory));
        return;
      }
      const file = inMemory?.file ?? session.timeline;
      if (file) await openFile(file);
      else void vscode.window.showInformationMessage(`Workerscope: ${NO_TIMELINE_MESSAGE}`);
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (event.session.type !== DEBUG_TYPE || event.event !== TIMELINE_EVENT) return;
      received(live, event.session, event.body as TimelineEventBody, show);
    }),
    // A session that ends without a final batch (stopped, or the adapter records none) is no longer live.
    vscode.debug.onDidTerminateDebugSession((session) => {
      const entry = live.get(session.id);
      if (!entry?.running) return;
      live.end(session.id);
      if (TimelinePanel.open?.showing?.key === session.id) TimelinePanel.open.ended(endNote(entry));
    }),
  );
  return live;
}

/** A live batch: into the session's timeline, and into the panel when it shows that session (or no running one). */
function received(live: LiveTimelines, session: vscode.DebugSession, body: TimelineEventBody, show: (source: TimelineSource) => void): void {
  const events = Array.isArray(body?.events) ? body.events : [];
  const program = (session.configuration as { program?: unknown }).program;
  const { live: entry } = live.append(session.id, session.name, events, typeof program === 'string' ? program : undefined);
  const panel = TimelinePanel.open;
  const route = panel ? routeBatch(panel.showing, session.id, entry.running) : 'none';
  if (route === 'append' && events.length > 0) panel?.append({ type: 'append', events });
  else if (route === 'switch') show(liveSource(entry));
  if (body?.final) {
    live.end(session.id, typeof body.file === 'string' ? body.file : undefined);
    if (panel?.showing?.key === session.id) panel.ended(endNote(entry));
  }
}

function liveSource(entry: LiveTimeline): TimelineSource {
  const name = entry.program ? path.basename(entry.program) : entry.name;
  return { key: entry.id, title: `Timeline: ${name}`, timeline: entry.timeline, live: entry.running, note: entry.running ? undefined : endNote(entry), program: entry.program };
}

function endNote(entry: LiveTimeline): string {
  return entry.file ? `run ended · recorded in ${entry.file}` : 'run ended';
}
