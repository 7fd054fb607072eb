/**
 * The language server's entry: wires the LSP connection to the document store, the settings
 * cache and the analysis engine. Runs over stdio (`--stdio`) or node IPC, as the client chooses.
 */
import {
  createConnection,
  DidChangeConfigurationNotification,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { analyzePythonTree, createPythonParser, RULES, type Finding } from '../engine';
import { checkAnalysable } from '../common/inputGuard';
import { AnalysisScheduler } from './analysisScheduler';
import { toCodeActions, toDiagnostic } from './convert';
import { DocumentStore } from './documentStore';
import { DiagnosticHovers } from './hover';
import { NotebookSync } from './notebooks';
import { SettingsCache } from './settings';

// A burst of edits (arriving before their analysis could start) is analysed this long after its last edit.
const ANALYSIS_BURST_MS = 25;

const connection = createConnection(ProposedFeatures.all);
const documents = new DocumentStore();
const docsUrls = new Map(RULES.map((rule) => [rule.id, rule.docsUrl]));
const parserReady = createPythonParser();
const skippedNotified = new Set<string>();
let configurationSupported = false;
const settings = new SettingsCache(connection, () => configurationSupported);
const hovers = new DiagnosticHovers(RULES);

const scheduler = new AnalysisScheduler(ANALYSIS_BURST_MS, analyse, (uri, error) => {
  connection.console.error(`Workerscope could not analyse ${uri}: ${error instanceof Error ? error.stack : String(error)}`);
});
const notebooks = new NotebookSync(connection, (uri) => scheduler.schedule(uri), (uri, cells) => {
  scheduler.cancel(uri);
  settings.forget(uri);
  for (const cell of cells) publish(cell, undefined, []);
});

connection.onInitialize((params): InitializeResult => {
  configurationSupported = params.capabilities.workspace?.configuration === true;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      hoverProvider: true,
      notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] },
    },
    serverInfo: { name: 'workerscope', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (configurationSupported) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'workerscope' });
  }
});

connection.onDidChangeConfiguration(() => {
  settings.forget();
  for (const doc of documents.all()) scheduler.schedule(doc.uri);
  for (const uri of notebooks.uris()) scheduler.schedule(uri);
});

connection.onDidOpenTextDocument(({ textDocument }) => {
  if (!isPython(textDocument.languageId, textDocument.uri) || textDocument.uri.startsWith('vscode-notebook-cell:')) return;
  documents.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
  scheduler.schedule(textDocument.uri);
});

connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
  if (documents.change(textDocument.uri, textDocument.version, contentChanges)) scheduler.schedule(textDocument.uri);
});

connection.onDidCloseTextDocument(({ textDocument }) => {
  scheduler.cancel(textDocument.uri);
  documents.close(textDocument.uri);
  settings.forget(textDocument.uri);
  publish(textDocument.uri, undefined, []);
});

connection.onCodeAction(({ textDocument, context }) => {
  const text = documents.get(textDocument.uri)?.text.getText() ?? notebooks.cellText(textDocument.uri);
  if (text === undefined) return [];
  // Editors ask for code actions on every cursor move; split the text only when one of our
  // diagnostics is in the request and its line is needed.
  let lines: string[] | undefined;
  return toCodeActions(textDocument.uri, context.diagnostics, (line) => (lines ??= text.split(/\r\n|\r|\n/))[line] ?? '');
});

connection.onHover(({ textDocument, position }) => hovers.hover(textDocument.uri, position));

connection.onShutdown(() => scheduler.dispose());

function publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void {
  hovers.remember(uri, diagnostics);
  void connection.sendDiagnostics({ uri, ...(version === undefined ? {} : { version }), diagnostics });
}

async function analyse(uri: string): Promise<void> {
  if (notebooks.has(uri)) return analyseNotebook(uri);
  const doc = documents.get(uri);
  if (!doc) return;
  const version = doc.text.version;
  const [docSettings, parser] = await Promise.all([settings.get(uri), parserReady]);
  // The document may have changed or closed while settings were fetched: a newer run is queued.
  if (documents.get(uri) !== doc || doc.text.version !== version) return;
  const source = doc.text.getText();
  const verdict = checkAnalysable(source);
  if (!docSettings.enable || !verdict.ok) {
    if (!verdict.ok && !skippedNotified.has(uri)) {
      skippedNotified.add(uri);
      connection.console.warn(`Workerscope skipped ${uri}: ${verdict.reason}.`);
      // A notification, not a request: a client that cannot show messages must not fail the analysis.
      void connection.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Warning,
        message: `Workerscope skipped ${uri.split('/').pop()}: ${verdict.reason}.`,
      });
    }
    publish(uri, version, []);
    return;
  }
  const tree = documents.parse(doc, parser);
  if (!tree) return;
  const findings = analyzePythonTree(tree, source, {
    file: uri,
    severities: docSettings.rules,
    isCancelled: () => doc.text.version !== version,
  });
  if (doc.text.version !== version) return;
  const diagnostics = findings.map((f) => toDiagnostic(f, uri, docsUrls.get(f.rule)));
  publish(uri, version, diagnostics);
}

/** Analyses a notebook's code cells as one module and publishes the findings on their cells. */
async function analyseNotebook(uri: string): Promise<void> {
  const before = notebooks.snapshot(uri);
  if (!before) return;
  const [docSettings, parser] = await Promise.all([settings.get(uri), parserReady]);
  const snapshot = notebooks.snapshot(uri);
  if (!snapshot || snapshot.version !== before.version) return;
  const source = snapshot.concatenated.source;
  let findings: Finding[] = [];
  if (docSettings.enable && checkAnalysable(source).ok) {
    const tree = parser.parse(source);
    if (!tree) return;
    try {
      findings = analyzePythonTree(tree, source, { file: uri, severities: docSettings.rules });
    } finally {
      tree.delete();
    }
  }
  const byCell = notebooks.distribute(snapshot, findings, (f, cell) => toDiagnostic(f, cell, docsUrls.get(f.rule)));
  for (const [cell, diagnostics] of byCell) publish(cell, undefined, diagnostics);
}

function isPython(languageId: string, uri: string): boolean {
  return languageId === 'python' || uri.endsWith('.py') || uri.endsWith('.pyw');
}

// Bad input must never take the server down: log what escaped and keep serving.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`Workerscope: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
});

connection.listen();
