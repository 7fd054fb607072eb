/**
 * An independent model of how an LSP server must apply a content change: lines break at LF, CR LF
 * and lone CR; a character past a line's end is clamped before its line break, a line past the end
 * means the end of the text; a range given end-first is reordered. The fuzz target computes the
 * text it expects the server to hold with it, then compares the server's diagnostics with those of
 * a fresh open of that text.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 13 || c === 10) starts.push(i + 1);
  }
  return starts;
}

export function offsetAt(text: string, starts: readonly number[], p: Position): number {
  if (p.line >= starts.length) return text.length;
  if (p.line < 0) return 0;
  const start = starts[p.line]!;
  const next = p.line + 1 < starts.length ? starts[p.line + 1]! : text.length;
  let offset = Math.max(Math.min(start + p.character, next), start);
  while (offset > start && (text.charCodeAt(offset - 1) === 10 || text.charCodeAt(offset - 1) === 13)) offset--;
  return offset;
}

/** The text after replacing `range` (in either order) with `insert`. */
export function applyChange(text: string, range: Range, insert: string): string {
  const starts = lineStarts(text);
  let a = offsetAt(text, starts, range.start);
  let b = offsetAt(text, starts, range.end);
  const endFirst = range.start.line > range.end.line || (range.start.line === range.end.line && range.start.character > range.end.character);
  if (endFirst) [a, b] = [b, a];
  // Offsets clamp monotonically, so a start-first range never yields a > b; keep it safe anyway.
  if (a > b) [a, b] = [b, a];
  return text.slice(0, a) + insert + text.slice(b);
}
