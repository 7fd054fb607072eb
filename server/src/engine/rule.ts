/**
 * The contract between the engine and one rule: metadata for the catalogue and a `check` that
 * reads the semantic model and reports findings without severity (the engine applies settings
 * and suppressions).
 */
import type { Model } from './model';
import type { Fix, NotebookLayout, Range, RelatedLocation, Severity } from './types';

export interface RuleMeta {
  id: string;
  defaultSeverity: Severity;
  /** One sentence for settings and indexes. */
  summary: string;
  docsUrl: string;
  /** The rule's markdown documentation (generated from the doc block that opens its file). */
  docs: string;
  /** The languages it checks; Python when absent (the registry fills it in). */
  languages?: readonly Language[];
}

export type Language = 'python' | 'javascript';

export interface Report {
  message: string;
  range: Range;
  related?: RelatedLocation[];
  fixes?: Fix[];
}

export interface RuleContext {
  readonly model: Model;
  readonly file: string;
  /** Set when the source is a notebook's code cells joined. */
  readonly notebook?: NotebookLayout;
  report(report: Report): void;
}

export interface Rule {
  readonly meta: RuleMeta;
  check(context: RuleContext): void;
}

export function docsUrl(id: string): string {
  return `https://github.com/workerscope/workerscope/blob/main/docs/rules/${id}.md`;
}
