/**
 * Source lines for tracebacks, read as the files are on disk now (as Python's traceback reads
 * them): the debug session shows them under each frame of a failure without reading files itself.
 */
import * as fs from 'node:fs';

/** Source files larger than this are not read. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/**
 * A reader of 1-based source lines that reads each file once; a file that is gone, unreadable or
 * not a file (`<string>`, `<frozen …>`) gives no line.
 */
export function sourceReader(): (file: string, line: number) => string | undefined {
  const files = new Map<string, string[] | null>();
  return (file, line) => {
    if (!file || file.startsWith('<')) return undefined;
    let lines = files.get(file);
    if (lines === undefined) {
      try {
        lines = fs.statSync(file).size <= MAX_SOURCE_BYTES ? fs.readFileSync(file, 'utf8').split(/\r?\n/) : null;
      } catch {
        lines = null;
      }
      files.set(file, lines);
    }
    return lines?.[line - 1];
  };
}
