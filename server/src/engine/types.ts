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
  /** Edits on the analysed document (after notebook mapping: on the finding's cell). */
  edits: TextEdit[];
  /** The fix an editor should offer first (e.g. for "fix all"). */
  isPreferred?: boolean;
  /** What the fix changes elsewhere; a client that cannot make these changes must not offer the fix. */
  files?: FileChange[];
}

/**
 * A change a fix makes outside its own document: edits on another open document (another cell of
 * the notebook), or code added to a Python module that is created when missing. The module's text
 * is unknown to the engine: whoever applies the fix merges the code into what the file holds then
 * (`engine/moduleMerge.ts`), never replacing it.
 */
export type FileChange =
  | { kind: 'edit'; file: string; edits: TextEdit[] }
  | ModuleAddition;

export interface ModuleAddition {
  kind: 'module';
  /** Path or URI of the module, beside the analysed file. */
  file: string;
  /** Its import name (a valid identifier). */
  module: string;
  /** The imports the code needs, in the order they should appear. */
  imports: ImportSpec[];
  /** Top-level definitions to append, each a complete statement without surrounding blank lines. */
  definitions: string[];
  /** The names the definitions bind: the fix is refused when the module already binds one. */
  defines: string[];
  /** The docstring that opens the module when the fix creates it. */
  header: string;
  /** The analysed file already imports a module of this name: if no such file exists beside it, that
   * name belongs to an installed module, which the new file would shadow. */
  alreadyImported: boolean;
}

/** `import name [as alias]`, or `from <from> import name [as alias]`. */
export interface ImportSpec {
  from?: string;
  name: string;
  alias?: string;
}

/** How an analysed source is made of notebook cells (lines of the joined source). */
export interface NotebookLayout {
  /** The first line of each cell, ascending. */
  cellStarts: number[];
  /** Lines that are IPython magics or shell escapes (`%…`, `!…`), turned into comments for parsing. */
  magicLines: number[];
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
  /** For a notebook's cells joined: where each cell starts (fixes then edit the right cell). */
  notebook?: NotebookLayout;
  /** Polled between rules; returning true abandons the analysis. */
  isCancelled?: () => boolean;
  /** Filled with a stamp (path, mtime, size) of each project module the analysis read for the file's imports. */
  importedModules?: string[];
}
