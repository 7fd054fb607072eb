/**
 * The "Workerscope: Timeline" webview panel: one panel, showing a timeline file or a session's
 * live timeline. Its page has a strict CSP (a nonce for its one bundled script, no remote
 * resources); it opens source lines and exports through the extension.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TimelineSite } from '../../../protocol/src/timeline';
import { writeTimelineFile } from './files';
import type { FromWebview, ToWebview } from './messages';
import type { Timeline } from './model';

export const TIMELINE_VIEW_TYPE = 'workerscope.timeline';

/** What the panel shows: a session's live timeline (by id) or a file's. */
export interface TimelineSource {
  key: string;
  title: string;
  timeline: Timeline;
  live: boolean;
  note?: string;
  program?: string;
  started?: string;
}

export class TimelinePanel {
  private static current: TimelinePanel | undefined;
  private source: TimelineSource | undefined;
  private ready = false;

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly onOpenFile: () => void) {
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
      panel.webview.html = pageHtml(panel.webview, vscode.Uri.joinPath(dist, 'timeline-webview.js'));
      current = new TimelinePanel(panel, onOpenFile);
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
    this.post({ type: 'load', title: source.title, events: source.timeline.events, live: source.live, note: source.note });
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
    }
  }

  private async export(): Promise<void> {
    const source = this.source;
    if (!source || source.timeline.empty) {
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
      const file = source.timeline.toFile({ program: source.program ?? '', started: source.started ?? '' });
      await writeTimelineFile(target.fsPath, JSON.stringify(file));
      void vscode.window.showInformationMessage(`Workerscope: timeline exported to ${target.fsPath} (opens in Perfetto and chrome://tracing).`);
    } catch (error) {
      void vscode.window.showErrorMessage(`Workerscope could not export the timeline: ${(error as Error).message}`);
    }
  }
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

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let text = '';
  for (let i = 0; i < 32; i++) text += chars.charAt(Math.floor(Math.random() * chars.length));
  return text;
}

function pageHtml(webview: vscode.Webview, script: vscode.Uri): string {
  const n = nonce();
  const csp = `default-src 'none'; img-src ${webview.cspSource} data:; style-src 'nonce-${n}'; script-src 'nonce-${n}'; font-src ${webview.cspSource};`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Workerscope Timeline</title>
<style nonce="${n}">${PAGE_CSS}</style>
</head>
<body>
<header><strong id="title">Timeline</strong><span id="status"></span><span class="spacer"></span>
<span class="hint">wheel: zoom · drag: pan · 0: fit</span>
<button id="fit" title="Show the whole run (0)">Fit</button><button id="open" title="Open a timeline file">Open…</button><button id="export" title="Save as Chrome Trace Event JSON (Perfetto, chrome://tracing)">Export…</button></header>
<div id="plot"><canvas id="timeline" aria-label="Timeline of workers and tasks"></canvas><div id="tooltip" role="tooltip" hidden></div><div id="empty" hidden></div></div>
<section id="summary" aria-label="Summary"></section>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}

const PAGE_CSS = `
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { display: flex; flex-direction: column; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
header { display: flex; align-items: center; gap: 8px; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
header .spacer { flex: 1; }
header .hint, #status { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 3px 10px; cursor: pointer; font: inherit; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
#plot { position: relative; flex: 1; min-height: 120px; }
#timeline { position: absolute; inset: 0; width: 100%; height: 100%; cursor: default; }
#timeline.dragging { cursor: grabbing; }
#tooltip { position: absolute; pointer-events: none; max-width: 480px; padding: 4px 8px; background: var(--vscode-editorHoverWidget-background); color: var(--vscode-editorHoverWidget-foreground); border: 1px solid var(--vscode-editorHoverWidget-border); font-size: 12px; white-space: pre-wrap; word-break: break-word; z-index: 2; }
#tooltip .label { color: var(--vscode-descriptionForeground); }
#tooltip .hint { color: var(--vscode-textLink-foreground); }
#empty { position: absolute; inset: 40% 10% auto 10%; text-align: center; color: var(--vscode-descriptionForeground); }
#summary { display: flex; flex-wrap: wrap; gap: 4px 24px; padding: 6px 8px; border-top: 1px solid var(--vscode-panel-border, transparent); max-height: 35%; overflow: auto; font-size: 12px; }
#summary .counts { flex-basis: 100%; color: var(--vscode-descriptionForeground); }
#summary h3 { margin: 2px 0; font-size: 12px; font-weight: 600; }
#summary .worker { display: flex; align-items: center; gap: 6px; }
#summary .worker .name { min-width: 140px; }
#summary .meter { display: inline-block; width: 90px; height: 8px; background: var(--vscode-charts-lines, gray); opacity: 0.9; }
#summary .meter .busy { display: block; height: 100%; background: var(--vscode-charts-blue); }
#summary .slow { display: block; background: none; color: var(--vscode-textLink-foreground); padding: 1px 0; text-align: left; }
#summary .slow.raised, #summary .slow.killed { color: var(--vscode-errorForeground); }
`;
