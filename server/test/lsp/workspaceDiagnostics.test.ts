/**
 * Workspace diagnostics through the real server: files never opened get their findings (folders
 * a checker should not read left out, the project's `exclude` honoured), an open document's text
 * wins over its file and gives way to it again when closed, changes on disk are followed, and
 * `workerscope.diagnosticMode: openFiles` takes the workspace's findings down.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TestLspClient } from './lspClient';

const LAMBDA_TASK = 'from multiprocessing import Pool\n\n\ndef main():\n    with Pool(2) as pool:\n        return pool.map(lambda x: x * 2, range(3))\n';
const CLEAN_TASK = 'from multiprocessing import Pool\n\n\ndef double(x):\n    return x * 2\n\n\ndef main():\n    with Pool(2) as pool:\n        return pool.map(double, range(3))\n';
const JS_CLOSURE = "const { Worker } = require('node:worker_threads');\nconst w = new Worker('./w.js');\nw.postMessage({ done: () => 1 });\n";

function workspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-diag-'));
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  write('tasks.py', LAMBDA_TASK);
  write('pkg/jobs.py', LAMBDA_TASK);
  write('clean.py', CLEAN_TASK);
  write('web/post.js', JS_CLOSURE);
  write('node_modules/dep/vendored.py', LAMBDA_TASK);
  write('.venv/pyvenv.cfg', 'home = /usr/bin\n');
  write('.venv/lib/site.py', LAMBDA_TASK);
  write('generated/out.py', LAMBDA_TASK);
  write('pyproject.toml', '[tool.workerscope]\nexclude = ["generated/**"]\n');
  return root;
}

const uriOf = (root: string, rel: string): string => pathToFileURL(path.join(root, rel)).href;
const rules = (p: { diagnostics: { code?: unknown }[] }): string[] => p.diagnostics.map((d) => String(d.code));

async function passDone(client: TestLspClient, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = client.logs.find((l) => /checked \d+ workspace files/.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no workspace pass within ${timeoutMs} ms; logs: ${client.logs.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('files never opened get their findings; vendored, virtualenv and excluded files do not', async () => {
  const root = workspace();
  const client = await TestLspClient.start(undefined, undefined, { folders: [root] });
  try {
    const published: string[] = [];
    client.publishListeners.push((p) => published.push(p.uri));
    assert.deepEqual(rules({ diagnostics: await client.diagnostics(uriOf(root, 'tasks.py'), (p) => p.diagnostics.length > 0) }), ['unserializable-callable']);
    assert.deepEqual(rules({ diagnostics: await client.diagnostics(uriOf(root, 'pkg/jobs.py'), (p) => p.diagnostics.length > 0) }), ['unserializable-callable']);
    assert.deepEqual(rules({ diagnostics: await client.diagnostics(uriOf(root, 'web/post.js'), (p) => p.diagnostics.length > 0) }), ['unserializable-callable']);
    assert.match(await passDone(client), /checked 5 workspace files/);
    for (const rel of ['clean.py', 'node_modules/dep/vendored.py', '.venv/lib/site.py', 'generated/out.py']) {
      assert.ok(!published.includes(uriOf(root, rel)), `nothing published for ${rel}`);
    }
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the open document wins over its file, and the file speaks again once it is closed; disk changes are followed', async () => {
  const root = workspace();
  const client = await TestLspClient.start(undefined, undefined, { folders: [root] });
  const uri = uriOf(root, 'tasks.py');
  try {
    await client.diagnostics(uri, (p) => p.diagnostics.length === 1);
    await client.open(uri, CLEAN_TASK);
    await client.diagnostics(uri, (p) => p.diagnostics.length === 0 && p.version === 1);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await client.diagnostics(uri, (p) => p.diagnostics.length === 1 && p.version === undefined);

    // The file is fixed on disk (by another tool, a git checkout): its finding goes.
    fs.writeFileSync(path.join(root, 'tasks.py'), CLEAN_TASK);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
    await client.diagnostics(uri, (p) => p.diagnostics.length === 0);

    // A new file with a bug appears; a file with a finding is deleted.
    fs.writeFileSync(path.join(root, 'new_job.py'), LAMBDA_TASK);
    fs.rmSync(path.join(root, 'pkg/jobs.py'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(root, 'new_job.py'), type: 1 }, { uri: uriOf(root, 'pkg/jobs.py'), type: 3 }],
    });
    await client.diagnostics(uriOf(root, 'new_job.py'), (p) => p.diagnostics.length === 1);
    await client.diagnostics(uriOf(root, 'pkg/jobs.py'), (p) => p.diagnostics.length === 0);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('diagnosticMode openFiles takes the findings of closed files down, and workspace brings them back', async () => {
  const root = workspace();
  const client = await TestLspClient.start(undefined, undefined, { folders: [root] });
  const uri = uriOf(root, 'tasks.py');
  try {
    await passDone(client);
    await client.diagnostics(uriOf(root, 'web/post.js'), (p) => p.diagnostics.length === 1);
    client.settings = { ...client.settings, diagnosticMode: 'openFiles' };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.diagnostics(uri, (p) => p.diagnostics.length === 0);
    await client.diagnostics(uriOf(root, 'web/post.js'), (p) => p.diagnostics.length === 0);
    client.settings = { ...client.settings, diagnosticMode: 'workspace' };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.diagnostics(uri, (p) => p.diagnostics.length === 1);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
