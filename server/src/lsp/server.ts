/**
 * The language server: wires the LSP connection to the document store, the settings cache and the
 * analysis worker. Runs over stdio (`--stdio`) or node IPC, as the client chooses. This thread
 * never parses nor analyses, so requests (hover, code actions) are answered while analysis runs.
 * A Python module that changes (edited in the editor, or on disk) has the files importing it
 * checked again on the workspace pool, so the edited document's own analysis never waits for them.
 */
import {
  createConnection,
  type Connection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type Diagnostic,
  type FileEvent,
  FileChangeType,
  type InitializeResult,
} from 'vscode-languageserver/node';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES, type Finding } from '../analysis';
import { checkAnalysable } from '../common/inputGuard';
import { layoutOf } from '../common/notebookSource';
import { isJsFile } from '../engine-js/prefilter';
import { AnalysisPool } from './analysisPool';
import { AnalysisScheduler } from './analysisScheduler';
import { fixesOf, toCodeActions, toDiagnostic } from './convert';
import { readModules, workspaceEditSupport, type WorkspaceEditSupport } from './fileChanges';
import { DocumentStore } from './documentStore';
import { DiagnosticHovers } from './hover';
import { ImportIndex } from './importIndex';
import { NotebookSync } from './notebooks';
import { ProjectSettings } from './projectSettings';
import { PullDiagnostics } from './pullDiagnostics';
import { SettingsCache } from './settings';
import { WorkspaceDiagnostics, type DiagnosticMode } from './workspaceDiagnostics';

const JS_LANGUAGE_IDS: ReadonlySet<string> = new Set(['javascript', 'typescript', 'javascriptreact', 'typescriptreact']);

// A burst of edits (arriving before their analysis could start) is analysed this long after its last edit.
const ANALYSIS_BURST_MS = 25;
// A superseded run that has not stopped by itself after this long is ended by restarting the worker.
const SUPERSEDED_GRACE_MS = 1_000;
// No single analysis may take longer; the document is then reported as too costly to analyse.
const ANALYSIS_BUDGET_MS = 20_000;
// After analysing a text this long the worker is restarted when idle, to give its memory back.
const RECYCLE_CHARS = 1_000_000;
// The workspace pass keeps no trees: its worker is recycled less often.
const WORKSPACE_RECYCLE_CHARS = 20_000_000;
// The files a workspace pass reads, watched so a change on disk is checked again.
const SOURCE_GLOB = '**/*.{py,pyw,js,mjs,cjs,jsx,ts,mts,cts,tsx}';

export function startServer(entry: string): void {
  new LanguageServer(createConnection(ProposedFeatures.all), entry).listen();
}

/** The server's state (documents, settings, the analysis pool) and its handlers of the connection. */
class LanguageServer {
  private readonly documents = new DocumentStore();
  private readonly docsUrls = new Map(RULES.map((rule) => [rule.id, rule.docsUrl]));
  private readonly skippedNotified = new Set<string>();
  private configurationSupported = false;
  private editSupport: WorkspaceEditSupport = { documentChanges: false, createFiles: false };
  private watchFiles = false;
  private folders: string[] = [];
  private readonly settings: SettingsCache;
  private readonly project: ProjectSettings;
  private readonly hovers = new DiagnosticHovers(RULES);
  private readonly pool: AnalysisPool;
  private readonly scheduler: AnalysisScheduler;
  private readonly notebooks: NotebookSync;
  private readonly notebookGenerations = new Map<string, number>();
  private readonly workspace: WorkspaceDiagnostics;
  private readonly workspacePool: AnalysisPool;
  /** Which files import which project modules (from every analysis's report). */
  private readonly imports = new ImportIndex();
  /** Open documents on disk, by path: an open Python module's text is what the modules importing it read. */
  private readonly openPaths = new Map<string, string>();
  /** Counts changes of project modules: a result analysed before a change never replaces one after it. */
  private moduleEpoch = 0;
  private readonly openPublished = new Map<string, { version: number; epoch: number }>();
  /** The newest re-check of each open document on the workspace pool (a module it imports changed). */
  private readonly dependantRuns = new Map<string, number>();
  private dependantRun = 0;
  /** Pull diagnostics, when the client pulls (`textDocument.diagnostic`); else findings are published. */
  private pull: PullDiagnostics | undefined;

  constructor(private readonly connection: Connection, entry: string) {
    this.settings = new SettingsCache(connection, () => this.configurationSupported);
    this.project = new ProjectSettings(connection);
    this.pool = new AnalysisPool({
      entry,
      supersededGraceMs: SUPERSEDED_GRACE_MS,
      budgetMs: ANALYSIS_BUDGET_MS,
      recycleChars: RECYCLE_CHARS,
      log: (message) => connection.console.log(`Workerscope: ${message}`),
    });
    this.scheduler = new AnalysisScheduler(ANALYSIS_BURST_MS, (uri) => this.analyse(uri), (uri, error) => {
      connection.console.error(`Workerscope could not analyse ${uri}: ${error instanceof Error ? error.stack : String(error)}`);
    });
    this.workspacePool = new AnalysisPool({ entry, supersededGraceMs: SUPERSEDED_GRACE_MS, budgetMs: ANALYSIS_BUDGET_MS, recycleChars: WORKSPACE_RECYCLE_CHARS, log: (message) => connection.console.log(`Workerscope: ${message}`) });
    this.workspace = this.workspaceDiagnostics();
    this.notebooks = new NotebookSync(connection, (uri) => this.scheduleNotebook(uri), (uri, cells) => {
      this.scheduler.cancel(uri);
      this.settings.forget(uri);
      this.pool.supersede(uri, -1);
      this.pool.drop(uri, true);
      this.notebookGenerations.delete(uri);
      for (const cell of cells) this.publish(cell, undefined, []);
    });
  }

  listen(): void {
    this.handleLifecycle();
    this.handleDocuments();
    this.handleRequests();
    // Bad input must never take the server down: log what escaped and keep serving.
    process.on('unhandledRejection', (reason) => {
      this.connection.console.error(`Workerscope: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
    });
    this.connection.listen();
  }

  private handleLifecycle(): void {
    const { connection } = this;
    connection.onInitialize((params): InitializeResult => {
      this.configurationSupported = params.capabilities.workspace?.configuration === true;
      this.editSupport = workspaceEditSupport(params.capabilities);
      this.watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
      this.folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
      if (params.capabilities.textDocument?.diagnostic) {
        this.pull = new PullDiagnostics({
          connection,
          currentVersion: (uri) => this.documents.get(uri)?.text.version,
          refreshSupport: params.capabilities.workspace?.diagnostics?.refreshSupport === true,
          publish: (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
        });
      }
      return {
        capabilities: {
          ...(this.pull ? { diagnosticProvider: { identifier: 'workerscope', interFileDependencies: true, workspaceDiagnostics: true } } : {}),
          textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
          codeActionProvider: { codeActionKinds: ['quickfix'] },
          hoverProvider: true,
          notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] },
        },
        serverInfo: { name: 'workerscope', version: '0.1.0' },
      };
    });

    connection.onInitialized(() => {
      this.project.initialise(this.folders, this.watchFiles);
      if (this.configurationSupported) {
        void connection.client.register(DidChangeConfigurationNotification.type, { section: 'workerscope' });
      }
      if (this.watchFiles) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: SOURCE_GLOB }] }).catch(() => undefined);
      void this.checkWorkspace();
    });

    const recheckAll = (): void => {
      for (const doc of this.documents.all()) this.scheduler.schedule(doc.uri);
      for (const uri of this.notebooks.uris()) this.scheduleNotebook(uri);
      void this.checkWorkspace();
    };
    connection.onDidChangeConfiguration(() => {
      this.settings.forget();
      recheckAll();
    });
    connection.onDidChangeWatchedFiles(({ changes }) => {
      // A project configuration or baseline changed on disk (both are re-read when their file
      // changes): everything again. A source file changed: that file, if it is not open.
      const sources = changes.filter(isSourceChange);
      if (sources.length < changes.length) recheckAll();
      else this.workspace.filesChanged(sources);
      this.modulesChangedOnDisk(sources);
    });

    connection.languages.diagnostics.on(({ textDocument, previousResultId }, token) => this.pull?.document(textDocument.uri, previousResultId, token) ?? { kind: 'full', items: [] });
    connection.languages.diagnostics.onWorkspace(({ previousResultIds }, token) => this.pull?.workspace(previousResultIds, token) ?? { items: [] });

    connection.onShutdown(() => {
      this.pull?.dispose();
      this.scheduler.dispose();
      this.pool.dispose();
      this.workspacePool.dispose();
    });
  }

  private handleDocuments(): void {
    const { connection, documents, pool, scheduler } = this;
    connection.onDidOpenTextDocument(({ textDocument }) => {
      if (!languageOf(textDocument.languageId, textDocument.uri) || textDocument.uri.startsWith('vscode-notebook-cell:')) return;
      const uri = textDocument.uri;
      documents.open(uri, textDocument.languageId, textDocument.version, textDocument.text);
      pool.drop(uri);
      pool.supersede(uri, textDocument.version);
      scheduler.schedule(uri);
      this.moduleOpened(uri, textDocument.languageId, textDocument.text);
    });

    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      const changed = documents.change(textDocument.uri, textDocument.version, contentChanges);
      if (!changed) return;
      // Supersede first: a run of the previous version stops at its next check.
      pool.supersede(textDocument.uri, changed.doc.text.version);
      if ('reset' in changed.tree) pool.drop(textDocument.uri);
      else pool.edit(textDocument.uri, changed.tree.edits);
      scheduler.schedule(textDocument.uri);
      this.moduleText(textDocument.uri, changed.doc.text.getText());
    });

    connection.onDidCloseTextDocument(({ textDocument }) => {
      scheduler.cancel(textDocument.uri);
      documents.close(textDocument.uri);
      pool.supersede(textDocument.uri, -1);
      pool.drop(textDocument.uri, true);
      this.settings.forget(textDocument.uri);
      this.openPublished.delete(textDocument.uri);
      this.pull?.closed(textDocument.uri);
      if (this.dependantRuns.delete(textDocument.uri)) {
        this.workspacePool.supersede(`dependant:${textDocument.uri}`, -1);
        this.workspacePool.drop(`dependant:${textDocument.uri}`, true);
      }
      this.moduleText(textDocument.uri, undefined);
      // In workspace mode the file's findings now come from disk; otherwise they go.
      if (!this.workspace.documentClosed(textDocument.uri)) this.publish(textDocument.uri, undefined, []);
    });
  }

  private handleRequests(): void {
    const { connection, documents } = this;
    connection.onCodeAction(async ({ textDocument, context }) => {
      const text = documents.get(textDocument.uri)?.text.getText() ?? this.notebooks.cellText(textDocument.uri);
      if (text === undefined) return [];
      // Editors ask for code actions on every cursor move; split the text only when one of our
      // diagnostics is in the request and its line is needed.
      let lines: string[] | undefined;
      const doc = documents.get(textDocument.uri);
      const language = doc ? languageOf(doc.text.languageId, textDocument.uri) : 'python';
      // A fix that adds to a module beside a notebook reads that module now, as it is when applied.
      const modules = await readModules(fixesOf(context.diagnostics), (uri) => documents.get(uri)?.text.getText());
      return toCodeActions(textDocument.uri, context.diagnostics, (line) => (lines ??= text.split(/\r\n|\r|\n/))[line] ?? '', language, { support: this.editSupport, modules });
    });

    connection.onHover(({ textDocument, position }) => {
      const doc = documents.get(textDocument.uri);
      return this.hovers.hover(textDocument.uri, position, doc ? languageOf(doc.text.languageId, textDocument.uri) : 'python');
    });
  }

  /** Workspace diagnostics on a pool of their own, so the first pass never delays an open document. */
  private workspaceDiagnostics(): WorkspaceDiagnostics {
    const log = (message: string): void => this.connection.console.log(message);
    return new WorkspaceDiagnostics({
      connection: this.connection,
      pool: this.workspacePool,
      isOpen: (file) => this.openPaths.has(file),
      recordImports: (file, modules) => this.imports.record(file, modules),
      settingsFor: async (uri) => {
        // Settings are per folder for files the editor has not opened: one request per folder, not per file.
        const folder = this.folders.find((f) => uri.startsWith(f.endsWith('/') ? f : `${f}/`));
        const editor = await this.settings.get(folder ?? uri);
        return editor.enable ? this.project.forDocument(uri, editor.rules) : undefined;
      },
      unbaselined: (uri, source, findings, settings) => this.project.unbaselined(uri, source, findings, settings),
      publish: (uri, diagnostics) => this.publish(uri, undefined, diagnostics),
      toDiagnostic: (finding, uri) => toDiagnostic(finding, uri, this.docsUrls.get(finding.rule)),
      log,
    });
  }

  /** Runs the workspace pass in the mode the settings choose (`workspace` unless set to `openFiles`). */
  private async checkWorkspace(): Promise<void> {
    let mode: DiagnosticMode = 'workspace';
    if (this.configurationSupported) {
      const raw: unknown = await this.connection.workspace.getConfiguration('workerscope.diagnosticMode').catch(() => undefined);
      if (raw === 'openFiles') mode = 'openFiles';
    }
    await this.workspace.run(this.folders, mode);
  }

  private publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void {
    this.hovers.remember(uri, diagnostics);
    // Notebook cells stay published: their findings change with edits of other cells, which a
    // cell's own pull cannot wait for (seen in code-server: a stale finding after the move fix).
    if (this.pull && !uri.startsWith('vscode-notebook-cell:')) return this.pull.set(uri, version, diagnostics);
    void this.connection.sendDiagnostics({ uri, ...(version === undefined ? {} : { version }), diagnostics });
  }

  /**
   * Analyses an open document and publishes its findings. `dependant`: a module it imports
   * changed, and the document is checked again on the workspace pool (its own edits keep the
   * editor's pool to themselves).
   */
  private async analyse(uri: string, dependant = false): Promise<void> {
    if (this.notebooks.has(uri)) return dependant ? undefined : this.analyseNotebook(uri);
    const { documents } = this;
    const doc = documents.get(uri);
    if (!doc) return;
    const version = doc.text.version;
    const docSettings = await this.settings.get(uri);
    // The document may have changed or closed while settings were fetched: a newer run is queued.
    if (documents.get(uri) !== doc || doc.text.version !== version) return;
    const source = doc.text.getText();
    const verdict = checkAnalysable(source);
    this.project.logSettingsProblems(docSettings.problems);
    const project = this.project.forDocument(uri, docSettings.rules);
    if (!docSettings.enable || !verdict.ok || project.excluded) {
      if (!verdict.ok) this.notifySkipped(uri, verdict.reason);
      this.publishOpen(uri, version, this.moduleEpoch, []);
      return;
    }
    const language = languageOf(doc.text.languageId, uri) ?? 'python';
    const pool = dependant ? this.workspacePool : this.pool;
    const key = dependant ? `dependant:${uri}` : uri;
    const run = dependant ? ++this.dependantRun : version;
    if (dependant) {
      this.dependantRuns.set(uri, run);
      pool.supersede(key, run);
    }
    // Taken as the request is posted: the worker has every module text sent before it.
    const epoch = this.moduleEpoch;
    const outcome = await pool.analyse({ key, version: run, text: source, file: uri, severities: project.severities, startMethod: project.startMethod, keepTree: !dependant, language, languageId: doc.text.languageId });
    // Never publish for a version older than the newest received.
    if (documents.get(uri) !== doc || doc.text.version !== version) return;
    if (outcome.kind === 'cancelled') {
      // Cancelled although still current: the worker was restarted under it. Run again.
      if (!dependant) this.scheduler.schedule(uri);
      else if (this.dependantRuns.get(uri) === run) await this.analyse(uri, true);
      return;
    }
    if (outcome.kind === 'failed') throw new Error(outcome.error);
    if (outcome.kind === 'timeout') {
      this.notifySkipped(uri, `analysis took longer than ${ANALYSIS_BUDGET_MS / 1000} s and was stopped`);
      this.publishOpen(uri, version, epoch, []);
      return;
    }
    if (uri.startsWith('file:')) this.imports.record(fileURLToPath(uri), outcome.modules);
    const findings = this.project.unbaselined(uri, source, outcome.findings, project);
    this.publishOpen(uri, version, epoch, findings.map((f) => toDiagnostic(f, uri, this.docsUrls.get(f.rule))));
  }

  /** Publishes an open document's findings unless newer ones (a newer version, or a later module epoch) are out. */
  private publishOpen(uri: string, version: number, epoch: number, diagnostics: Diagnostic[]): void {
    const last = this.openPublished.get(uri);
    if (last && (last.version > version || (last.version === version && last.epoch > epoch))) return;
    this.openPublished.set(uri, { version, epoch });
    this.publish(uri, version, diagnostics);
  }

  // ---------------------------------------------------------------- modules that other files import

  /** A document opened: its path is open, and a Python module whose text differs from its file is news to its dependants. */
  private moduleOpened(uri: string, languageId: string, text: string): void {
    if (!uri.startsWith('file:')) return;
    const file = fileURLToPath(uri);
    this.openPaths.set(file, uri);
    if (languageOf(languageId, uri) !== 'python') return;
    let onDisk: string | undefined;
    try {
      onDisk = fs.readFileSync(file, 'utf8');
    } catch {
      onDisk = undefined;
    }
    this.moduleText(uri, text, onDisk !== text);
  }

  /**
   * An open Python module's text changed (undefined: it closed, its file counts again): both
   * pools get it, and the files importing it are checked again.
   */
  private moduleText(uri: string, text: string | undefined, recheck = true): void {
    if (!uri.startsWith('file:')) return;
    const file = fileURLToPath(uri);
    if (text === undefined) this.openPaths.delete(file);
    if (!/\.pyw?$/.test(file)) return;
    this.pool.overlay(file, text);
    this.workspacePool.overlay(file, text);
    this.moduleEpoch++;
    if (recheck) this.recheckDependants(file);
  }

  /** Source files changed on disk: the files importing them are checked again (an open module's text wins over its file). */
  private modulesChangedOnDisk(changes: readonly FileEvent[]): void {
    const created: string[] = [];
    for (const change of changes) {
      if (!change.uri.startsWith('file:') || !/\.pyw?$/.test(change.uri.replace(/[?#].*$/, ''))) continue;
      const file = fileURLToPath(change.uri);
      if (change.type === FileChangeType.Deleted) this.imports.forget(file);
      if (change.type !== FileChangeType.Changed) created.push(file);
      if (this.openPaths.has(file)) continue;
      this.moduleEpoch++;
      this.recheckDependants(file);
    }
    // A module created or deleted is found, or missed, at once (not after the worker's negative cache expires).
    this.pool.filesChanged(created);
    this.workspacePool.filesChanged(created);
  }

  /** Checks the files importing `module` again; with the client's trace on, says when all were published. */
  private recheckDependants(module: string): void {
    const started = performance.now();
    const runs = this.imports.dependantsOf(module).map((dependant) => {
      const uri = this.openPaths.get(dependant);
      if (!uri) return this.workspace.recheck(dependant);
      return this.analyse(uri, true).catch((error: unknown) => this.connection.console.error(`Workerscope could not check ${uri} again: ${String(error)}`));
    });
    if (runs.length === 0) return;
    void Promise.all(runs).then(() => this.connection.tracer.log(`Workerscope: ${runs.length} files importing ${path.basename(module)} checked again in ${(performance.now() - started).toFixed(1)} ms`));
  }

  private notifySkipped(uri: string, reason: string): void {
    if (this.skippedNotified.has(uri)) return;
    this.skippedNotified.add(uri);
    this.connection.console.warn(`Workerscope skipped ${uri}: ${reason}.`);
    // A notification, not a request: a client that cannot show messages must not fail the analysis.
    void this.connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Warning,
      message: `Workerscope skipped ${uri.split('/').pop()}: ${reason}.`,
    });
  }

  /** Notebooks have no version of their own for every cell edit: a counter per notebook stands in. */
  private scheduleNotebook(uri: string): void {
    const generation = (this.notebookGenerations.get(uri) ?? 0) + 1;
    this.notebookGenerations.set(uri, generation);
    this.pool.supersede(uri, generation);
    this.scheduler.schedule(uri);
  }

  /** Analyses a notebook's code cells as one module and publishes the findings on their cells. */
  private async analyseNotebook(uri: string): Promise<void> {
    const { notebooks, notebookGenerations } = this;
    const generation = notebookGenerations.get(uri) ?? 0;
    const current = (): boolean => notebooks.has(uri) && notebookGenerations.get(uri) === generation;
    const docSettings = await this.settings.get(uri);
    const snapshot = notebooks.snapshot(uri);
    if (!snapshot || !current()) return;
    const source = snapshot.concatenated.source;
    let findings: Finding[] = [];
    const project = this.project.forDocument(uri, docSettings.rules);
    if (docSettings.enable && !project.excluded && checkAnalysable(source).ok) {
      const outcome = await this.pool.analyse({ key: uri, version: generation, text: source, file: uri, severities: project.severities, startMethod: project.startMethod, notebook: layoutOf(snapshot.concatenated), keepTree: false });
      if (!current()) return;
      if (outcome.kind === 'cancelled') {
        this.scheduler.schedule(uri);
        return;
      }
      if (outcome.kind === 'failed') throw new Error(outcome.error);
      if (outcome.kind === 'findings') findings = this.project.unbaselined(uri, source, outcome.findings, project);
    }
    const byCell = notebooks.distribute(snapshot, findings, (f, cell) => toDiagnostic(f, cell, this.docsUrls.get(f.rule)));
    for (const [cell, diagnostics] of byCell) this.publish(cell, undefined, diagnostics);
  }
}

/** A change to a source file (not to a configuration or baseline file). */
function isSourceChange(change: FileEvent): boolean {
  const path = change.uri.replace(/[?#].*$/, '');
  return /\.pyw?$/.test(path) || isJsFile(path);
}

/** The engine for a document: Python, or JavaScript/TypeScript (plain and React); undefined for others. */
function languageOf(languageId: string, uri: string): 'python' | 'javascript' | undefined {
  if (languageId === 'python' || uri.endsWith('.py') || uri.endsWith('.pyw')) return 'python';
  if (JS_LANGUAGE_IDS.has(languageId) || isJsFile(uri.replace(/[?#].*$/, ''))) return 'javascript';
  return undefined;
}
