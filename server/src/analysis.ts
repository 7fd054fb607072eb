/**
 * The analysis facade, shared by the language server, the CLI and the tests: runs the rules of
 * the registry over a file's semantic model. It sits beside the rules and above the engine.
 *
 * Architecture invariant: nothing under `engine/` or `rules/` imports `vscode` or
 * `vscode-languageserver`; the engine is plain TypeScript over a tree-sitter tree.
 */
import type { Tree } from 'web-tree-sitter';
import { RULES as RULE_LIST, RULE_IMPLEMENTATIONS } from './rules';
import { Model } from './engine/model';
import { PARALLEL_HINT } from './engine/names';
import { NodeIndex } from './engine/scopes';
import { createPythonParser } from './engine/parser';
import { WorkspaceModules } from './engine/workspaceModules';
import { finishFindings, runRule, severityFor } from './engine/findings';
import type { RuleMeta } from './engine/rule';
import { isSuppressed, parsableText } from './engine/text';
import type { AnalysisOptions, Finding } from './engine/types';

export * from './engine/types';
export type { RuleMeta } from './engine/rule';
export { loadPython, createPythonParser } from './engine/parser';
export { parsableText } from './engine/text';
export { moduleStamp } from './engine/workspaceModules';

export const RULES: readonly RuleMeta[] = RULE_LIST;

/**
 * Cheap textual prefilter: false means no rule can fire (the file names no parallelism module),
 * so callers may skip parsing it.
 */
export function mightUseParallelism(source: string): boolean {
  return PARALLEL_HINT.test(source);
}

/**
 * Analyses an already parsed tree of `parsableText(source)`. Never throws on odd input; returns
 * findings sorted by position.
 */
export function analyzePythonTree(tree: Tree, rawSource: string, options: AnalysisOptions): Finding[] {
  const source = parsableText(rawSource);
  if (!mightUseParallelism(source)) return [];
  const index = new NodeIndex(tree.rootNode);
  if (!index.importsParallelism()) return [];
  // Names imported from the project's own modules evaluate to what those modules define.
  const imports = WorkspaceModules.forFile(options.file, tree.language);
  const model = new Model(tree, source, { index, ...(imports ? { imports } : {}), ...(options.startMethod ? { assumedStart: options.startMethod } : {}) });
  const findings: Finding[] = [];
  for (const rule of RULE_IMPLEMENTATIONS) {
    const id = rule.meta.id;
    if (rule.meta.languages && !rule.meta.languages.includes('python')) continue;
    const severity = severityFor(id, rule.meta.defaultSeverity, options);
    if (!severity) continue;
    if (options.isCancelled?.()) return [];
    runRule(id, severity, (line) => isSuppressed(model.lines.line(line), id), findings, (report) => rule.check({ model, file: options.file, ...(options.notebook ? { notebook: options.notebook } : {}), report }));
  }
  if (imports && options.importedModules) options.importedModules.push(...imports.stamps);
  return finishFindings(findings, rawSource);
}

let sharedParser: Promise<Awaited<ReturnType<typeof createPythonParser>>> | undefined;

/** Parses `source` with a shared parser, then analyses it. */
export async function analyzePythonSource(source: string, options: AnalysisOptions): Promise<Finding[]> {
  if (!mightUseParallelism(source)) return [];
  sharedParser ??= createPythonParser();
  const parser = await sharedParser;
  const tree = parser.parse(parsableText(source));
  if (!tree) return [];
  try {
    return analyzePythonTree(tree, source, options);
  } finally {
    tree.delete();
  }
}
