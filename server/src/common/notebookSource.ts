/**
 * Notebooks as one Python module: the code cells of a notebook, joined in order, are what the
 * kernel runs as `__main__`, so the engine analyses their concatenation and the callers map each
 * finding back to the cell it lies in. Shared by the language server (cells are
 * `vscode-notebook-cell:` documents) and `workerscope check` (cells of an `.ipynb` file).
 *
 * IPython-only lines (`%magic`, `%%cell_magic`, `!shell`) are turned into comments of the same
 * length, so that the rest parses as Python and columns stay where they are.
 */
import type { FileChange, Finding, NotebookLayout, Range, TextEdit } from '../engine/types';

export interface CellSource<K> {
  key: K;
  text: string;
}

export interface ConcatenatedNotebook<K> {
  source: string;
  cells: { key: K; startLine: number; lineCount: number }[];
  /** Lines of `source` that were magics or shell escapes. */
  magicLines: number[];
}

const MAGIC = /^([ \t]*)([%!])/;

export function concatenateCells<K>(cells: readonly CellSource<K>[]): ConcatenatedNotebook<K> {
  const parts: string[] = [];
  const out: ConcatenatedNotebook<K>['cells'] = [];
  const magicLines: number[] = [];
  let line = 0;
  for (const cell of cells) {
    const lines = cell.text.replace(/\r\n?/g, '\n').split('\n').map((l, i) => {
      if (!MAGIC.test(l)) return l;
      magicLines.push(line + i);
      return l.replace(MAGIC, '$1#');
    });
    out.push({ key: cell.key, startLine: line, lineCount: lines.length });
    parts.push(lines.join('\n'));
    line += lines.length;
  }
  return { source: parts.join('\n'), cells: out, magicLines };
}

/** What the engine needs to know of the cells (`AnalysisOptions.notebook`). */
export function layoutOf<K>(nb: ConcatenatedNotebook<K>): NotebookLayout {
  return { cellStarts: nb.cells.map((c) => c.startLine), magicLines: nb.magicLines };
}

/** The cell holding `line` of the concatenation, and the line within that cell. */
export function locateLine<K>(nb: ConcatenatedNotebook<K>, line: number): { key: K; line: number } | undefined {
  for (const cell of nb.cells) {
    if (line >= cell.startLine && line < cell.startLine + cell.lineCount) return { key: cell.key, line: line - cell.startLine };
  }
  return undefined;
}

function mapRange<K>(nb: ConcatenatedNotebook<K>, range: Range): { key: K; range: Range } | undefined {
  const start = locateLine(nb, range.start.line);
  const end = locateLine(nb, range.end.line);
  if (!start) return undefined;
  const sameCell = end && end.key === start.key;
  const cell = nb.cells.find((c) => c.key === start.key)!;
  return {
    key: start.key,
    range: {
      start: { line: start.line, character: range.start.character },
      // A range running past its cell (rare) is clipped to the cell's last line.
      end: sameCell ? { line: end.line, character: range.end.character } : { line: cell.lineCount - 1, character: 9999 },
    },
  };
}

/** Whether `range` lies in the cell `key`, or ends right where the next cell starts (the end of the cell). */
function withinCell<K>(nb: ConcatenatedNotebook<K>, key: K, range: Range): boolean {
  const cell = nb.cells.find((c) => c.key === key)!;
  const endLine = cell.startLine + cell.lineCount;
  return range.end.line < endLine || (range.end.line === endLine && range.end.character === 0);
}

/**
 * A finding of the concatenation as a finding of one cell. Related locations in other cells
 * name that cell (through `cellFile`). A fix's edits in the finding's cell stay its `edits`; its
 * edits in other cells become `files` changes on those cells; a fix with an edit that lies in
 * no single cell is dropped.
 */
export function mapFinding<K>(nb: ConcatenatedNotebook<K>, finding: Finding, cellFile: (key: K) => string): { key: K; finding: Finding } | undefined {
  const at = mapRange(nb, finding.range);
  if (!at) return undefined;
  const related = finding.related.flatMap((r) => {
    if (r.file) return [r];
    const m = mapRange(nb, r.range);
    return m ? [{ ...r, range: m.range, ...(m.key === at.key ? {} : { file: cellFile(m.key) }) }] : [];
  });
  const fixes = finding.fixes.flatMap((fix) => {
    const edits: TextEdit[] = [];
    const elsewhere = new Map<K, TextEdit[]>();
    for (const e of fix.edits) {
      const m = mapRange(nb, e.range);
      if (!m || !withinCell(nb, m.key, e.range)) return [];
      const list = m.key === at.key ? edits : elsewhere.get(m.key) ?? [];
      list.push({ range: m.range, newText: e.newText });
      if (m.key !== at.key) elsewhere.set(m.key, list);
    }
    const files: FileChange[] = [...(fix.files ?? []), ...[...elsewhere].map(([key, cellEdits]) => ({ kind: 'edit' as const, file: cellFile(key), edits: cellEdits }))];
    return [{ ...fix, edits, ...(files.length > 0 ? { files } : {}) }];
  });
  return { key: at.key, finding: { ...finding, range: at.range, related, fixes } };
}

export type IpynbCells = { ok: true; cells: { index: number; text: string }[] } | { ok: false; reason: string };

/** The code cells of an `.ipynb` file (nbformat 4), by their 0-based index among all cells. */
export function readIpynb(text: string): IpynbCells {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not a valid notebook (invalid JSON)' };
  }
  const nb = json as { cells?: unknown; metadata?: { kernelspec?: { language?: unknown }; language_info?: { name?: unknown } } };
  if (!nb || typeof nb !== 'object' || !Array.isArray(nb.cells)) return { ok: false, reason: 'not a notebook (no "cells" list)' };
  const language = nb.metadata?.language_info?.name ?? nb.metadata?.kernelspec?.language;
  if (typeof language === 'string' && language.toLowerCase() !== 'python') return { ok: true, cells: [] };
  const cells: { index: number; text: string }[] = [];
  nb.cells.forEach((cell: unknown, index: number) => {
    const c = cell as { cell_type?: unknown; source?: unknown };
    if (c?.cell_type !== 'code') return;
    const source = Array.isArray(c.source) ? c.source.filter((s) => typeof s === 'string').join('') : typeof c.source === 'string' ? c.source : '';
    cells.push({ index, text: source });
  });
  return { ok: true, cells };
}
