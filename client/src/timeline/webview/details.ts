/// <reference lib="dom" />
/**
 * The tooltip over a hovered bar or mark, and the summary strip under the canvas. Everything from
 * the timeline file is put in the page as text (textContent), never as markup.
 */
import type { TimelineEvent, TimelineSite } from '../../../../protocol/src/timeline';
import type { Timeline } from '../model';
import { formatDuration, summarize } from '../summary';
import type { Hover } from './render';

/** The event a hover points at. */
export function hoveredEvent(timeline: Timeline, hover: Hover): TimelineEvent {
  const ev = hover.kind === 'mark' ? hover.lane.marks[hover.index] : (hover.kind === 'task' ? hover.lane.tasks : hover.lane.waits).ev[hover.index];
  return timeline.events[ev];
}

/** Where a click on the event goes: a task's function, else its submit site; a wait's or failure's site. */
export function siteOf(event: TimelineEvent): TimelineSite | undefined {
  if (event.ph === 'M') return undefined;
  if (event.ph === 'i') return event.args.site;
  if (event.cat === 'task') return event.args.def ?? event.args.submit;
  return event.cat === 'wait' ? event.args.site : undefined;
}

function where(site: TimelineSite | undefined): string | undefined {
  return site ? `${site.file.split(/[\\/]/).pop()}:${site.line}` : undefined;
}

/** Label/value lines of the tooltip. */
export function describe(timeline: Timeline, hover: Hover): Array<[string, string]> {
  const event = hoveredEvent(timeline, hover);
  const group = timeline.groupOf(hover.lane.pid);
  const worker = `${group?.name ?? hover.lane.pid}${group && group.lanes.length > 1 ? ` · ${hover.lane.name}` : ''}`;
  const lines: Array<[string, string | undefined]> = [];
  if (event.ph === 'X' && event.cat === 'task') {
    const a = event.args;
    lines.push(['task', a.function], ['args', a.args], ['index', a.index !== undefined ? String(a.index) : undefined], ['duration', formatDuration(event.dur)], ['outcome', a.outcome]);
    lines.push(['error', a.error], ['worker', worker], ['pool', a.pool], ['defined at', where(a.def)], ['submitted at', where(a.submit)]);
  } else if (event.ph === 'X' && event.cat === 'wait') {
    lines.push(['wait', event.name], ['duration', formatDuration(event.dur)], ['thread', worker], ['at', where(event.args.site)]);
  } else if (event.ph === 'i') {
    lines.push([event.args.kind, event.args.message], ['in', worker], ['at', formatDuration(Math.max(0, event.ts - timeline.start))], ['site', where(event.args.site)]);
  }
  const site = siteOf(event);
  if (site) lines.push(['', 'click to open']);
  return lines.filter((l): l is [string, string] => l[1] !== undefined);
}

export function showTooltip(tip: HTMLElement, lines: Array<[string, string]>, x: number, y: number, bounds: DOMRect): void {
  tip.replaceChildren(...lines.map(([label, value]) => {
    const row = document.createElement('div');
    if (label) {
      const l = document.createElement('span');
      l.className = 'label';
      l.textContent = `${label} `;
      row.append(l);
    } else {
      row.className = 'hint';
    }
    row.append(document.createTextNode(value));
    return row;
  }));
  tip.hidden = false;
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  tip.style.left = `${Math.min(x + 14, bounds.width - w - 4)}px`;
  tip.style.top = `${y + 16 + h > bounds.height ? Math.max(0, y - h - 8) : y + 16}px`;
}

/** The strip: counts, per-worker busy/idle bars, the slowest tasks (a click reveals one). */
export function renderSummary(strip: HTMLElement, timeline: Timeline, reveal: (ev: number) => void, colours: readonly string[]): void {
  const s = summarize(timeline, 5);
  const head = el('div', 'counts', `${s.tasks.toLocaleString()} tasks · ${s.failures} failure mark${s.failures === 1 ? '' : 's'} · ${s.kills} worker${s.kills === 1 ? '' : 's'} lost · median task ${formatDuration(s.medianTask)}`);
  // The colour key: one swatch per function (the first 20).
  for (const [i, fn] of timeline.functions.slice(0, 20).entries()) {
    const swatch = el('span', 'swatch');
    swatch.style.background = colours[i % colours.length] ?? '';
    const key = el('span', 'key');
    key.append(swatch, document.createTextNode(fn));
    head.append(key);
  }
  const workers = el('div', 'workers');
  workers.append(el('h3', '', 'Workers: busy / idle'));
  for (const w of s.workers) {
    const row = el('div', 'worker');
    const meter = el('span', 'meter');
    const busy = el('span', 'busy');
    busy.style.width = `${w.busyPct.toFixed(1)}%`;
    meter.append(busy);
    row.append(el('span', 'name', w.label), meter, el('span', 'pct', `${Math.round(w.busyPct)}% busy · ${Math.round(w.idlePct)}% idle · ${w.tasks} task${w.tasks === 1 ? '' : 's'}`));
    row.title = `${w.label}: ${formatDuration(w.busy)} running tasks in ${formatDuration(w.span)}`;
    workers.append(row);
  }
  const slow = el('div', 'slowest');
  slow.append(el('h3', '', 'Slowest tasks'));
  for (const t of s.slowest) {
    const times = s.medianTask > 0 ? ` (${(t.dur / s.medianTask).toFixed(1)}× median)` : '';
    const item = el('button', `slow ${t.outcome}`, `${formatDuration(t.dur)}${times}  ${t.function}${t.index !== undefined ? ` [${t.index}]` : ''} · ${t.worker}${t.outcome === 'ok' ? '' : ` · ${t.outcome}`}`);
    item.addEventListener('click', () => reveal(t.ev));
    slow.append(item);
  }
  strip.replaceChildren(head, workers, slow);
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
