/** Drives the built language server over stdio: initialize, diagnostics for opened files, edits, quick fixes, shutdown. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TestLspClient } from './lspClient';

const UNGUARDED = 'import multiprocessing as mp\n\ndef square(x):\n    return x * x\n\npool = mp.Pool(2)\nprint(pool.map(square, range(3)))\n';

test('server publishes diagnostics with rule ids, follows edits and exits cleanly', async () => {
  const client = await TestLspClient.start();
  try {
    const uri = 'file:///tmp/workerscope-test/unguarded.py';
    await client.open(uri, UNGUARDED);
    const first = await client.diagnostics(uri, (p) => p.version === 1);
    assert.deepEqual(first.map((d) => d.code), ['unguarded-entry-point']);
    assert.equal(first[0]!.source, 'workerscope');
    assert.match(String(first[0]!.codeDescription?.href), /docs\/rules\/unguarded-entry-point\.md$/);

    // Indent the pool under a main guard with incremental edits: the diagnostic must go away.
    await client.change(uri, 2, [
      { range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: '    ' },
      { range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, text: 'if __name__ == "__main__":\n    ' },
    ]);
    const second = await client.diagnostics(uri, (p) => p.version === 2);
    assert.deepEqual(second.map((d) => d.code), ['unclosed-pool']);

    const actions = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: first[0]!.range,
      context: { diagnostics: first },
    });
    assert.ok(Array.isArray(actions) && actions.some((a: { title: string }) => /Suppress unguarded-entry-point/.test(a.title)));
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('server survives binary, deeply nested and 10 MB input and still answers', async () => {
  const client = await TestLspClient.start();
  try {
    const binary = 'file:///tmp/workerscope-test/binary.py';
    await client.open(binary, 'import multiprocessing\n\0\0\0garbage');
    assert.deepEqual(await client.diagnostics(binary), []);
    assert.match(client.messages.join('\n'), /skipped binary\.py: file contains NUL bytes/);
    const nested = 'file:///tmp/workerscope-test/nested.py';
    await client.open(nested, `import multiprocessing\nx = ${'('.repeat(1000)}1${')'.repeat(1000)}\n`);
    await client.diagnostics(nested);
    const huge = 'file:///tmp/workerscope-test/huge.py';
    await client.open(huge, `import multiprocessing\n${'x = 1\n'.repeat(1_800_000)}`);
    assert.deepEqual(await client.diagnostics(huge), []);
    assert.match(client.messages.join('\n'), /skipped huge\.py: file is 10\.3 MB/);
    const ok = 'file:///tmp/workerscope-test/ok.py';
    await client.open(ok, UNGUARDED);
    assert.equal((await client.diagnostics(ok)).length, 1);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('hover over a diagnostic says briefly why it matters and links the rule page', async () => {
  const client = await TestLspClient.start();
  try {
    const uri = 'file:///tmp/workerscope-test/hover.py';
    await client.open(uri, UNGUARDED);
    const [d] = await client.diagnostics(uri, (p) => p.diagnostics.length > 0);
    const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: d!.range.start }) as { contents: { kind: string; value: string } } | null;
    assert.ok(hover);
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /`unguarded-entry-point`/);
    assert.match(hover.contents.value, /imports the main module again|main module/);
    assert.doesNotMatch(hover.contents.value, /##|## Example/);
    assert.match(hover.contents.value, /docs\/rules\/unguarded-entry-point\.md/);
    const none = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 0 } });
    assert.equal(none, null);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('notebook cells are analysed together and diagnostics land on the right cell', async () => {
  const client = await TestLspClient.start();
  try {
    const nb = 'file:///tmp/workerscope-test/analysis.ipynb';
    const cell1 = 'vscode-notebook-cell:/tmp/workerscope-test/analysis.ipynb#W0sZmlsZQ%3D%3D';
    const cell2 = 'vscode-notebook-cell:/tmp/workerscope-test/analysis.ipynb#W1sZmlsZQ%3D%3D';
    await client.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: nb, notebookType: 'jupyter-notebook', version: 1, cells: [{ kind: 2, document: cell1 }, { kind: 2, document: cell2 }] },
      cellTextDocuments: [
        { uri: cell1, languageId: 'python', version: 1, text: '%matplotlib inline\nimport multiprocessing as mp\n\ndef square(x):\n    return x * x\n' },
        { uri: cell2, languageId: 'python', version: 1, text: 'ctx = mp.get_context("spawn")\nwith ctx.Pool(2) as pool:\n    print(pool.map(square, range(3)))\n' },
      ],
    });
    const second = await client.diagnostics(cell2, (p) => p.diagnostics.length > 0);
    const codes = second.map((d) => d.code);
    assert.ok(codes.includes('unserializable-callable'), JSON.stringify(second));
    const callable = second.find((d) => d.code === 'unserializable-callable')!;
    assert.equal(callable.range.start.line, 2);
    assert.match(String(callable.message), /defined in the notebook/);
    assert.equal(callable.relatedInformation?.[0]?.location.uri, cell1);
    assert.deepEqual(await client.diagnostics(cell1), []);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});
