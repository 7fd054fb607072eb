/**
 * The "Workerscope: Timeline" webview panel: one panel, showing a timeline file or a session's
 * live timeline. Its page has a strict CSP (a nonce for its one bundled script, no remote
 * resources); it opens source lines and exports through the extension.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TimelineSite } from '../../../protocol/src/timeline';
import { readTimelineFile, writeTimelineFile } from './files';
import { nonce, pageHtml } from './page';
import type { FromWebview, ToWebview } from './messages';
import { Timeline } from './model';

export const TIMELINE_VIEW_TYPE = 'workerscope.timeline';

/** What the panel shows: a session's live timeline (by id) or a file's. */
export interface TimelineSource {
  key: string;
  title: string;
  /** The events, for a session's timeline; a file's the page reads itself (`file`). */
  timeline?: Timeline;
  live: boolean;
  note?: string;
  program?: string;
  started?: string;
  /** The timeline's file: the page reads it (a webview resource), far quicker than a message of 100,000 events. */
  file?: string;
}

export class TimelinePanel {
  private static current: TimelinePanel | undefined;
  private source: TimelineSource | undefined;
  private ready = false;

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly dist: vscode.Uri, private readonly onOpenFile: () => void) {
    panel.onDidDispose(() => {
      if (TimelinePanel.current === this) TimelinePanel.current = undefined;
    });
    panel.webview.onDidReceiveMessage((message: FromWebview) => this.received(message));
  }

  /** The open panel, if any. */
  static get open(): TimelinePanel | undefined {
    return TimelinePanel.current;
  }

  /** Shows `source` in the panel, creating it beside the editor when none is open. */
  static show(extensionUri: vscode.Uri, source: TimelineSource | { message: string }, onOpenFile: () => void): TimelinePanel {
    let current = TimelinePanel.current;
    if (current) {
      current.panel.reveal(undefined, true);
    } else {
      const dist = vscode.Uri.joinPath(extensionUri, 'dist');
      const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, 'Workerscope Timeline', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: true,
        localResourceRoots: [dist],
        // The page holds the whole timeline: rebuilding it on every tab switch would resend it.
        retainContextWhenHidden: true,
      });
      panel.webview.html = pageHtml(panel.webview.cspSource, panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline-webview.js')).toString(), nonce());
      current = new TimelinePanel(panel, dist, onOpenFile);
      TimelinePanel.current = current;
    }
    if ('message' in source) current.showMessage(source.message);
    else current.load(source);
    return current;
  }

  /** The key of the source shown (a session id or a file path). */
  get showing(): TimelineSource | undefined {
    return this.source;
  }

  load(source: TimelineSource): void {
    this.source = source;
    this.panel.title = source.title;
    if (source.file) {
      // The page may read the file's folder (besides the extension's dist/), and only that.
      this.panel.webview.options = { enableScripts: true, localResourceRoots: [this.dist, vscode.Uri.file(path.dirname(source.file))] };
      const url = this.panel.webview.asWebviewUri(vscode.Uri.file(source.file)).toString();
      this.post({ type: 'load', key: source.key, title: source.title, events: [], url, live: false, note: source.note });
      return;
    }
    this.post({ type: 'load', key: source.key, title: source.title, events: source.timeline?.events ?? [], live: source.live, note: source.note });
  }

  append(events: ToWebview & { type: 'append' }): void {
    this.post(events);
  }

  ended(note: string): void {
    if (this.source) this.source.live = false;
    this.post({ type: 'ended', note });
  }

  showMessage(text: string): void {
    this.source = undefined;
    this.post({ type: 'message', text });
  }

  private post(message: ToWebview): void {
    // Until the page's script runs, the 'ready' handler sends the source instead.
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private received(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.source) this.load(this.source);
        break;
      case 'open':
        void openSite(message.site);
        break;
      case 'export':
        void this.export();
        break;
      case 'openFile':
        this.onOpenFile();
        break;
      case 'loaded':
        if (this.source?.key !== message.key) break;
        this.panel.title = message.title;
        this.source.program = message.program;
        this.source.started = message.started;
        if (message.skipped > 0) void vscode.window.showWarningMessage(`Workerscope: ${message.skipped} event${message.skipped === 1 ? ' was' : 's were'} left out of ${path.basename(message.key)} (${message.problems.join('; ')}).`);
        break;
      case 'failed':
        if (this.source?.key === message.key) void vscode.window.showErrorMessage(`Workerscope: ${message.message}`);
        break;
    }
  }

  private async export(): Promise<void> {
    const source = this.source;
    const timeline = source && (await timelineOf(source));
    if (!source || !timeline || timeline.empty) {
      void vscode.window.showInformationMessage('Workerscope: there is no timeline to export yet.');
      return;
    }
    const base = source.program ? path.basename(source.program, path.extname(source.program)) : 'workerscope';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: 'Export the timeline as Chrome Trace Event JSON',
      saveLabel: 'Export',
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}-timeline.json`) : undefined,
      filters: { 'Chrome Trace Event JSON': ['json'] },
    });
    if (!target) return;
    if (target.scheme !== 'file') {
      void vscode.window.showErrorMessage('Workerscope exports timelines to local files only.');
      return;
    }
    try {
      const file = timeline.toFile({ program: source.program ?? '', started: source.started ?? '' });
      await writeTimelineFile(target.fsPath, JSON.stringify(file));
      void vscode.window.showInformationMessage(`Workerscope: timeline exported to ${target.fsPath} (opens in Perfetto and chrome://tracing).`);
    } catch (error) {
      void vscode.window.showErrorMessage(`Workerscope could not export the timeline: ${(error as Error).message}`);
    }
  }
}

/** A session's timeline, or a file's read again (the extension keeps no copy of a file's events). */
async function timelineOf(source: TimelineSource): Promise<Timeline | undefined> {
  if (source.timeline) return source.timeline;
  if (!source.file) return undefined;
  const result = await readTimelineFile(source.file);
  if (!result.ok) {
    void vscode.window.showErrorMessage(`Workerscope: ${result.message}`);
    return undefined;
  }
  return new Timeline(result.file.traceEvents);
}

async function openSite(site: TimelineSite): Promise<void> {
  if (!path.isAbsolute(site.file) || !Number.isInteger(site.line)) return;
  const line = Math.max(0, site.line - 1);
  try {
    await vscode.window.showTextDocument(vscode.Uri.file(site.file), { selection: new vscode.Range(line, 0, line, 0), viewColumn: vscode.ViewColumn.One, preview: true });
  } catch (error) {
    void vscode.window.showErrorMessage(`Workerscope could not open ${site.file}:${site.line}: ${(error as Error).message}`);
  }
}
