/**
 * Reading a timeline (protocol/src/timeline.ts) from untrusted text: the file must be Workerscope's
 * Chrome Trace JSON; each event is checked on its own, so one broken event costs that event only.
 * Plain TypeScript (no vscode, no node modules): the webview bundles it too.
 */
import type { TimelineEvent, TimelineFile, TimelineSite } from '../../../protocol/src/timeline';

export type ParseResult =
  | { ok: true; file: TimelineFile; skipped: number; problems: string[] }
  | { ok: false; message: string };

/** Problems listed by name before the rest are only counted. */
const MAX_PROBLEMS = 5;
const OUTCOMES = new Set(['ok', 'raised', 'killed', 'unfinished']);
const METADATA = new Set(['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index']);

/** Parses the text of a timeline file; `name` is how messages call it (its file name). */
export function parseTimelineText(text: string, name: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${name} is not JSON (${(error as Error).message}): a Workerscope timeline is Chrome Trace Event JSON written by \`workerscope run --timeline\` or the "timeline" launch attribute.` };
  }
  if (Array.isArray(raw) || (isObject(raw) && Array.isArray(raw.traceEvents) && !isObject(raw.otherData))) {
    return { ok: false, message: `${name} is a Chrome trace, but not one Workerscope recorded (it has no otherData.workerscope): open it in Perfetto or chrome://tracing instead.` };
  }
  if (!isObject(raw) || !Array.isArray(raw.traceEvents)) {
    return { ok: false, message: `${name} is not a timeline: it has no "traceEvents" list. A Workerscope timeline is written by \`workerscope run --timeline\` or the "timeline" launch attribute.` };
  }
  const other = raw.otherData;
  if (!isObject(other) || other.workerscope === undefined) {
    return { ok: false, message: `${name} is a Chrome trace, but not one Workerscope recorded (it has no otherData.workerscope): open it in Perfetto or chrome://tracing instead.` };
  }
  if (other.workerscope !== 1) {
    return { ok: false, message: `${name} was written in timeline format ${JSON.stringify(other.workerscope)}, which this version of Workerscope does not read (it reads format 1): update the extension.` };
  }
  const { events, skipped, problems } = checkEvents(raw.traceEvents);
  const file: TimelineFile = {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: {
      workerscope: 1,
      program: typeof other.program === 'string' ? other.program : '',
      runtime: other.runtime === 'node' ? 'node' : 'python',
      started: typeof other.started === 'string' ? other.started : '',
      droppedTasks: typeof other.droppedTasks === 'number' && other.droppedTasks >= 0 ? other.droppedTasks : 0,
    },
  };
  return { ok: true, file, skipped, problems };
}

/** Keeps the well-formed events; says what was wrong with the first few others. */
export function checkEvents(raw: readonly unknown[]): { events: TimelineEvent[]; skipped: number; problems: string[] } {
  const events: TimelineEvent[] = [];
  const problems: string[] = [];
  let skipped = 0;
  raw.forEach((value, i) => {
    const checked = checkEvent(value);
    if (typeof checked !== 'string') {
      events.push(checked);
      return;
    }
    skipped++;
    if (problems.length < MAX_PROBLEMS) problems.push(`event ${i}: ${checked}`);
  });
  return { events, skipped, problems };
}

/** The event as the panel uses it, or what is wrong with it. */
export function checkEvent(value: unknown): TimelineEvent | string {
  if (!isObject(value)) return 'not an object';
  const { ph, pid } = value;
  if (!isNumber(pid)) return 'pid is not a number';
  if (ph === 'M') {
    if (typeof value.name !== 'string' || !METADATA.has(value.name)) return `unknown metadata "${String(value.name)}"`;
    if (!isObject(value.args)) return 'metadata without args';
    return { ph: 'M', name: value.name as 'process_name', pid, ...(isNumber(value.tid) ? { tid: value.tid } : {}), args: { ...(typeof value.args.name === 'string' ? { name: value.args.name } : {}), ...(isNumber(value.args.sort_index) ? { sort_index: value.args.sort_index } : {}) } };
  }
  if (!isNumber(value.tid)) return 'tid is not a number';
  if (!isNumber(value.ts)) return 'ts is not a number';
  if (typeof value.name !== 'string') return 'name is not a string';
  const args = isObject(value.args) ? value.args : undefined;
  if (!args) return 'no args';
  const base = { name: value.name, pid, tid: value.tid, ts: value.ts };
  if (ph === 'i') {
    if (value.cat !== 'failure') return `instant event of category "${String(value.cat)}"`;
    if (typeof args.kind !== 'string' || typeof args.message !== 'string') return 'failure without kind or message';
    return { ...base, ph: 'i', s: 't', cat: 'failure', args: { kind: args.kind, message: args.message, ...site('site', args.site) } };
  }
  if (ph !== 'X') return `unsupported phase "${String(ph)}"`;
  if (!isNumber(value.dur) || value.dur < 0) return 'dur is not a duration';
  const bar = { ...base, ph: 'X' as const, dur: value.dur };
  switch (value.cat) {
    case 'task':
      if (typeof args.function !== 'string') return 'task without function';
      if (typeof args.outcome !== 'string' || !OUTCOMES.has(args.outcome)) return `task outcome "${String(args.outcome)}"`;
      return {
        ...bar,
        cat: 'task',
        args: {
          function: args.function,
          outcome: args.outcome as 'ok',
          ...site('def', args.def),
          ...site('submit', args.submit),
          ...(isNumber(args.index) ? { index: args.index } : {}),
          ...(typeof args.args === 'string' ? { args: args.args } : {}),
          ...(typeof args.pool === 'string' ? { pool: args.pool } : {}),
          ...(typeof args.error === 'string' ? { error: args.error } : {}),
        },
      };
    case 'wait':
      return { ...bar, cat: 'wait', args: site('site', args.site) };
    case 'lifetime':
      if (typeof args.role !== 'string') return 'lifetime without role';
      return { ...bar, cat: 'lifetime', args: { role: args.role, ...(typeof args.end === 'string' ? { end: args.end } : {}) } };
    default:
      return `bar of category "${String(value.cat)}"`;
  }
}

/** A well-formed site under `key`, or nothing (a broken site does not cost the event). */
function site<K extends string>(key: K, value: unknown): { [P in K]?: TimelineSite } {
  if (!isObject(value) || typeof value.file !== 'string' || value.file === '' || !isNumber(value.line)) return {};
  return { [key]: { file: value.file, line: value.line } } as { [P in K]?: TimelineSite };
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
