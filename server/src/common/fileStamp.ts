/**
 * The stat of a regular file no larger than a limit, or undefined: the one check both engines
 * make before reading an imported module, whose size and mtime then say whether a cached parse
 * of it still holds.
 */
import * as fs from 'node:fs';

export function smallFileStat(file: string, maxBytes: number): fs.Stats | undefined {
  let stat: fs.Stats | undefined;
  try {
    // A missing file is the common answer (imports looked for in several folders): no exception for it.
    stat = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  return stat?.isFile() && stat.size <= maxBytes ? stat : undefined;
}
