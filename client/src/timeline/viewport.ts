/**
 * What the canvas shows, without a canvas: the time window (zoom and pan kept inside the run),
 * the bars of a lane that fall in it, and neighbouring bars narrower than a pixel merged into one
 * run, so a frame costs a scan of the visible bars and at most a few rectangles per pixel column.
 */
import type { Bars } from './model';

export interface View {
  /** Time (µs) at the left edge of the plot. */
  t0: number;
  /** Pixels per microsecond. */
  scale: number;
  /** Plot width in pixels. */
  width: number;
}

/** The smallest window: 10 µs across the plot. */
const MIN_SPAN_US = 10;

/** The whole run across the plot, with a small margin on both sides. */
export function fit(start: number, end: number, width: number): View {
  const span = Math.max(end - start, MIN_SPAN_US);
  const margin = span * 0.01;
  return { t0: start - margin, scale: width / (span + 2 * margin), width };
}

export function timeAt(view: View, x: number): number {
  return view.t0 + x / view.scale;
}

export function xAt(view: View, t: number): number {
  return (t - view.t0) * view.scale;
}

/** Zooms by `factor` (>1 in) keeping the time under `x` in place, within [MIN_SPAN_US, the whole run]. */
export function zoomAt(view: View, x: number, factor: number, start: number, end: number): View {
  const whole = fit(start, end, view.width);
  const maxScale = view.width / MIN_SPAN_US;
  const scale = Math.min(maxScale, Math.max(whole.scale, view.scale * factor));
  const t = timeAt(view, x);
  return clamp({ t0: t - x / scale, scale, width: view.width }, start, end);
}

/** Moves the window by `dx` pixels (a drag to the right shows earlier times). */
export function panBy(view: View, dx: number, start: number, end: number): View {
  return clamp({ ...view, t0: view.t0 - dx / view.scale }, start, end);
}

/** Keeps the window over the run: it may not leave it entirely. */
function clamp(view: View, start: number, end: number): View {
  const whole = fit(start, end, view.width);
  const span = view.width / view.scale;
  const lo = whole.t0;
  const hi = whole.t0 + view.width / whole.scale - span;
  return { ...view, t0: Math.min(Math.max(view.t0, lo), Math.max(lo, hi)) };
}

/** A rectangle to draw: one bar, or several narrow neighbours merged (`count` > 1). */
export interface Run {
  x: number;
  w: number;
  /** The first bar's index in the lane's Bars. */
  first: number;
  count: number;
}

/** Runs narrower than this many pixels take in their neighbours. */
const MERGE_PX = 1;

/**
 * The runs of a lane's bars in the view, left to right, written into `out` (reused between
 * frames). A bar at least a pixel wide is its own run; narrower ones merge with a neighbour that
 * is also narrow and less than a pixel away.
 */
export function visibleRuns(bars: Bars, view: View, out: Run[]): number {
  const tEnd = timeAt(view, view.width);
  let i = firstFrom(bars.start, view.t0 - bars.maxDur);
  let n = 0;
  let open: Run | undefined;
  for (; i < bars.start.length && bars.start[i] <= tEnd; i++) {
    if (bars.end[i] < view.t0) continue;
    const x0 = Math.max(-2, (bars.start[i] - view.t0) * view.scale);
    const x1 = Math.min(view.width + 2, (bars.end[i] - view.t0) * view.scale);
    const narrow = x1 - x0 < MERGE_PX;
    if (open && narrow && open.w < MERGE_PX * 3 && x0 - (open.x + open.w) < MERGE_PX) {
      open.w = Math.max(open.w, x1 - open.x);
      open.count++;
      continue;
    }
    const run = out[n] ?? (out[n] = { x: 0, w: 0, first: 0, count: 0 });
    run.x = x0;
    run.w = x1 - x0;
    run.first = i;
    run.count = 1;
    n++;
    open = narrow ? run : undefined;
  }
  return n;
}

/** The bar under time `t` (or the nearest within `slack` µs), or -1. */
export function barAt(bars: Bars, t: number, slack: number): number {
  let i = firstFrom(bars.start, t - slack - bars.maxDur);
  let best = -1;
  let bestGap = Infinity;
  for (; i < bars.start.length && bars.start[i] <= t + slack; i++) {
    const gap = t < bars.start[i] ? bars.start[i] - t : t > bars.end[i] ? t - bars.end[i] : 0;
    if (gap <= slack && gap < bestGap) {
      best = i;
      bestGap = gap;
    }
  }
  return best;
}

/** The first index whose value is >= `t` in an ascending array. */
export function firstFrom(values: readonly number[], t: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Tick spacing (µs) for about one label per `px` pixels: 1, 2 or 5 times a power of ten. */
export function tickStep(view: View, px = 100): number {
  const raw = px / view.scale;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (power * m >= raw) return power * m;
  return power * 10;
}
