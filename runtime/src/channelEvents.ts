/**
 * The records a run left in its channel directory, read back in time order once the program has
 * ended (what the trace fold takes when nobody read the channel live).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as wire from './wire';
import { byTime, type Obj } from './pyValues';

/**
 * Every record of every `<pid>.jsonl` in the directory, in time order (as report.py's `load_events`);
 * with `spans` false, the timeline's batches are skipped unparsed (the report has no use for them).
 */
export function loadEvents(directory: string, spans = true): Obj[] {
  let names: string[];
  try {
    names = fs.readdirSync(directory).filter((name) => name.endsWith(wire.EVENTS_SUFFIX)).sort();
  } catch {
    return [];
  }
  const events: Obj[] = [];
  for (const name of names) {
    let data: string;
    try {
      data = fs.readFileSync(path.join(directory, name), 'utf8');
    } catch {
      continue;
    }
    if (!spans && data.includes(wire.SPANS_LINE_PREFIX)) data = data.split('\n').filter((line) => !line.startsWith(wire.SPANS_LINE_PREFIX)).join('\n');
    events.push(...(wire.decodeLines(data) as unknown as Obj[]));
  }
  return byTime(events);
}
