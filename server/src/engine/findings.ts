/**
 * Turning what the rules report into findings, the same for every language: one finding per
 * range and message of a rule, suppressed lines left out, a failing rule contained, findings
 * sorted by position, and quick fixes given the file's own line breaks.
 */
import type { Report } from './rule';
import { lineBreakOf } from './text';
import type { AnalysisOptions, Finding, Severity } from './types';

/** A rule's severity under the options, or undefined when it does not run at all. */
export function severityFor(id: string, defaultSeverity: Severity, options: AnalysisOptions): Severity | undefined {
  if (options.onlyRules && !options.onlyRules.includes(id)) return undefined;
  const setting = options.severities?.[id];
  if (setting === 'off') return undefined;
  return setting ?? defaultSeverity;
}

/** Runs one rule's check with a `report` that adds its findings to `findings`. */
export function runRule(id: string, severity: Severity, suppressed: (line: number) => boolean, findings: Finding[], check: (report: (r: Report) => void) => void): void {
  const seen = new Set<string>();
  const report = (r: Report): void => {
    const key = `${r.range.start.line}:${r.range.start.character}:${r.range.end.line}:${r.range.end.character}:${r.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (suppressed(r.range.start.line)) return;
    findings.push({ rule: id, severity, message: r.message, range: r.range, related: r.related ?? [], fixes: r.fixes ?? [] });
  };
  try {
    check(report);
  } catch (error) {
    // A rule bug must not take the server down; the other rules still report.
    if (process.env['WORKERSCOPE_DEBUG']) throw error;
  }
}

/** Sorts findings by position; rules write fixes with LF, and a file that breaks lines otherwise gets its own back. */
export function finishFindings(findings: Finding[], rawSource: string): Finding[] {
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.rule.localeCompare(b.rule));
  const eol = lineBreakOf(rawSource);
  if (eol !== '\n') {
    for (const f of findings) for (const fix of f.fixes) for (const edit of fix.edits) edit.newText = edit.newText.replace(/\r\n|\r|\n/g, eol);
  }
  return findings;
}
