/**
 * Fixture harness shared by the rule tests: inline markers (`# [rule-id]` on the flagged line, an
 * optional caret line `#   ^^^ [rule-id]` pinning columns), the `# OK` section, and golden
 * `.fixed.py` files for quick fixes; JavaScript and TypeScript fixtures write `//` for `#`.
 */
import { LineIndex } from '../../src/engine/text';
import type { Finding, TextEdit } from '../../src/engine/types';

export { repoRoot } from '../../../scripts/gen-rule-docs';

export interface Expectation {
  line: number;
  rule: string;
  /** Pinned by a caret line: start and end column on `line`. */
  columns?: { start: number; end: number };
}

/** The marker syntax of a fixture language: `#` comments for Python, `//` for JavaScript and TypeScript. */
function syntax(comment: '#' | '//'): { caret: RegExp; marker: RegExp; ok: RegExp } {
  const c = comment === '#' ? '#' : '\\/\\/';
  return {
    caret: new RegExp(`^(\\s*${c})(\\s*)(\\^+)\\s*\\[([a-z][a-z-]*)\\]\\s*$`),
    marker: new RegExp(`${c}(?:(?!${c}).)*\\[([a-z][a-z-]*(?:\\s*,\\s*[a-z][a-z-]*)*)\\]\\s*$`),
    ok: new RegExp(`^\\s*${c}\\s*OK\\s*$`),
  };
}

export interface ParsedFixture {
  expectations: Expectation[];
  /** Zero-based line of `# OK`, or the line count when absent. */
  okLine: number;
  problems: string[];
}

export function parseMarkers(file: string, source: string, comment: '#' | '//' = '#'): ParsedFixture {
  const { caret: CARET, marker: MARKER, ok: OK } = syntax(comment);
  const lines = source.split('\n');
  const expectations: Expectation[] = [];
  const problems: string[] = [];
  let okLine = lines.length;
  let lastCode = -1;
  lines.forEach((text, i) => {
    if (OK.test(text) && okLine === lines.length) okLine = i;
    const caret = CARET.exec(text);
    if (caret) {
      const start = text.indexOf('^');
      const rule = caret[4]!;
      const target = expectations.find((e) => e.line === lastCode && e.rule === rule && !e.columns);
      if (!target) problems.push(`${file}:${i + 1}:${start + 1} caret line without a [${rule}] marker on the line above`);
      else target.columns = { start, end: start + caret[3]!.length };
      return;
    }
    if (text.trim() !== '' && !text.trim().startsWith(comment)) lastCode = i;
    if (/workerscope\s*:|workerscope-ignore/.test(text)) return;
    const marker = MARKER.exec(text);
    if (!marker || text.trim().startsWith(comment)) return;
    for (const rule of marker[1]!.split(',').map((r) => r.trim())) {
      if (i > okLine) problems.push(`${file}:${i + 1}:1 marker [${rule}] in the # OK section`);
      expectations.push({ line: i, rule });
    }
  });
  return { expectations, okLine, problems };
}

/** Both-way comparison; failures are clickable `file:line:col` lines. */
export function compare(file: string, parsed: ParsedFixture, findings: readonly Finding[], rule: string): string[] {
  const failures = [...parsed.problems];
  const remaining = findings.filter((f) => f.rule === rule);
  for (const e of parsed.expectations.filter((x) => x.rule === rule)) {
    const index = remaining.findIndex((f) => f.range.start.line === e.line);
    if (index === -1) {
      failures.push(`${file}:${e.line + 1}:1 expected [${e.rule}], not reported`);
      continue;
    }
    const [f] = remaining.splice(index, 1);
    if (e.columns && f && (f.range.start.character !== e.columns.start || f.range.end.character !== e.columns.end || f.range.end.line !== e.line)) {
      failures.push(`${file}:${e.line + 1}:${f.range.start.character + 1} [${rule}] range ${f.range.start.character}-${f.range.end.character}, caret says ${e.columns.start}-${e.columns.end}`);
    }
  }
  for (const f of remaining) {
    failures.push(`${file}:${f.range.start.line + 1}:${f.range.start.character + 1} unexpected [${f.rule}] ${f.message}`);
  }
  return failures;
}

/**
 * Applies the preferred fix (else the first) of every finding. Identical edits from several
 * findings apply once; an edit overlapping one already taken is dropped.
 */
export function applyFixes(source: string, findings: readonly Finding[]): { text: string; applied: number } {
  const lines = new LineIndex(source);
  const edits: { start: number; end: number; text: string; order: number }[] = [];
  const seen = new Set<string>();
  let order = 0;
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.isPreferred) ?? f.fixes[0];
    if (!fix) continue;
    const candidate = fix.edits.map((e: TextEdit) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), text: e.newText, order: order++ }));
    const fresh = candidate.filter((c) => !seen.has(`${c.start}:${c.end}:${c.text}`));
    if (fresh.length === 0) continue;
    const overlaps = fresh.some((c) => edits.some((d) => c.start < d.end && d.start < c.end));
    if (overlaps) continue;
    for (const c of fresh) {
      seen.add(`${c.start}:${c.end}:${c.text}`);
      edits.push(c);
    }
  }
  edits.sort((a, b) => b.start - a.start || b.order - a.order);
  let text = source;
  for (const e of edits) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return { text, applied: edits.length };
}
