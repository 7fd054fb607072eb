/**
 * Workspace diagnostics: findings for every Python, JavaScript and TypeScript file of the workspace
 * folders, not only the open ones, analysed from disk on a pool of its own (so a keystroke never
 * waits behind the pass) and published for files the editor does not have open. Files changed on
 * disk are analysed again, and so are the files importing a module that changed (`recheck`); the
 * first pass reports its progress.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileChangeType, type Connection, type Diagnostic, type FileEvent } from 'vscode-languageserver/node';
import { mightUseParallelism, type Finding } from '../analysis';
import { checkAnalysable, MAX_SOURCE_BYTES, tooLargeReason } from '../common/inputGuard';
import { collectSourceFiles, decodePythonSource, decodeUtf8Source, readSourceFile } from '../common/sourceFiles';
import { isJsFile, mightUseWorkers } from '../engine-js/prefilter';
import type { FileSettings } from '../config/resolve';
import type { AnalysisPool } from './analysisPool';

/** Above this many files the workspace is checked as open files only (the setting's `workspace` default). */
export const WORKSPACE_FILE_LIMIT = 5_000;

export type DiagnosticMode = 'workspace' | 'openFiles';

export interface WorkspaceDiagnosticsDeps {
  readonly connection: Connection;
  readonly pool: AnalysisPool;
  /** Whether the editor has the file open (by path: a client may spell the same file's URI differently). */
  isOpen(file: string): boolean;
  /** The file's settings (project configuration and editor rules), or undefined when Workerscope is disabled for it. */
  settingsFor(uri: string): Promise<FileSettings | undefined>;
  /** Findings a baseline accepts left out. */
  unbaselined(uri: string, source: string, findings: Finding[], settings: FileSettings): Finding[];
  publish(uri: string, diagnostics: Diagnostic[]): void;
  /** The analysis of `file` read these project modules (stamps; none when it was not analysed). */
  recordImports(file: string, modules: readonly string[]): void;
  toDiagnostic(finding: Finding, uri: string): Diagnostic;
  log(message: string): void;
}

export class WorkspaceDiagnostics {
  private mode: DiagnosticMode = 'openFiles';
  private folders: string[] = [];
  /** Files whose findings this class published (non-empty), to clear them when they go. */
  private readonly shown = new Set<string>();
  private pass = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Files queued for a check that has not started: a burst of changes checks each once. */
  private readonly queued = new Map<string, Promise<void>>();

  constructor(private readonly deps: WorkspaceDiagnosticsDeps) {}

  get active(): boolean {
    return this.mode === 'workspace';
  }

  /** Starts (or restarts) a pass over the folders in `mode`; `openFiles` takes down what a pass showed. */
  async run(folderUris: readonly string[], mode: DiagnosticMode): Promise<void> {
    const pass = ++this.pass;
    this.folders = folderUris.flatMap((uri) => (uri.startsWith('file:') ? [fileURLToPath(uri)] : []));
    this.mode = mode;
    if (mode === 'openFiles' || this.folders.length === 0) {
      this.clearClosed();
      return;
    }
    const files = collectSourceFiles(this.folders, () => undefined).filter((f) => !f.endsWith('.ipynb'));
    if (files.length >= WORKSPACE_FILE_LIMIT) {
      this.mode = 'openFiles';
      this.deps.log(`Workerscope: the workspace has ${files.length} source files (${WORKSPACE_FILE_LIMIT} or more): only open files are checked. Set "workerscope.diagnosticMode" to "openFiles" to say so, or open a smaller folder.`);
      this.clearClosed();
      return;
    }
    const progress = await this.deps.connection.window.createWorkDoneProgress().catch(() => undefined);
    progress?.begin('Workerscope', 0, `checking ${files.length} files`, false);
    const started = Date.now();
    let done = 0;
    for (const file of files) {
      if (pass !== this.pass) break;
      await this.check(pathToFileURL(file).href, file, () => pass === this.pass);
      done++;
      if (done % 25 === 0) progress?.report(Math.floor((done / files.length) * 100), `${done} of ${files.length} files`);
    }
    progress?.done();
    if (pass === this.pass) this.deps.log(`Workerscope: checked ${done} workspace files in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  }

  /** Files created, changed or deleted on disk: closed ones are analysed again (or cleared). */
  filesChanged(changes: readonly FileEvent[]): void {
    if (!this.active) return;
    for (const change of changes) {
      if (!change.uri.startsWith('file:')) continue;
      const file = fileURLToPath(change.uri);
      if (!this.inFolders(file) || !isSourceFile(file)) continue;
      if (change.type === FileChangeType.Deleted) this.clear(change.uri);
      else void this.enqueue(change.uri, file);
    }
  }

  /** A module `file` imports changed: the file is checked again if it is a closed workspace file (resolves once published). */
  recheck(file: string): Promise<void> {
    if (!this.active || !this.inFolders(file) || !isSourceFile(file) || this.deps.isOpen(file)) return Promise.resolve();
    return this.enqueue(pathToFileURL(file).href, file);
  }

  /** A document closed in the editor: its findings now come from the file on disk. */
  documentClosed(uri: string): boolean {
    if (!this.active || !uri.startsWith('file:')) return false;
    const file = fileURLToPath(uri);
    if (!this.inFolders(file) || !isSourceFile(file)) return false;
    // What the open document showed stays until the file's own findings replace or clear it.
    this.shown.add(uri);
    void this.enqueue(uri, file);
    return true;
  }

  private enqueue(uri: string, file: string): Promise<void> {
    const waiting = this.queued.get(file);
    if (waiting) return waiting;
    const next = this.queue.then(() => {
      this.queued.delete(file);
      return this.check(uri, file, () => this.active);
    }).catch((error: unknown) => this.deps.log(`Workerscope could not check ${uri}: ${String(error)}`));
    this.queued.set(file, next);
    this.queue = next;
    return next;
  }

  /**
   * Analyses one file from disk unless the editor has it open (the editor's text wins), and
   * publishes what it found unless the pass it belongs to was superseded meanwhile.
   */
  private async check(uri: string, file: string, wanted: () => boolean): Promise<void> {
    if (this.deps.isOpen(file) || !wanted()) return;
    const { findings, modules } = await this.findingsOf(uri, file);
    if (modules && !this.deps.isOpen(file)) this.deps.recordImports(file, modules);
    if (this.deps.isOpen(file) || !wanted()) return;
    if (findings.length === 0) {
      this.clear(uri);
      return;
    }
    this.shown.add(uri);
    this.deps.publish(uri, findings.map((f) => this.deps.toDiagnostic(f, uri)));
  }

  private async findingsOf(uri: string, file: string): Promise<{ findings: Finding[]; modules: readonly string[] | undefined }> {
    const none = { findings: [], modules: [] };
    const read = readSourceFile(file, MAX_SOURCE_BYTES, tooLargeReason);
    if (!read.ok) return none;
    const js = isJsFile(file);
    const decoded = js ? decodeUtf8Source(read.bytes) : decodePythonSource(read.bytes);
    if (!decoded.ok) return none;
    const text = decoded.text;
    if (js ? !mightUseWorkers(text) : !mightUseParallelism(text)) return none;
    if (!checkAnalysable(text).ok) return none;
    const settings = await this.deps.settingsFor(uri);
    if (!settings || settings.excluded) return none;
    const outcome = await this.deps.pool.analyse({
      key: uri,
      version: 0,
      text,
      file: uri,
      severities: settings.severities,
      startMethod: settings.startMethod,
      keepTree: false,
      language: js ? 'javascript' : 'python',
    });
    return outcome.kind === 'findings' ? { findings: this.deps.unbaselined(uri, text, outcome.findings, settings), modules: outcome.modules } : { findings: [], modules: undefined };
  }

  private clear(uri: string): void {
    if (!this.shown.delete(uri)) return;
    this.deps.publish(uri, []);
  }

  private clearClosed(): void {
    for (const uri of [...this.shown]) if (!this.deps.isOpen(fileURLToPath(uri))) this.clear(uri);
    this.shown.clear();
  }

  private inFolders(file: string): boolean {
    return this.folders.some((folder) => file === folder || file.startsWith(folder.endsWith('/') ? folder : `${folder}/`));
  }
}

function isSourceFile(file: string): boolean {
  return /\.pyw?$/.test(file) || isJsFile(file);
}

