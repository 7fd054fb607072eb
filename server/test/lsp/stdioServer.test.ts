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
    assert.deepEqual(second, []);

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

test('server survives binary and deeply nested input and still answers', async () => {
  const client = await TestLspClient.start();
  try {
    const binary = 'file:///tmp/workerscope-test/binary.py';
    await client.open(binary, 'import multiprocessing\n\0\0\0garbage');
    assert.deepEqual(await client.diagnostics(binary), []);
    assert.match(client.messages.join('\n'), /skipped binary\.py: file contains NUL bytes/);
    const nested = 'file:///tmp/workerscope-test/nested.py';
    await client.open(nested, `import multiprocessing\nx = ${'('.repeat(1000)}1${')'.repeat(1000)}\n`);
    await client.diagnostics(nested);
    const ok = 'file:///tmp/workerscope-test/ok.py';
    await client.open(ok, UNGUARDED);
    assert.equal((await client.diagnostics(ok)).length, 1);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});
