/// <reference lib="dom" />
/**
 * The Timeline webview's script (bundled by esbuild into dist/timeline-webview.js): keeps its own
 * Timeline fed by the extension's messages, draws it on the canvas and sends back what the user
 * asks for (open a source line, export, open a file).
 */
import type { TimelineEvent } from '../../../../protocol/src/timeline';
import type { FromWebview, ToWebview } from '../messages';
import { Timeline } from '../model';
import { parseTimelineText } from '../parse';
import { TimelineCanvas } from './canvas';
import { describe, hoveredEvent, renderSummary, showTooltip, siteOf } from './details';
import { onThemeChange } from './theme';

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };

const vscode = acquireVsCodeApi();
const canvasElement = document.getElementById('timeline') as HTMLCanvasElement;
const tooltip = document.getElementById('tooltip') as HTMLElement;
const strip = document.getElementById('summary') as HTMLElement;
const title = document.getElementById('title') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const empty = document.getElementById('empty') as HTMLElement;

let timeline = new Timeline();
let summaryTimer: number | undefined;

const canvas = new TimelineCanvas(canvasElement, timeline, {
  hover(hover, x, y) {
    if (!hover) {
      tooltip.hidden = true;
      return;
    }
    showTooltip(tooltip, describe(timeline, hover), x, y, canvasElement.getBoundingClientRect());
    canvasElement.style.cursor = siteOf(hoveredEvent(timeline, hover)) ? 'pointer' : 'default';
  },
  activate(hover) {
    const site = siteOf(hoveredEvent(timeline, hover));
    if (site) vscode.postMessage({ type: 'open', site });
  },
});

function reveal(ev: number): void {
  const e = timeline.events[ev];
  if (e && e.ph === 'X') canvas.reveal(e.ts, e.ts + e.dur);
}

/** The strip is rebuilt at most twice a second while batches arrive. */
function summaryLater(): void {
  if (summaryTimer !== undefined) return;
  summaryTimer = window.setTimeout(() => {
    summaryTimer = undefined;
    renderSummary(strip, timeline, reveal, canvas.palette.functions);
  }, 500);
}

function showEmpty(text: string | undefined): void {
  empty.hidden = text === undefined;
  empty.textContent = text ?? '';
}

/** Shows a timeline's events (`started`: when its load began, for the tests' measurement). */
function showTimeline(message: ToWebview & { type: 'load' }, events: readonly TimelineEvent[], started: number): void {
  timeline = new Timeline(events);
  title.textContent = message.title;
  status.textContent = message.note ?? (message.live ? 'live: filling in as tasks finish' : '');
  canvas.setTimeline(timeline);
  renderSummary(strip, timeline, reveal, canvas.palette.functions);
  showEmpty(timeline.empty ? (message.live ? 'Waiting for the first tasks of the run…' : 'This timeline has no events.') : undefined);
  // How long the page took to take in the timeline (the tests read it).
  canvasElement.dataset.loadMs = (performance.now() - started).toFixed(0);
}

function showMessage(text: string): void {
  timeline = new Timeline();
  canvas.setTimeline(timeline);
  strip.replaceChildren();
  title.textContent = 'Timeline';
  status.textContent = '';
  showEmpty(text);
}

/** Loads are numbered: a file still being read when another load comes is dropped. */
let loads = 0;

async function load(message: ToWebview & { type: 'load' }): Promise<void> {
  const started = performance.now();
  const mine = ++loads;
  if (!message.url) return showTimeline(message, message.events, started);
  showEmpty('Reading the timeline…');
  try {
    const response = await fetch(message.url);
    const name = message.key.split(/[\\/]/).pop() ?? message.key;
    const result = parseTimelineText(await response.text(), name);
    if (mine !== loads) return;
    if (!result.ok) {
      showMessage(result.message);
      vscode.postMessage({ type: 'failed', key: message.key, message: result.message });
      return;
    }
    const { program, started: at } = result.file.otherData;
    const when = at && !isNaN(Date.parse(at)) ? ` · ${new Date(at).toLocaleString()}` : '';
    const heading = `Timeline: ${program ? (program.split(/[\\/]/).pop() ?? program) : name}${when}`;
    showTimeline({ ...message, title: heading }, result.file.traceEvents, started);
    vscode.postMessage({ type: 'loaded', key: message.key, title: heading, program, started: at, skipped: result.skipped, problems: result.problems });
  } catch (error) {
    if (mine !== loads) return;
    const text = `The timeline ${message.key} could not be read: ${(error as Error).message}`;
    showMessage(text);
    vscode.postMessage({ type: 'failed', key: message.key, message: text });
  }
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'load':
      void load(message);
      break;
    case 'append':
      timeline.add(message.events);
      canvas.dataChanged();
      summaryLater();
      showEmpty(timeline.empty ? 'Waiting for the first tasks of the run…' : undefined);
      break;
    case 'ended':
      status.textContent = message.note;
      renderSummary(strip, timeline, reveal, canvas.palette.functions);
      break;
    case 'message':
      loads++;
      showMessage(message.text);
      break;
  }
});

document.getElementById('fit')?.addEventListener('click', () => canvas.fitAll());
document.getElementById('export')?.addEventListener('click', () => vscode.postMessage({ type: 'export' }));
document.getElementById('open')?.addEventListener('click', () => vscode.postMessage({ type: 'openFile' }));
window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement) return;
  if (e.key === '+' || e.key === '=') canvas.zoom(1.5);
  else if (e.key === '-') canvas.zoom(1 / 1.5);
  else if (e.key === '0') canvas.fitAll();
  else if (e.key === 'ArrowLeft') canvas.pan(80);
  else if (e.key === 'ArrowRight') canvas.pan(-80);
});
onThemeChange(() => {
  canvas.themeChanged();
  if (!timeline.empty) renderSummary(strip, timeline, reveal, canvas.palette.functions);
});
// For the end-to-end test's frame-time measurement.
(window as unknown as { workerscopeTimelineFrames: () => number[] }).workerscopeTimelineFrames = () => canvas.frames();
vscode.postMessage({ type: 'ready' });
