/**
 * Text helpers shared by the rules: ranges from tree nodes, line access, indentation and
 * suppression comments. web-tree-sitter parses JavaScript strings as UTF-16, so its `column` and
 * `startIndex` are already UTF-16 code units, which is what LSP positions use.
 */
import type { Node } from 'web-tree-sitter';
import type { Position, Range, TextEdit } from './types';

export function nodeRange(node: Node): Range {
  const s = node.startPosition;
  const e = node.endPosition;
  return { start: { line: s.row, character: s.column }, end: { line: e.row, character: e.column } };
}

export function pos(line: number, character: number): Position {
  return { line, character };
}

const LONE_CR = /\r(?!\n)/g;

/**
 * The text tree-sitter and the engine read: every lone CR (a line break to Python and to LSP, but
 * not to tree-sitter-python, which takes it for whitespace) replaced by an LF. One character for
 * one, so offsets and UTF-16 columns stay those of the document, and rows become its LSP lines.
 */
export function parsableText(source: string): string {
  return source.includes('\r') ? source.replace(LONE_CR, '\n') : source;
}

/** The file's line break, as its first one is written: LF, CR LF or a lone CR (LF when it has none). */
export function lineBreakOf(source: string): '\n' | '\r\n' | '\r' {
  const at = source.search(/[\r\n]/);
  if (at === -1 || source[at] === '\n') return '\n';
  return source[at + 1] === '\n' ? '\r\n' : '\r';
}

/** Line starts of a source, for turning line numbers into offsets and back. */
export class LineIndex {
  readonly starts: number[] = [0];

  constructor(readonly source: string) {
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The text of a line without its line break. */
  line(n: number): string {
    const start = this.starts[n];
    if (start === undefined) return '';
    const next = this.starts[n + 1];
    let end = next === undefined ? this.source.length : next - 1;
    if (end > start && this.source.charCodeAt(end - 1) === 13) end--;
    return this.source.slice(start, end);
  }

  offset(p: Position): number {
    return (this.starts[p.line] ?? this.source.length) + p.character;
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return pos(lo, offset - (this.starts[lo] ?? 0));
  }
}

export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/** The file's indentation unit, guessed from the first indented line; four spaces if none. */
export function indentUnit(lines: LineIndex): string {
  for (let i = 0; i < Math.min(lines.lineCount, 2000); i++) {
    const text = lines.line(i);
    const indent = indentOf(text);
    if (indent.length > 0 && text.trim() !== '' && !text.trimStart().startsWith('#')) return indent.startsWith('\t') ? '\t' : indent;
  }
  return '    ';
}

export function insertAt(p: Position, newText: string): TextEdit {
  return { range: { start: p, end: p }, newText };
}

const SUPPRESSION = /#\s*workerscope\s*:\s*ignore\b(?:\[([^\]]*)\])?/i;

/**
 * Whether the comment on `lineText` suppresses `rule`: `# workerscope: ignore` suppresses every
 * rule, `# workerscope: ignore[a, b]` only the rules listed.
 */
export function isSuppressed(lineText: string, rule: string): boolean {
  const hash = lineText.indexOf('#');
  if (hash === -1) return false;
  const match = SUPPRESSION.exec(lineText.slice(hash));
  if (!match) return false;
  if (match[1] === undefined) return true;
  return match[1].split(',').some((id) => id.trim() === rule);
}
