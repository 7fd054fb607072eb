/**
 * Timeline files on disk, without vscode: the timestamped name `timeline: true` gets in the
 * extension's storage, the pruning that keeps the last few there, and writing an export (0600).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTimelineText, type ParseResult } from './parse';

/** Files kept in the extension's storage; older ones are removed when a new run is configured. */
export const KEEP_TIMELINES = 20;
const NAME = /^timeline-\d{8}-\d{6}(-\d+)?\.json$/;

/** `timeline-20261208-011502.json` (local time), with `-2`, `-3`… when that name is taken. */
export function newTimelinePath(dir: string, now: Date, exists: (file: string) => boolean = fs.existsSync): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  let file = path.join(dir, `timeline-${stamp}.json`);
  for (let n = 2; exists(file); n++) file = path.join(dir, `timeline-${stamp}-${n}.json`);
  return file;
}

/** Removes all but the newest `keep` timeline files of the folder (only files named as above). */
export function pruneTimelines(dir: string, keep = KEEP_TIMELINES): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => NAME.test(n));
  } catch {
    return []; // No folder yet: nothing to prune.
  }
  // The names sort by time; a -N suffix sorts after its base name, as it came later.
  const old = names.sort((a, b) => a.replace('.json', '').localeCompare(b.replace('.json', ''))).slice(0, Math.max(0, names.length - keep));
  for (const name of old) fs.rmSync(path.join(dir, name), { force: true });
  return old;
}

/** Makes the storage folder (only the user may read it). */
export function ensureTimelineDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Writes a timeline readable by the user only (an existing file is narrowed to 0600 as well). */
export async function writeTimelineFile(file: string, text: string): Promise<void> {
  await fs.promises.writeFile(file, text, { mode: 0o600 });
  await fs.promises.chmod(file, 0o600);
}

export async function readTimelineFile(file: string): Promise<ParseResult> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? `The timeline ${file} does not exist (any more).` : `The timeline ${file} could not be read: ${(error as Error).message}` };
  }
  return parseTimelineText(text, path.basename(file));
}
