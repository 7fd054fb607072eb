/**
 * Dependent re-checks through the real server: a module edited in the editor (unsaved), changed
 * on disk, created or closed has the files importing it checked again — open ones and, in
 * workspace mode, files never opened — while the importing file itself is not touched.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TestLspClient } from './lspClient';

const MAIN = 'from multiprocessing import Pool\n\nfrom tasks import work\n\n\ndef main():\n    with Pool(2) as pool:\n        return pool.map(work, range(3))\n';
const TASKS_DEF = 'def work(x):\n    return x * 2\n';
const TASKS_LAMBDA = 'work = lambda x: x * 2  # noqa: E731\n';

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-dependants-'));
  fs.writeFileSync(path.join(root, 'setup.cfg'), '');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const uriOf = (root: string, rel: string): string => pathToFileURL(path.join(root, rel)).href;
const wholeText = (text: string): { text: string }[] => [{ text }];

test('an unsaved edit of an imported module re-checks the open file importing it; closing without saving restores the file\'s verdict', async () => {
  const root = project({ 'main.py': MAIN, 'tasks.py': TASKS_DEF });
  const client = await TestLspClient.start();
  const main = uriOf(root, 'main.py');
  const tasks = uriOf(root, 'tasks.py');
  try {
    await client.open(main, MAIN);
    assert.deepEqual(await client.diagnostics(main, (p) => p.version === 1), []);
    await client.open(tasks, TASKS_DEF);
    await client.diagnostics(tasks, (p) => p.version === 1);
    await client.change(tasks, 2, wholeText(TASKS_LAMBDA));
    const found = await client.diagnostics(main, (p) => p.diagnostics.length === 1);
    assert.equal(found[0]!.code, 'unserializable-callable');
    assert.equal(found[0]!.range.start.line, 7);
    // The edit is taken back: the finding goes, main.py still at its version 1.
    await client.change(tasks, 3, wholeText(TASKS_DEF));
    await client.diagnostics(main, (p) => p.diagnostics.length === 0 && p.version === 1);
    await client.change(tasks, 4, wholeText(TASKS_LAMBDA));
    await client.diagnostics(main, (p) => p.diagnostics.length === 1);
    // Closed without saving: the file on disk (a def) counts again.
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: tasks } });
    await client.diagnostics(main, (p) => p.diagnostics.length === 0);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a module changed, created or deleted on disk re-checks the open files importing it', async () => {
  const root = project({ 'main.py': MAIN });
  const client = await TestLspClient.start(undefined, undefined, { folders: [root] });
  const main = uriOf(root, 'main.py');
  const tasks = uriOf(root, 'tasks.py');
  try {
    await client.open(main, MAIN);
    assert.deepEqual(await client.diagnostics(main, (p) => p.version === 1), [], 'tasks.py does not exist yet');
    fs.writeFileSync(path.join(root, 'tasks.py'), TASKS_LAMBDA);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: tasks, type: 1 }] });
    await client.diagnostics(main, (p) => p.diagnostics.length === 1);
    fs.writeFileSync(path.join(root, 'tasks.py'), TASKS_DEF);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: tasks, type: 2 }] });
    await client.diagnostics(main, (p) => p.diagnostics.length === 0);
    fs.writeFileSync(path.join(root, 'tasks.py'), TASKS_LAMBDA);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: tasks, type: 2 }] });
    await client.diagnostics(main, (p) => p.diagnostics.length === 1);
    fs.rmSync(path.join(root, 'tasks.py'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: tasks, type: 3 }] });
    await client.diagnostics(main, (p) => p.diagnostics.length === 0);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('in workspace mode an edit of a module re-checks workspace files never opened, through a package re-export too', async () => {
  const root = project({
    'main.py': MAIN,
    'tasks.py': TASKS_LAMBDA,
    'pkg/__init__.py': 'from .jobs import job\n',
    'pkg/jobs.py': 'def job(x):\n    return x\n',
    'runner.py': 'from multiprocessing import Pool\n\nfrom pkg import job\n\n\ndef main():\n    with Pool(2) as pool:\n        return pool.map(job, range(3))\n',
  });
  const client = await TestLspClient.start(undefined, undefined, { folders: [root] });
  const main = uriOf(root, 'main.py');
  const tasks = uriOf(root, 'tasks.py');
  const jobs = uriOf(root, 'pkg/jobs.py');
  const runner = uriOf(root, 'runner.py');
  try {
    await client.diagnostics(main, (p) => p.diagnostics.length === 1 && p.version === undefined);
    const published: string[] = [];
    client.publishListeners.push((p) => published.push(p.uri));
    await client.open(tasks, TASKS_LAMBDA);
    await client.change(tasks, 2, wholeText(TASKS_DEF));
    await client.diagnostics(main, (p) => p.diagnostics.length === 0);
    await client.change(tasks, 3, wholeText(TASKS_LAMBDA));
    await client.diagnostics(main, (p) => p.diagnostics.length === 1);

    // pkg/jobs.py reaches runner.py through pkg/__init__.py's re-export.
    await client.open(jobs, 'def job(x):\n    return x\n');
    await client.change(jobs, 2, wholeText('job = lambda x: x  # noqa: E731\n'));
    const found = await client.diagnostics(runner, (p) => p.diagnostics.length === 1);
    assert.equal(found[0]!.relatedInformation?.[0]?.location.uri, jobs);
    assert.ok(!published.includes(uriOf(root, 'setup.cfg')));
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
