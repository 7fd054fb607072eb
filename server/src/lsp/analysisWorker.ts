/**
 * The analysis worker thread: parses and analyses documents for the language server, off the
 * thread that answers LSP requests. Between every rule, and during parsing, it checks the shared
 * `latest` versions and stops work on a version that has been superseded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Parser } from 'web-tree-sitter';
import { analyzePythonTree, createPythonParser } from '../analysis';
import type { FromWorker, ToWorker, WorkerData } from './analysisProtocol';
import { TreeStore } from './treeStore';

export function runAnalysisWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runAnalysisWorker() outside a worker thread');
  const latest = new Int32Array((workerData as WorkerData).latest);
  const trees = new TreeStore();
  const send = (message: FromWorker): void => port.postMessage(message);
  let parser: Parser | undefined;
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

  function handle(message: ToWorker): void {
    switch (message.kind) {
      case 'edit':
        trees.edit(message.key, message.edits);
        return;
      case 'drop':
        trees.drop(message.key);
        return;
      case 'analyse':
        analyse(message);
        return;
    }
  }

  function analyse(m: Extract<ToWorker, { kind: 'analyse' }>): void {
    const cancelled = (): boolean => Atomics.load(latest, m.slot) !== m.version;
    if (cancelled() || !parser) return send({ kind: 'cancelled', id: m.id });
    send({ kind: 'started', id: m.id });
    const tree = trees.parse(m.key, m.text, parser, cancelled, m.keepTree);
    if (!tree) return send({ kind: 'cancelled', id: m.id });
    try {
      const findings = analyzePythonTree(tree, m.text, { file: m.file, severities: m.severities, isCancelled: cancelled });
      send(cancelled() ? { kind: 'cancelled', id: m.id } : { kind: 'result', id: m.id, findings });
    } finally {
      if (!m.keepTree) tree.delete();
    }
  }
}
