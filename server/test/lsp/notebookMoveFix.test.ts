/**
 * The notebook fix "Move `f` to a module" through the real server: a workspace edit that creates
 * the module beside the notebook (never overwriting), writes it, and edits the cell that defined
 * the function; appends to an existing module; not offered to a client that cannot create files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CreateFile, Diagnostic, TextDocumentEdit, TextEdit } from 'vscode-languageserver';
import { LineIndex } from '../../src/engine/text';
import { ruffFaults } from '../rules/ruffLint';
import { TestLspClient } from './lspClient';

const FULL_EDITS = { workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] } };
const CELLS = [
  'import multiprocessing as mp\nimport numpy as np\n',
  'def work(x):\n    return float(np.sqrt(x))\n\nprint("defined")\n',
  'ctx = mp.get_context("spawn")\nwith ctx.Pool(2) as pool:\n    print(pool.map(work, range(4)))\n',
];

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits.map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** Opens a three-cell notebook in `dir` and returns the code actions on the pool cell's finding. */
async function actionsFor(client: TestLspClient, dir: string): Promise<{ actions: CodeAction[]; cells: string[]; diagnostic: Diagnostic }> {
  const nb = pathToFileURL(path.join(dir, 'analysis.ipynb')).href;
  const cells = CELLS.map((_, i) => `vscode-notebook-cell:${path.join(dir, 'analysis.ipynb')}#W${i}sZmlsZQ%3D%3D`);
  await client.connection.sendNotification('notebookDocument/didOpen', {
    notebookDocument: { uri: nb, notebookType: 'jupyter-notebook', version: 1, cells: cells.map((document) => ({ kind: 2, document })) },
    cellTextDocuments: cells.map((uri, i) => ({ uri, languageId: 'python', version: 1, text: CELLS[i] })),
  });
  const published = await client.diagnostics(cells[2]!, (p) => p.diagnostics.some((d) => d.code === 'unserializable-callable'));
  const diagnostic = published.find((d) => d.code === 'unserializable-callable')!;
  const actions = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: cells[2] }, range: diagnostic.range, context: { diagnostics: [diagnostic] } }) as CodeAction[];
  return { actions, cells, diagnostic };
}

test('the move fix creates the module beside the notebook and edits the defining cell', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-move-'));
  const client = await TestLspClient.start(undefined, undefined, { capabilities: FULL_EDITS });
  try {
    const { actions, cells } = await actionsFor(client, dir);
    const move = actions.find((a) => a.title.startsWith('Move `work`'));
    assert.ok(move, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(move.title, 'Move `work` to analysis_tasks.py beside the notebook (a new file: the kernel imports from the notebook\'s folder)');
    const moduleUri = pathToFileURL(path.join(dir, 'analysis_tasks.py')).href;
    const changes = move.edit!.documentChanges!;
    assert.equal(move.edit!.changes, undefined);
    assert.deepEqual(changes[0], { kind: 'create', uri: moduleUri, options: { overwrite: false, ignoreIfExists: true } } satisfies CreateFile);
    const moduleEdit = changes[1] as TextDocumentEdit;
    assert.deepEqual(moduleEdit.textDocument, { uri: moduleUri, version: null });
    const cellEdit = changes[2] as TextDocumentEdit;
    assert.equal(cellEdit.textDocument.uri, cells[1], 'the edit goes to the cell that defines `work`, not the pool\'s');
    assert.equal(changes.length, 3);
    const module = applyEdits('', moduleEdit.edits as TextEdit[]);
    assert.equal(module, '"""Functions moved out of analysis.ipynb.\n\nWorkers started by spawn or forkserver import them from here.\n"""\nimport numpy as np\n\n\ndef work(x):\n    return float(np.sqrt(x))\n');
    assert.deepEqual([...ruffFaults(module).keys()], []);
    assert.equal(applyEdits(CELLS[1]!, cellEdit.edits as TextEdit[]), 'from analysis_tasks import work\nprint("defined")\n');
    assert.ok(actions.some((a) => a.title === 'Suppress unserializable-callable on this line'));
  } finally {
    assert.equal(await client.stop(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an existing module is added to, not created; one that defines the name, or a package folder, blocks the fix', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-move-'));
  const file = path.join(dir, 'analysis_tasks.py');
  const client = await TestLspClient.start(undefined, undefined, { capabilities: FULL_EDITS });
  try {
    fs.writeFileSync(file, 'import math\n\n\ndef area(r):\n    return math.pi * r * r\n');
    const { actions, cells, diagnostic } = await actionsFor(client, dir);
    const move = actions.find((a) => a.title.startsWith('Move `work`'))!;
    assert.match(move.title, /\(added to the file: restart the kernel if it imported it\)$/);
    const changes = move.edit!.documentChanges!;
    assert.ok(changes.every((c) => !('kind' in c)), 'no CreateFile for an existing module');
    const module = applyEdits(fs.readFileSync(file, 'utf8'), (changes[0] as TextDocumentEdit).edits as TextEdit[]);
    assert.equal(module, 'import math\nimport numpy as np\n\n\ndef area(r):\n    return math.pi * r * r\n\n\ndef work(x):\n    return float(np.sqrt(x))\n');
    assert.deepEqual([...ruffFaults(module).keys()], []);

    const again = async (): Promise<string[]> => (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: cells[2] }, range: diagnostic.range, context: { diagnostics: [diagnostic] } }) as CodeAction[]).map((a) => a.title);
    fs.writeFileSync(file, 'def work(x):\n    return x\n');
    assert.deepEqual(await again(), ['Suppress unserializable-callable on this line']);
    fs.rmSync(file);
    fs.mkdirSync(path.join(dir, 'analysis_tasks'));
    assert.deepEqual(await again(), ['Suppress unserializable-callable on this line']);
  } finally {
    assert.equal(await client.stop(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a client whose workspace edits cannot create files is not offered the move', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-move-'));
  const client = await TestLspClient.start(undefined, undefined, { capabilities: { workspaceEdit: { documentChanges: true, resourceOperations: ['rename'] } } });
  try {
    const { actions } = await actionsFor(client, dir);
    assert.deepEqual(actions.map((a) => a.title), ['Suppress unserializable-callable on this line']);
  } finally {
    assert.equal(await client.stop(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
