/**
 * Pull diagnostics through the real server, for a client that declares them (as
 * vscode-languageclient 9 does): document pulls wait for the current version's analysis and
 * answer `unchanged` when nothing changed, a module edited elsewhere makes the server ask for a
 * refresh, and a workspace pull reports files never opened — and, held open while nothing changes,
 * answers when a change on disk clears them. Nothing is published to such a client for open files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { DocumentDiagnosticReport, WorkspaceDiagnosticReport } from 'vscode-languageserver';
import { TestLspClient } from './lspClient';

const MAIN = 'from multiprocessing import Pool\n\nfrom tasks import work\n\n\ndef main():\n    with Pool(2) as pool:\n        return pool.map(work, range(3))\n';
const TASKS_DEF = 'def work(x):\n    return x * 2\n';
const TASKS_LAMBDA = 'work = lambda x: x * 2  # noqa: E731\n';
const LAMBDA_TASK = 'from multiprocessing import Pool\n\n\ndef main():\n    with Pool(2) as pool:\n        return pool.map(lambda x: x * 2, range(3))\n';

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-pull-'));
  fs.writeFileSync(path.join(root, 'setup.cfg'), '');
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(root, rel), text);
  return root;
}

const uriOf = (root: string, rel: string): string => pathToFileURL(path.join(root, rel)).href;
const PULL = { textDocument: { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } }, capabilities: { diagnostics: { refreshSupport: true } } };

async function start(folders?: string[]): Promise<{ client: TestLspClient; refreshes: () => number; published: string[] }> {
  const client = await TestLspClient.start(undefined, undefined, { ...PULL, ...(folders ? { folders } : {}) });
  let refreshes = 0;
  client.connection.onRequest('workspace/diagnostic/refresh', () => {
    refreshes++;
    return null;
  });
  const published: string[] = [];
  client.publishListeners.push((p) => published.push(p.uri));
  return { client, refreshes: () => refreshes, published };
}

function pullDocument(client: TestLspClient, uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
  return client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });
}

async function until(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('document pulls: the current version\'s findings, `unchanged` while they hold, and a refresh when an imported module changes', async () => {
  const root = project({ 'main.py': MAIN, 'tasks.py': TASKS_DEF });
  const { client, refreshes, published } = await start();
  const main = uriOf(root, 'main.py');
  const tasks = uriOf(root, 'tasks.py');
  try {
    await client.open(main, MAIN);
    const first = await pullDocument(client, main);
    assert.equal(first.kind, 'full');
    assert.deepEqual(first.kind === 'full' && first.items, []);
    assert.ok(first.resultId);
    assert.deepEqual(await pullDocument(client, main, first.resultId), { kind: 'unchanged', resultId: first.resultId });

    // A lambda typed into main.py: the pull right after the edit waits for that version's analysis.
    await client.change(main, 2, [{ text: MAIN.replace('pool.map(work,', 'pool.map(lambda x: x,') }]);
    const edited = await pullDocument(client, main, first.resultId);
    assert.equal(edited.kind, 'full');
    assert.deepEqual(edited.kind === 'full' && edited.items.map((d) => d.code), ['unserializable-callable']);
    await client.change(main, 3, [{ text: MAIN }]);
    const back = await pullDocument(client, main, edited.resultId);
    assert.deepEqual(back.kind === 'full' && back.items, []);

    // tasks.py edited (unsaved) into a lambda: main.py's findings change without an edit of main.py.
    await client.open(tasks, TASKS_DEF);
    await pullDocument(client, tasks);
    const before = refreshes();
    await client.change(tasks, 2, [{ text: TASKS_LAMBDA }]);
    await until(() => refreshes() > before, 'a workspace/diagnostic/refresh');
    const dependant = await pullDocument(client, main, back.resultId);
    assert.equal(dependant.kind, 'full');
    assert.deepEqual(dependant.kind === 'full' && dependant.items.map((d) => [d.code, d.range.start.line]), [['unserializable-callable', 7]]);
    assert.deepEqual(published.filter((u) => u === main || u === tasks), [], 'nothing published for open documents to a pulling client');
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('workspace pulls: files never opened, and a held pull answered when a change on disk clears one', async () => {
  const root = project({ 'jobs.py': LAMBDA_TASK, 'clean.py': TASKS_DEF });
  const { client, published } = await start([root]);
  const jobs = uriOf(root, 'jobs.py');
  try {
    const first: WorkspaceDiagnosticReport = await client.connection.sendRequest('workspace/diagnostic', { previousResultIds: [] });
    assert.deepEqual(first.items.map((i) => [i.uri, i.kind, i.kind === 'full' ? i.items.map((d) => d.code) : []]), [[jobs, 'full', ['unserializable-callable']]]);
    const resultId = first.items[0]!.resultId!;
    // Nothing changed: the pull is held open until something does.
    const cancel = new CancellationTokenSource();
    const held: Promise<WorkspaceDiagnosticReport> = client.connection.sendRequest('workspace/diagnostic', { previousResultIds: [{ uri: jobs, value: resultId }] }, cancel.token);
    let answered = false;
    void held.then(() => { answered = true; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answered, false, 'a workspace pull with nothing new is held');
    fs.writeFileSync(path.join(root, 'jobs.py'), TASKS_DEF);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: jobs, type: 2 }] });
    const cleared = await held;
    assert.deepEqual(cleared.items.map((i) => [i.uri, i.kind === 'full' ? i.items.length : -1]), [[jobs, 0]]);
    assert.deepEqual(published, [], 'a client pulling the workspace gets nothing published');
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a client pulling documents but not the workspace still gets closed files published', async () => {
  const root = project({ 'jobs.py': LAMBDA_TASK });
  const { client } = await start([root]);
  try {
    const found = await client.diagnostics(uriOf(root, 'jobs.py'), (p) => p.diagnostics.length === 1);
    assert.equal(found[0]!.code, 'unserializable-callable');
    // Its first workspace pull takes them over: the published list is cleared, the pull reports it.
    const report: WorkspaceDiagnosticReport = await client.connection.sendRequest('workspace/diagnostic', { previousResultIds: [] });
    assert.deepEqual(report.items.map((i) => i.uri), [uriOf(root, 'jobs.py')]);
    await client.diagnostics(uriOf(root, 'jobs.py'), (p) => p.diagnostics.length === 0);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
