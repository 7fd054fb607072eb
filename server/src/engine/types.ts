/**
 * The analysis engine's public vocabulary: findings, ranges, fixes and rule settings.
 * Plain data only, so the language server, the CLI and the tests share it without knowing each other.
 */

/** Zero-based line and UTF-16 column, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix an editor should offer first (e.g. for "fix all"). */
  isPreferred?: boolean;
}

export interface RelatedLocation {
  /** Absent means the analysed file itself. */
  file?: string;
  range: Range;
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
}

export interface AnalysisOptions {
  /** Path or URI of the file, used in messages and related locations. */
  file: string;
  /** Severity overrides per rule id; rules left out use their default. */
  severities?: Readonly<Record<string, SeveritySetting>>;
  /**
   * The start method to assume where the program sets none (`set_start_method`, a context):
   * the project's `start-method`. Left out, rules judge by what every platform default implies.
   */
  startMethod?: 'fork' | 'spawn' | 'forkserver';
  /** Restrict analysis to these rule ids (CLI `--rule`). */
  onlyRules?: readonly string[];
  /** Polled between rules; returning true abandons the analysis. */
  isCancelled?: () => boolean;
}
