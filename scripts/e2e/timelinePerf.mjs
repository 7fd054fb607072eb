// Measures the Timeline panel's page at 100,000 tasks in headless Chromium, without code-server:
// the page (client/src/timeline/page.ts, compiled to out/) and dist/timeline-webview.js served
// from memory, a stub of the webview API, a generated run (scripts/timelineSample.mjs). Prints the
// load time, the JS draw time per frame and the frame intervals of zoom and pan driven once per
// animation frame. Usage (after `node esbuild.mjs` and `npx tsc -p tsconfig.test.json`):
//   node scripts/e2e/timelinePerf.mjs [--tasks N] [--screenshot FILE]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { manyTasks } from '../timelineSample.mjs';
import { launchBrowser } from './lib/workbench.mjs';

const require = createRequire(import.meta.url);
const { pageHtml } = require(path.resolve('out/client/src/timeline/page.js'));

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const tasks = Number(opt('--tasks', 100_000));
const ORIGIN = 'http://timeline.test';

/** Serves the page and its script; the page's postMessage goes to `window.__posted`. */
export async function openTimelinePage(context, events, { width = 1400, height = 900 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  const script = readFileSync('dist/timeline-webview.js', 'utf8');
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = route.request().url();
    if (url.endsWith('/timeline-webview.js')) return route.fulfill({ contentType: 'text/javascript', body: script });
    return route.fulfill({ contentType: 'text/html', body: pageHtml(ORIGIN, `${ORIGIN}/timeline-webview.js`, 'testnonce0123456789') });
  });
  await page.addInitScript(() => {
    window.__posted = [];
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m) });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  const started = Date.now();
  await page.evaluate((text) => window.postMessage({ type: 'load', key: 'perf', title: 'perf', events: JSON.parse(text), live: false }, '*'), JSON.stringify(events));
  await page.waitForFunction(() => Number(document.getElementById('timeline').dataset.frames ?? 0) > 0);
  const inPage = Number(await page.evaluate(() => document.getElementById('timeline').dataset.loadMs));
  return { page, loadMs: Date.now() - started, inPage };
}

/** Drives `steps` wheel (or drag) inputs, one per animation frame, and returns the frame intervals. */
async function drive(page, kind, steps) {
  return page.evaluate(({ kind, steps }) => new Promise((resolve) => {
    const canvas = document.getElementById('timeline');
    const box = canvas.getBoundingClientRect();
    const intervals = [];
    let last = 0;
    let i = 0;
    const step = (now) => {
      if (last) intervals.push(now - last);
      last = now;
      if (i++ >= steps) return resolve(intervals);
      const x = box.left + 200 + (box.width - 200) * 0.5;
      if (kind === 'zoom-in') canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: -60, clientX: x, clientY: box.top + 100, bubbles: true, cancelable: true }));
      else if (kind === 'zoom-out') canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: 60, clientX: x, clientY: box.top + 100, bubbles: true, cancelable: true }));
      else canvas.dispatchEvent(new WheelEvent('wheel', { deltaX: i % 40 < 20 ? 40 : -40, clientX: x, clientY: box.top + 100, bubbles: true, cancelable: true }));
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }), { kind, steps });
}

const stat = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${pick(0.5).toFixed(1)} ms, p95 ${pick(0.95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms (${values.length} frames)`;
};

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const context = await launchBrowser();
  try {
    const { page, loadMs, inPage } = await openTimelinePage(context, manyTasks({ tasks }).traceEvents);
    console.log(`${tasks} tasks: the page takes them in (model, layout, summary) in ${inPage} ms; ${loadMs} ms with the transfer from this script`);
    for (const kind of ['zoom-in', 'pan', 'zoom-out']) {
      const before = (await page.evaluate(() => window.workerscopeTimelineFrames())).length;
      const intervals = await drive(page, kind, 90);
      const draws = (await page.evaluate(() => window.workerscopeTimelineFrames())).slice(before);
      console.log(`${kind}: frame interval ${stat(intervals)}; JS draw ${stat(draws)}`);
    }
    const shot = opt('--screenshot');
    if (shot) await page.screenshot({ path: shot });
  } finally {
    await context.close();
  }
}
