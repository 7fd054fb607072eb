/**
 * The Timeline webview's page: markup, styles from VS Code's theme variables, and a strict CSP
 * (nothing remote; the one script and the styles carry a nonce). No vscode: a test page uses it too.
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce per page (128 random bits). */
export function nonce(): string {
  return randomBytes(16).toString('hex');
}

/** The page: `cspSource` is the webview's resource origin, `script` the bundled script's URI. */
export function pageHtml(cspSource: string, script: string, n: string): string {
  const csp = `default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${n}'; script-src 'nonce-${n}'; font-src ${cspSource}; connect-src ${cspSource};`;
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
<header><strong id="title">Timeline</strong><span id="status"></span>
<span class="hint">wheel: zoom · drag: pan · 0: fit</span>
<button id="fit" title="Show the whole run (0)">Fit</button><button id="open" title="Open a timeline file">Open…</button><button id="export" title="Save as Chrome Trace Event JSON (Perfetto, chrome://tracing)">Export…</button></header>
<div id="plot"><canvas id="timeline" aria-label="Timeline of workers and tasks"></canvas><div id="tooltip" role="tooltip" hidden></div><div id="empty" hidden></div></div>
<section id="summary" aria-label="Summary"></section>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
}

const PAGE_CSS = `
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { display: flex; flex-direction: column; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
header { display: flex; align-items: center; gap: 8px; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
header > * { white-space: nowrap; flex-shrink: 0; }
#title, #status, header .hint { flex-shrink: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
#status { flex-grow: 1; }
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
#summary .key { margin-left: 14px; white-space: nowrap; }
#summary .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
#summary h3 { margin: 2px 0; font-size: 12px; font-weight: 600; }
#summary .worker { display: flex; align-items: center; gap: 6px; }
#summary .worker .name { min-width: 140px; }
#summary .meter { display: inline-block; width: 90px; height: 8px; background: var(--vscode-charts-lines, rgba(128, 128, 128, 0.5)); }
#summary .meter .busy { display: block; height: 100%; background: var(--vscode-charts-blue, #3794ff); }
#summary .slow { display: block; background: none; color: var(--vscode-textLink-foreground); padding: 1px 0; text-align: left; }
#summary .slow.raised, #summary .slow.killed { color: var(--vscode-errorForeground); }
`;
