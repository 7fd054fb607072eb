/// <reference lib="dom" />
/**
 * Draws one frame of the timeline on the canvas: the time axis, a header row per process and a
 * lane per thread (lifetime band, wait band, task bars coloured by function, failure and kill
 * marks). Only what is in the window is drawn; rectangles are filled in one path per colour.
 */
import { isKill, OUTCOME_CODE, type Bars, type Lane, type LaneGroup, type Timeline } from '../model';
import { formatDuration } from '../summary';
import { tickStep, visibleRuns, xAt, type Run, type View } from '../viewport';
import type { Palette } from './theme';

export const LABEL_W = 200;
export const AXIS_H = 22;
export const GROUP_H = 20;
export const LANE_H = 22;

export interface Row {
  y: number;
  h: number;
  group: LaneGroup;
  lane?: Lane;
  /** The process's only lane: labelled with the process. */
  single?: boolean;
}

export interface Hover {
  lane: Lane;
  kind: 'task' | 'wait' | 'mark';
  /** Index in the lane's bars, or in its marks. */
  index: number;
}

export interface Scene {
  timeline: Timeline;
  rows: Row[];
  height: number;
  view: View;
  scrollY: number;
  palette: Palette;
  hover?: Hover;
}

/** What the last frame drew (also written on the canvas as data attributes for the tests). */
export interface FrameStats {
  lanes: number;
  bars: number;
  marks: number;
  kills: number;
  ms: number;
}

/** Rows top to bottom: a header per process with several threads, then its lanes; a one-thread process is one row. */
export function layoutRows(timeline: Timeline): { rows: Row[]; height: number } {
  const rows: Row[] = [];
  let y = 0;
  for (const group of timeline.layout()) {
    if (group.lanes.length === 1) {
      rows.push({ y, h: LANE_H, group, lane: group.lanes[0], single: true });
      y += LANE_H;
      continue;
    }
    rows.push({ y, h: GROUP_H, group });
    y += GROUP_H;
    for (const lane of group.lanes) {
      rows.push({ y, h: LANE_H, group, lane });
      y += LANE_H;
    }
  }
  return { rows, height: y };
}

const runs: Run[] = [];

export function drawFrame(ctx: CanvasRenderingContext2D, scene: Scene, width: number, height: number): FrameStats {
  const started = performance.now();
  const { palette } = scene;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, height);
  const stats: FrameStats = { lanes: 0, bars: 0, marks: 0, kills: 0, ms: 0 };
  drawGrid(ctx, scene, height);
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, AXIS_H, width, height - AXIS_H);
  ctx.clip();
  const top = AXIS_H - scene.scrollY;
  const fills = new Map<string, number[]>();
  for (const row of scene.rows) {
    const y = top + row.y;
    if (y + row.h < AXIS_H || y > height) continue;
    if (!row.lane) {
      ctx.fillStyle = palette.groupBackground;
      ctx.fillRect(0, y, width, row.h);
      continue;
    }
    stats.lanes++;
    drawLane(scene, row.lane, y, fills, stats);
  }
  for (const [colour, rects] of fills) fillRects(ctx, colour, rects);
  drawMarks(ctx, scene, top, height, stats);
  drawHover(ctx, scene, top);
  drawLabels(ctx, scene, top, height);
  ctx.restore();
  drawAxis(ctx, scene, width);
  stats.ms = performance.now() - started;
  return stats;
}

function push(fills: Map<string, number[]>, colour: string, x: number, y: number, w: number, h: number): void {
  let list = fills.get(colour);
  if (!list) fills.set(colour, (list = []));
  list.push(x, y, w, h);
}

function fillRects(ctx: CanvasRenderingContext2D, colour: string, rects: number[]): void {
  ctx.fillStyle = colour;
  ctx.beginPath();
  for (let i = 0; i < rects.length; i += 4) ctx.rect(rects[i], rects[i + 1], rects[i + 2], rects[i + 3]);
  ctx.fill();
}

function drawLane(scene: Scene, lane: Lane, y: number, fills: Map<string, number[]>, stats: FrameStats): void {
  const { view, palette, timeline } = scene;
  const life = lane.lifetime !== undefined ? timeline.events[lane.lifetime] : undefined;
  if (life && life.ph === 'X') {
    const x0 = Math.max(0, xAt(view, life.ts));
    const x1 = Math.min(view.width, xAt(view, life.ts + life.dur));
    if (x1 > x0) push(fills, palette.lifetime, LABEL_W + x0, y + 2, x1 - x0, LANE_H - 4);
  }
  drawBars(lane.waits, view, (run) => push(fills, palette.wait, LABEL_W + run.x, y + LANE_H - 6, Math.max(1, run.w), 4));
  stats.bars += drawBars(lane.tasks, view, (run) => {
    const ev = lane.tasks.ev[run.first];
    const slots = palette.functions;
    const colour = slots[timeline.functionOf(ev) % slots.length];
    const w = Math.max(1, run.w);
    push(fills, colour, LABEL_W + run.x, y + 3, w, LANE_H - 9);
    const e = timeline.events[ev];
    if (run.count === 1 && e.ph === 'X' && e.cat === 'task' && OUTCOME_CODE[e.args.outcome] > 0 && e.args.outcome !== 'unfinished') {
      // A task that raised or was killed: a red underline as wide as the bar.
      push(fills, palette.failure, LABEL_W + run.x, y + LANE_H - 7, w, 3);
    }
  });
}

function drawBars(bars: Bars, view: View, each: (run: Run) => void): number {
  const n = visibleRuns(bars, view, runs);
  for (let i = 0; i < n; i++) each(runs[i]);
  return n;
}

/** Failure marks: a red line down the lane and a triangle; a kill is a bold cross. */
function drawMarks(ctx: CanvasRenderingContext2D, scene: Scene, top: number, height: number, stats: FrameStats): void {
  const { view, palette, timeline } = scene;
  ctx.strokeStyle = palette.failure;
  ctx.fillStyle = palette.failure;
  for (const row of scene.rows) {
    const y = top + row.y;
    if (!row.lane || row.lane.marks.length === 0 || y + row.h < AXIS_H || y > height) continue;
    for (const ev of row.lane.marks) {
      const e = timeline.events[ev];
      if (e.ph !== 'i') continue;
      const x = LABEL_W + xAt(view, e.ts);
      if (x < LABEL_W - 6 || x > LABEL_W + view.width + 6) continue;
      stats.marks++;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, y + 1);
      ctx.lineTo(x, y + LANE_H - 1);
      ctx.stroke();
      if (isKill(e.args.kind)) {
        stats.kills++;
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        ctx.moveTo(x - 5, y + 4);
        ctx.lineTo(x + 5, y + 14);
        ctx.moveTo(x + 5, y + 4);
        ctx.lineTo(x - 5, y + 14);
        ctx.stroke();
      } else {
        ctx.beginPath();
        ctx.moveTo(x - 5, y + 1);
        ctx.lineTo(x + 5, y + 1);
        ctx.lineTo(x, y + 8);
        ctx.fill();
      }
    }
  }
}

function drawHover(ctx: CanvasRenderingContext2D, scene: Scene, top: number): void {
  const hover = scene.hover;
  if (!hover || hover.kind === 'mark') return;
  const row = scene.rows.find((r) => r.lane === hover.lane);
  if (!row) return;
  const bars = hover.kind === 'task' ? hover.lane.tasks : hover.lane.waits;
  const x0 = LABEL_W + xAt(scene.view, bars.start[hover.index]);
  const x1 = LABEL_W + xAt(scene.view, bars.end[hover.index]);
  ctx.strokeStyle = scene.palette.hover;
  ctx.lineWidth = 2;
  ctx.strokeRect(Math.max(LABEL_W, x0) - 1, top + row.y + 2, Math.max(2, Math.min(x1, LABEL_W + scene.view.width) - Math.max(LABEL_W, x0) + 2), LANE_H - 6);
}

function drawLabels(ctx: CanvasRenderingContext2D, scene: Scene, top: number, height: number): void {
  const { palette } = scene;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, AXIS_H, LABEL_W - 4, height);
  ctx.textBaseline = 'middle';
  for (const row of scene.rows) {
    const y = top + row.y;
    if (y + row.h < AXIS_H || y > height) continue;
    if (row.lane && !row.single) {
      ctx.font = `12px ${palette.font}`;
      ctx.fillStyle = palette.muted;
      ctx.fillText(clip(ctx, row.lane.name, LABEL_W - 24), 16, y + row.h / 2);
    } else {
      if (!row.single) {
        ctx.fillStyle = palette.groupBackground;
        ctx.fillRect(0, y, LABEL_W, row.h);
      }
      ctx.font = `bold 12px ${palette.font}`;
      ctx.fillStyle = palette.text;
      ctx.fillText(clip(ctx, `${row.group.name} (${row.group.pid})`, LABEL_W - 12), 6, y + row.h / 2);
    }
  }
}

function clip(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > width) s = s.slice(0, -1);
  return `${s}…`;
}

function drawGrid(ctx: CanvasRenderingContext2D, scene: Scene, height: number): void {
  const { view } = scene;
  const step = tickStep(view);
  ctx.fillStyle = scene.palette.grid;
  for (let t = firstTick(scene, step); xAt(view, t) <= view.width; t += step) {
    ctx.fillRect(LABEL_W + Math.round(xAt(view, t)), AXIS_H, 1, height - AXIS_H);
  }
}

function drawAxis(ctx: CanvasRenderingContext2D, scene: Scene, width: number): void {
  const { view, palette, timeline } = scene;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, AXIS_H);
  ctx.fillStyle = palette.grid;
  ctx.fillRect(0, AXIS_H - 1, width, 1);
  ctx.font = `11px ${palette.font}`;
  ctx.fillStyle = palette.muted;
  ctx.textBaseline = 'middle';
  const step = tickStep(view);
  const origin = Number.isFinite(timeline.start) ? timeline.start : 0;
  for (let t = firstTick(scene, step); xAt(view, t) <= view.width; t += step) {
    const x = LABEL_W + Math.round(xAt(view, t));
    ctx.fillRect(x, AXIS_H - 5, 1, 4);
    ctx.fillText(t - origin <= 0 ? '0' : formatDuration(t - origin), x + 3, AXIS_H / 2 - 1);
  }
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, LABEL_W - 4, AXIS_H - 1);
  ctx.fillStyle = palette.muted;
  ctx.fillText(`${timeline.taskCount.toLocaleString()} tasks`, 6, AXIS_H / 2 - 1);
}

/** Ticks fall on round times since the run started. */
function firstTick(scene: Scene, step: number): number {
  const origin = Number.isFinite(scene.timeline.start) ? scene.timeline.start : 0;
  return origin + Math.ceil((scene.view.t0 - origin) / step) * step;
}
