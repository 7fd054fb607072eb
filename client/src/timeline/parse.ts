/**
 * Reading a timeline (protocol/src/timeline.ts) from untrusted text: the file must be Workerscope's
 * Chrome Trace JSON; each event is checked on its own, so one broken event costs that event only.
 * Plain TypeScript (no vscode, no node modules): the webview bundles it too.
 */
import type { FailureArgs, LifetimeArgs, MetadataEvent, TaskArgs, TaskOutcome, TimelineEvent, TimelineFile, TimelineSite, WaitArgs } from '../../../protocol/src/timeline';

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

/**
 * The event as the panel uses it, or what is wrong with it. Built field by field, without
 * spreads: a file of 100,000 tasks is checked in the extension and again in the page.
 */
export function checkEvent(value: unknown): TimelineEvent | string {
  if (!isObject(value)) return 'not an object';
  const { ph, pid } = value;
  if (!isNumber(pid)) return 'pid is not a number';
  if (ph === 'M') return checkMetadata(value, pid);
  const { tid, ts, name } = value;
  if (!isNumber(tid)) return 'tid is not a number';
  if (!isNumber(ts)) return 'ts is not a number';
  if (typeof name !== 'string') return 'name is not a string';
  const args = isObject(value.args) ? value.args : undefined;
  if (!args) return 'no args';
  if (ph === 'i') {
    if (value.cat !== 'failure') return `instant event of category "${String(value.cat)}"`;
    if (typeof args.kind !== 'string' || typeof args.message !== 'string') return 'failure without kind or message';
    const failure: FailureArgs = { kind: args.kind, message: args.message };
    const at = site(args.site);
    if (at) failure.site = at;
    return { name, pid, tid, ts, ph: 'i', s: 't', cat: 'failure', args: failure };
  }
  if (ph !== 'X') return `unsupported phase "${String(ph)}"`;
  const dur = value.dur;
  if (!isNumber(dur) || dur < 0) return 'dur is not a duration';
  switch (value.cat) {
    case 'task': {
      const task = checkTaskArgs(args);
      return typeof task === 'string' ? task : { name, pid, tid, ts, ph: 'X', cat: 'task', dur, args: task };
    }
    case 'wait': {
      const wait: WaitArgs = {};
      const at = site(args.site);
      if (at) wait.site = at;
      return { name, pid, tid, ts, ph: 'X', cat: 'wait', dur, args: wait };
    }
    case 'lifetime': {
      if (typeof args.role !== 'string') return 'lifetime without role';
      const life: LifetimeArgs = { role: args.role };
      if (typeof args.end === 'string') life.end = args.end;
      return { name, pid, tid, ts, ph: 'X', cat: 'lifetime', dur, args: life };
    }
    default:
      return `bar of category "${String(value.cat)}"`;
  }
}

function checkMetadata(value: Record<string, unknown>, pid: number): MetadataEvent | string {
  if (typeof value.name !== 'string' || !METADATA.has(value.name)) return `unknown metadata "${String(value.name)}"`;
  if (!isObject(value.args)) return 'metadata without args';
  const event: MetadataEvent = { ph: 'M', name: value.name as MetadataEvent['name'], pid, args: {} };
  if (isNumber(value.tid)) event.tid = value.tid;
  if (typeof value.args.name === 'string') event.args.name = value.args.name;
  if (isNumber(value.args.sort_index)) event.args.sort_index = value.args.sort_index;
  return event;
}

function checkTaskArgs(args: Record<string, unknown>): TaskArgs | string {
  if (typeof args.function !== 'string') return 'task without function';
  if (typeof args.outcome !== 'string' || !OUTCOMES.has(args.outcome)) return `task outcome "${String(args.outcome)}"`;
  const task: TaskArgs = { function: args.function, outcome: args.outcome as TaskOutcome };
  const def = site(args.def);
  if (def) task.def = def;
  const submit = site(args.submit);
  if (submit) task.submit = submit;
  if (isNumber(args.index)) task.index = args.index;
  if (typeof args.args === 'string') task.args = args.args;
  if (typeof args.pool === 'string') task.pool = args.pool;
  if (typeof args.error === 'string') task.error = args.error;
  return task;
}

/** A well-formed site, or nothing (a broken site does not cost the event). */
function site(value: unknown): TimelineSite | undefined {
  if (!isObject(value) || typeof value.file !== 'string' || value.file === '' || !isNumber(value.line)) return undefined;
  return { file: value.file, line: value.line };
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
