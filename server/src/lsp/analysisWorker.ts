/**
 * The analysis worker thread: parses and analyses documents for the language server, off the
 * thread that answers LSP requests. Between every rule, and during parsing, it checks the shared
 * `latest` versions and stops work on a version that has been superseded. JavaScript and
 * TypeScript documents go to the JS engine, loaded on the first such document: its project keeps
 * each open document, replaced in place on every analysis.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Parser } from 'web-tree-sitter';
import { createPythonParser } from '../analysis';
import { forgetMisses, setOverlay } from '../engine/workspaceModules';
import type { FromWorker, ToWorker, WorkerData } from './analysisProtocol';
import { isJsFile } from '../engine-js/prefilter';
import { PythonDocuments } from './pythonDocuments';

type JsAnalysis = typeof import('../analysisJs.js');

const EXTENSION_OF: Record<string, string> = { javascript: '.js', typescript: '.ts', javascriptreact: '.jsx', typescriptreact: '.tsx' };

/** A name the JS engine parses as the right dialect: the URI's own, or one made from the language id. */
function scriptName(uri: string, languageId: string | undefined): string {
  const path = uri.replace(/[?#].*$/, '');
  return isJsFile(path) ? path : `${path.replace(/[^\w.-]/g, '_')}${EXTENSION_OF[languageId ?? ''] ?? '.js'}`;
}

export function runAnalysisWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runAnalysisWorker() outside a worker thread');
  const latest = new Int32Array((workerData as WorkerData).latest);
  const documents = new PythonDocuments();
  const send = (message: FromWorker): void => port.postMessage(message);
  let parser: Parser | undefined;
  let jsAnalysis: JsAnalysis | undefined;
  // Messages are handled strictly in order: an edit must reach a tree before the next parse of it.
  let queue = createPythonParser().then((p) => {
    parser = p;
    send({ kind: 'ready' });
  });
  port.on('message', (message: ToWorker) => {
    queue = queue.then(() => handle(message)).catch((error: unknown) => {
      if (message.kind === 'analyse') send({ kind: 'failed', id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    });
  });

  async function handle(message: ToWorker): Promise<void> {
    switch (message.kind) {
      case 'edit':
        documents.edit(message.key, message.edits);
        return;
      case 'drop':
        documents.drop(message.key);
        jsAnalysis?.jsProject().drop(message.key);
        return;
      case 'overlay':
        setOverlay(message.file, message.text);
        return;
      case 'filesChanged':
        forgetMisses(message.files);
        return;
      case 'analyse':
        if (message.language === 'javascript') await analyseJs(message);
        else analyse(message);
        return;
    }
  }

  async function analyseJs(m: Extract<ToWorker, { kind: 'analyse' }>): Promise<void> {
    const cancelled = (): boolean => Atomics.load(latest, m.slot) !== m.version;
    if (cancelled()) return send({ kind: 'cancelled', id: m.id });
    jsAnalysis ??= await import('../analysisJs.js');
    if (cancelled()) return send({ kind: 'cancelled', id: m.id });
    send({ kind: 'started', id: m.id });
    const fileName = scriptName(m.file, m.languageId);
    const analysed = jsAnalysis.mightUseWorkers(m.text);
    // A file without worker APIs is not analysed, but kept (unparsed) for the files that import it.
    if (!analysed && m.keepTree) jsAnalysis.jsProject().remember(m.key, fileName, m.text);
    const findings = analysed
      ? jsAnalysis.analyzeJsSource(m.text, { file: m.file, fileName, key: m.key, keep: m.keepTree, severities: m.severities, isCancelled: cancelled })
      : [];
    send(cancelled() ? { kind: 'cancelled', id: m.id } : { kind: 'result', id: m.id, findings, modules: [] });
  }

  function analyse(m: Extract<ToWorker, { kind: 'analyse' }>): void {
    const cancelled = (): boolean => Atomics.load(latest, m.slot) !== m.version;
    if (cancelled() || !parser) return send({ kind: 'cancelled', id: m.id });
    send({ kind: 'started', id: m.id });
    const findings = documents.analyse(m.key, m.text, parser, { file: m.file, severities: m.severities, ...(m.startMethod ? { startMethod: m.startMethod } : {}), ...(m.notebook ? { notebook: m.notebook } : {}) }, cancelled, m.keepTree);
    send(!findings || cancelled() ? { kind: 'cancelled', id: m.id } : { kind: 'result', id: m.id, findings, modules: documents.lastModules });
  }
}
