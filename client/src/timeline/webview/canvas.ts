/// <reference lib="dom" />
/**
 * The timeline canvas: keeps the scene (the view window, vertical scroll, hover), redraws at most
 * once per animation frame, and turns the wheel into zoom, a drag into pan, a hover into the
 * tooltip and a click into "open this task's source". Writes each frame's counts and cost on the
 * canvas element (`data-lanes`, `data-bars`, `data-marks`, `data-kills`, `data-frame-ms`).
 */
import type { Timeline } from '../model';
import { barAt, fit, panBy, timeAt, xAt, zoomAt } from '../viewport';
import { AXIS_H, drawFrame, LABEL_W, LANE_H, layoutRows, type Hover, type Scene } from './render';
import { readPalette, type Palette } from './theme';

export interface CanvasEvents {
  hover(hover: Hover | undefined, x: number, y: number): void;
  activate(hover: Hover): void;
}

/** Wheel zoom per pixel of scroll: a notch of 100 px zooms by about 1.2x. */
const ZOOM_PER_PX = 0.0018;

export class TimelineCanvas {
  private scene: Scene;
  private pending = false;
  /** The window follows the whole run (live data widens it) until the user zooms or pans. */
  private following = true;
  private drag: { x: number; y: number; moved: boolean } | undefined;
  private readonly frameTimes: number[] = [];

  constructor(private readonly canvas: HTMLCanvasElement, timeline: Timeline, private readonly events: CanvasEvents) {
    this.scene = { timeline, rows: [], height: 0, view: fit(0, 1, 1), scrollY: 0, palette: readPalette() };
    this.setTimeline(timeline);
    new ResizeObserver(() => this.resize()).observe(canvas.parentElement ?? canvas);
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    canvas.addEventListener('mousedown', (e) => this.onDown(e));
    window.addEventListener('mousemove', (e) => this.onMove(e));
    window.addEventListener('mouseup', (e) => this.onUp(e));
    canvas.addEventListener('mouseleave', () => this.setHover(undefined, 0, 0));
  }

  setTimeline(timeline: Timeline): void {
    this.scene.timeline = timeline;
    this.following = true;
    this.scene.scrollY = 0;
    this.dataChanged();
  }

  /** New events were added to the timeline: lanes may have appeared and the run grown. */
  dataChanged(): void {
    const { rows, height } = layoutRows(this.scene.timeline);
    this.scene.rows = rows;
    this.scene.height = height;
    if (this.following) this.fitAll();
    this.request();
  }

  themeChanged(): void {
    this.scene.palette = readPalette();
    this.request();
  }

  fitAll(): void {
    const t = this.scene.timeline;
    this.scene.view = t.empty || !Number.isFinite(t.start) ? fit(0, 1_000_000, this.plotWidth()) : fit(t.start, t.end, this.plotWidth());
    this.following = true;
    this.request();
  }

  /** Zooms so the bar fills the middle third of the plot. */
  reveal(start: number, end: number): void {
    const width = this.plotWidth();
    const span = Math.max(end - start, 10);
    this.scene.view = { t0: start - span, scale: width / (span * 3), width };
    this.following = false;
    this.request();
  }

  /** Zooms by a factor around the plot's centre (the keyboard's + and -). */
  zoom(factor: number): void {
    const t = this.scene.timeline;
    if (t.empty) return;
    this.scene.view = zoomAt(this.scene.view, this.scene.view.width / 2, factor, t.start, t.end);
    this.following = false;
    this.request();
  }

  pan(dx: number): void {
    const t = this.scene.timeline;
    if (t.empty) return;
    this.scene.view = panBy(this.scene.view, dx, t.start, t.end);
    this.following = false;
    this.request();
  }

  get palette(): Palette {
    return this.scene.palette;
  }

  /** Frame times (ms) of the frames drawn so far, newest last (at most 500). */
  frames(): number[] {
    return [...this.frameTimes];
  }

  private plotWidth(): number {
    return Math.max(50, this.canvas.clientWidth - LABEL_W - 8);
  }

  private resize(): void {
    const view = this.scene.view;
    const width = this.plotWidth();
    this.scene.view = { ...view, width };
    if (this.following) this.fitAll();
    this.request();
  }

  private request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.scene.scrollY = Math.max(0, Math.min(this.scene.scrollY, this.scene.height - (height - AXIS_H) + LANE_H));
    const stats = drawFrame(ctx, this.scene, width, height);
    this.frameTimes.push(stats.ms);
    if (this.frameTimes.length > 500) this.frameTimes.shift();
    const d = this.canvas.dataset;
    d.lanes = String(stats.lanes);
    d.bars = String(stats.bars);
    d.marks = String(stats.marks);
    d.kills = String(stats.kills);
    d.frameMs = stats.ms.toFixed(2);
    d.frames = String(Number(d.frames ?? 0) + 1);
    d.tasks = String(this.scene.timeline.taskCount);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const t = this.scene.timeline;
    if (t.empty) return;
    const x = e.offsetX - LABEL_W;
    const pixels = e.deltaMode === 1 ? e.deltaY * 20 : e.deltaY;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      this.scene.view = panBy(this.scene.view, -(e.shiftKey ? pixels : e.deltaX), t.start, t.end);
    } else {
      this.scene.view = zoomAt(this.scene.view, Math.max(0, x), Math.exp(-pixels * ZOOM_PER_PX), t.start, t.end);
    }
    this.following = false;
    this.request();
  }

  private onDown(e: MouseEvent): void {
    if (e.button !== 0) return;
    this.drag = { x: e.clientX, y: e.clientY, moved: false };
    this.canvas.classList.add('dragging');
  }

  private onMove(e: MouseEvent): void {
    const drag = this.drag;
    if (drag) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      drag.moved = true;
      drag.x = e.clientX;
      drag.y = e.clientY;
      const t = this.scene.timeline;
      if (!t.empty) this.scene.view = panBy(this.scene.view, dx, t.start, t.end);
      this.scene.scrollY -= dy;
      this.following = false;
      this.setHover(undefined, 0, 0);
      this.request();
      return;
    }
    if (e.target !== this.canvas) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    this.setHover(this.hitTest(x, y), x, y);
  }

  private onUp(e: MouseEvent): void {
    const drag = this.drag;
    this.drag = undefined;
    this.canvas.classList.remove('dragging');
    if (!drag || drag.moved || e.target !== this.canvas) return;
    const rect = this.canvas.getBoundingClientRect();
    const hit = this.hitTest(e.clientX - rect.left, e.clientY - rect.top);
    if (hit) this.events.activate(hit);
  }

  private setHover(hover: Hover | undefined, x: number, y: number): void {
    const before = this.scene.hover;
    this.scene.hover = hover;
    this.events.hover(hover, x, y);
    if (before?.lane !== hover?.lane || before?.index !== hover?.index || before?.kind !== hover?.kind) this.request();
  }

  /** The mark, task or wait under a point of the canvas (within 4 px). */
  private hitTest(x: number, y: number): Hover | undefined {
    if (x < LABEL_W || y < AXIS_H) return undefined;
    const rowY = y - AXIS_H + this.scene.scrollY;
    const row = this.scene.rows.find((r) => rowY >= r.y && rowY < r.y + r.h);
    const lane = row?.lane;
    if (!lane) return undefined;
    const view = this.scene.view;
    const px = x - LABEL_W;
    const slack = 4 / view.scale;
    const mark = lane.marks.findIndex((ev) => {
      const e = this.scene.timeline.events[ev];
      return e.ph === 'i' && Math.abs(xAt(view, e.ts) - px) <= 5;
    });
    if (mark >= 0) return { lane, kind: 'mark', index: mark };
    const t = timeAt(view, px);
    const inWaitBand = rowY - row.y >= LANE_H - 7;
    const task = barAt(lane.tasks, t, slack);
    const wait = barAt(lane.waits, t, slack);
    if (task >= 0 && !(inWaitBand && wait >= 0)) return { lane, kind: 'task', index: task };
    if (wait >= 0) return { lane, kind: 'wait', index: wait };
    return undefined;
  }
}
