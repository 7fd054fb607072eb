/**
 * The JavaScript/TypeScript analysis facade, beside `analysis.ts`: keeps the parsed files (open
 * documents are reparsed incrementally) and runs the JS rules over a file. It is loaded on demand (a bundle of its own in dist/), so
 * that analysing Python never pays for loading the TypeScript compiler.
 */
import { JS_RULE_IMPLEMENTATIONS } from './rules/js';
import { RULES } from './rules';
import { JsModel } from './engine-js/model';
import { JsProject } from './engine-js/project';
import { finishFindings, runRule, severityFor } from './engine/findings';
import type { AnalysisOptions, Finding } from './engine/types';

export { mightUseWorkers } from './engine-js/prefilter';

const DEFAULT_SEVERITY = new Map(RULES.map((r) => [r.id, r.defaultSeverity]));

const SUPPRESSION = /\/[/*]\s*workerscope-ignore\b([^\n*]*)/;

/** `// workerscope-ignore` (every rule) or `// workerscope-ignore rule-a, rule-b` on the line or alone on the line above. */
export function isSuppressedJs(line: string, previous: string, rule: string): boolean {
  const own = SUPPRESSION.exec(line);
  const above = previous.trim().startsWith('//') || previous.trim().startsWith('/*') ? SUPPRESSION.exec(previous) : null;
  return [own, above].some((m) => {
    if (!m) return false;
    const ids = (m[1] ?? '').split(/[\s,]+/).filter((s) => /^[a-z]+(-[a-z]+)*$/.test(s));
    return ids.length === 0 || ids.includes(rule);
  });
}

export interface JsAnalysisOptions extends AnalysisOptions {
  /** The key the file is kept under in the project (a URI in the editor); defaults to `file`. */
  key?: string;
  /** Keep the file in the project for the next edit (open documents), or forget it afterwards. */
  keep?: boolean;
  /** The name whose extension decides the dialect (JS, TS, JSX, TSX); defaults to `file`. */
  fileName?: string;
}

let sharedProject: JsProject | undefined;

export function jsProject(): JsProject {
  sharedProject ??= new JsProject();
  return sharedProject;
}

/** Analyses a JavaScript or TypeScript source; never throws on odd input; findings sorted by position. */
export function analyzeJsSource(source: string, options: JsAnalysisOptions, project: JsProject = jsProject()): Finding[] {
  const key = options.key ?? options.file;
  if (!options.keep) project.drop(key);
  const sourceFile = project.update(key, options.fileName ?? options.file, source);
  try {
    const model = new JsModel(sourceFile, options.file, (path) => project.openFile(path));
    const findings: Finding[] = [];
    for (const rule of JS_RULE_IMPLEMENTATIONS) {
      const id = rule.id;
      const severity = severityFor(id, DEFAULT_SEVERITY.get(id) ?? 'warning', options);
      if (!severity) continue;
      if (options.isCancelled?.()) return [];
      const suppressed = (line: number): boolean => isSuppressedJs(model.lines.line(line), line > 0 ? model.lines.line(line - 1) : '', id);
      runRule(id, severity, suppressed, findings, (report) => rule.check({ model, file: options.file, report }));
    }
    return finishFindings(findings, source);
  } finally {
    if (!options.keep) project.drop(key);
  }
}
