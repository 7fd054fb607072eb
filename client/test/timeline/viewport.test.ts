/** The canvas's geometry without a canvas: zoom and pan limits, visible bars, sub-pixel merging. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Bars } from '../../src/timeline/model';
import { barAt, firstFrom, fit, panBy, tickStep, timeAt, visibleRuns, xAt, zoomAt, type Run } from '../../src/timeline/viewport';

function bars(pairs: Array<[number, number]>): Bars {
  return { start: pairs.map((p) => p[0]), end: pairs.map((p) => p[1]), ev: pairs.map((_, i) => i), maxDur: Math.max(...pairs.map(([s, e]) => e - s)), sorted: true };
}

test('zooming keeps the time under the cursor in place and stays within the run', () => {
  const whole = fit(0, 1000, 1000);
  const zoomed = zoomAt(whole, 250, 4, 0, 1000);
  assert.ok(Math.abs(timeAt(zoomed, 250) - timeAt(whole, 250)) < 1e-6);
  assert.ok(Math.abs(zoomed.scale - whole.scale * 4) < 1e-9);
  assert.deepEqual(zoomAt(whole, 500, 0.1, 0, 1000), whole, 'no zooming out past the whole run');
  assert.equal(zoomAt(whole, 0, 1e9, 0, 1000).scale, 1000 / 10, 'no zooming in past 10 µs across');
});

test('panning moves by pixels and stops at the run\'s ends', () => {
  const view = zoomAt(fit(0, 1000, 1000), 500, 10, 0, 1000);
  const moved = panBy(view, -100, 0, 1000);
  assert.ok(Math.abs(moved.t0 - (view.t0 + 100 / view.scale)) < 1e-9);
  assert.equal(panBy(view, 1e9, 0, 1000).t0, fit(0, 1000, 1000).t0);
  const right = panBy(view, -1e9, 0, 1000);
  assert.ok(Math.abs(xAt(right, 1010) - 1000) < 1, 'the right end of the run at the right edge');
});

test('only the bars in the window are drawn; a bar longer than the window is found from before it', () => {
  const b = bars([[0, 10], [20, 30], [40, 500], [510, 520], [900, 910]]);
  const out: Run[] = [];
  const n = visibleRuns(b, { t0: 450, scale: 10, width: 600 }, out);
  assert.deepEqual(out.slice(0, n).map((r) => [r.first, r.count, Math.round(r.x), Math.round(r.w)]), [[2, 1, -2, 502], [3, 1, 600, 2]]);
});

test('bars narrower than a pixel merge with narrow neighbours; wide ones stay alone', () => {
  const many: Array<[number, number]> = [];
  for (let i = 0; i < 100_000; i++) many.push([i * 10, i * 10 + 8]);
  const b = bars(many);
  const out: Run[] = [];
  const n = visibleRuns(b, fit(0, 1_000_000, 1000), out);
  assert.ok(n < 1000, `at most a few runs per pixel: ${n}`);
  assert.equal(out.slice(0, n).reduce((s, r) => s + r.count, 0), 100_000, 'every bar is in one run');
  const close = visibleRuns(b, { t0: 0, scale: 1, width: 95 }, out);
  assert.deepEqual(out.slice(0, close).map((r) => r.count), Array(10).fill(1));
});

test('hit testing finds the bar under a time, or the nearest within the slack', () => {
  const b = bars([[0, 10], [20, 30], [40, 500]]);
  assert.equal(barAt(b, 25, 0), 1);
  assert.equal(barAt(b, 300, 0), 2);
  assert.equal(barAt(b, 15, 2), -1);
  assert.equal(barAt(b, 17, 4), 1);
  assert.equal(firstFrom([1, 3, 3, 5], 3), 1);
  assert.equal(firstFrom([1, 3, 5], 9), 3);
});

test('ticks are 1, 2 or 5 times a power of ten', () => {
  assert.equal(tickStep({ t0: 0, scale: 1, width: 1000 }), 100);
  assert.equal(tickStep({ t0: 0, scale: 0.3, width: 1000 }), 500);
  assert.equal(tickStep({ t0: 0, scale: 0.0004, width: 1000 }), 500_000);
});
