/**
 * The built language server analyses JavaScript and TypeScript documents: diagnostics from the
 * JS engine for a `.ts` and a `.js` document, edits followed (the project's file replaced in
 * place), the guard quick fix and the `// workerscope-ignore` suppression offered as code actions,
 * and functions imported from other files (on disk, or open in the editor).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { TestLspClient } from './lspClient';

const TS = `import { Worker } from 'node:worker_threads';

const worker = new Worker('./resize.js');
worker.postMessage({ file: 'a.png', onDone: (out: string) => console.log(out) });
`;

const JS = `const { Worker } = require('worker_threads');

const worker = new Worker(__filename);
worker.on('message', console.log);
`;

async function codeActions(client: TestLspClient, uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
  return await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } }) as CodeAction[];
}

test('a TypeScript document gets unserializable-callable, follows edits, and offers the JS suppression comment', async () => {
  const client = await TestLspClient.start();
  try {
    const uri = 'file:///tmp/workerscope-test/post.ts';
    await client.open(uri, TS, 1, 'typescript');
    const first = await client.diagnostics(uri, (p) => p.version === 1);
    assert.deepEqual(first.map((d) => d.code), ['unserializable-callable']);
    assert.match(String(first[0]!.message), /`onDone` is an arrow function, which cannot be cloned/);
    assert.deepEqual(first[0]!.range, { start: { line: 3, character: 19 }, end: { line: 3, character: 79 } });
    assert.match(String(first[0]!.codeDescription?.href), /docs\/rules\/unserializable-callable\.md$/);

    const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: first[0]!.range.start }) as { contents: { value: string } } | null;
    assert.match(String(hover?.contents.value), /^\*\*`unserializable-callable`\*\* — The structured clone algorithm cannot copy code/, 'the JS section\'s why, not the Python one');
    assert.doesNotMatch(String(hover?.contents.value), /pickle|```/);

    const actions = await codeActions(client, uri, first[0]!);
    const suppress = actions.find((a) => /Suppress unserializable-callable/.test(a.title));
    assert.equal(suppress?.edit?.changes?.[uri]?.[0]?.newText, ' // workerscope-ignore unserializable-callable');

    // Replace the arrow function by a plain value: the diagnostic goes away.
    await client.change(uri, 2, [{ range: { start: { line: 3, character: 44 }, end: { line: 3, character: 78 } }, text: "'done'" }]);
    assert.deepEqual(await client.diagnostics(uri, (p) => p.version === 2), []);
    // And comes back when it returns, suppressed on its line by the comment.
    await client.change(uri, 3, [{ range: { start: { line: 3, character: 44 }, end: { line: 3, character: 50 } }, text: '() => 1' }]);
    assert.equal((await client.diagnostics(uri, (p) => p.version === 3)).length, 1);
    await client.change(uri, 4, [{ range: { start: { line: 3, character: 53 }, end: { line: 3, character: 53 } }, text: ' // workerscope-ignore unserializable-callable' }]);
    assert.deepEqual(await client.diagnostics(uri, (p) => p.version === 4), []);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('a JavaScript document gets unguarded-entry-point with the isMainThread quick fix', async () => {
  const client = await TestLspClient.start({ enable: true, rules: { 'unguarded-entry-point': 'warning' } });
  try {
    const uri = 'file:///tmp/workerscope-test/spawn.js';
    await client.open(uri, JS, 1, 'javascript');
    const [d, ...rest] = await client.diagnostics(uri, (p) => p.version === 1);
    assert.equal(rest.length, 0);
    assert.equal(d!.code, 'unguarded-entry-point');
    assert.equal(d!.severity, 2, 'the workerscope.rules setting applies to JS rules too');
    const fix = (await codeActions(client, uri, d!)).find((a) => a.isPreferred);
    assert.ok(fix, 'a preferred quick fix');
    const edits = fix.edit!.changes![uri]!;
    assert.deepEqual(edits.map((e) => e.newText), [', isMainThread', "if (isMainThread) {\n  const worker = new Worker(__filename);\n  worker.on('message', console.log);\n}"]);

    // An untitled TypeScript document is parsed as TypeScript (its URI has no extension).
    const untitled = 'untitled:Untitled-1';
    await client.open(untitled, "import { Worker } from 'worker_threads';\nconst w: Worker = new Worker('./x.js');\nw.postMessage(<const>[() => 1]);\n", 1, 'typescript');
    assert.deepEqual((await client.diagnostics(untitled)).map((x) => x.code), ['unserializable-callable']);

    // A document the text scan rules out gets no diagnostics and never reaches the engine.
    const plain = 'file:///tmp/workerscope-test/plain.tsx';
    await client.open(plain, 'export const App = () => <div>{1}</div>;\n', 1, 'typescriptreact');
    assert.deepEqual(await client.diagnostics(plain), []);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('a function imported from another file is followed: from disk, and from the editor where that file is open with newer text', async () => {
  const client = await TestLspClient.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-lsp-imports-'));
  try {
    fs.writeFileSync(path.join(dir, 'tasks.ts'), 'export const LIMIT = 3;\nexport function work(x: number): number {\n  return x * 2;\n}\n');
    const main = pathToFileURL(path.join(dir, 'main.ts')).href;
    const tasks = pathToFileURL(path.join(dir, 'tasks.ts')).href;
    const text = "import { Worker } from 'node:worker_threads';\nimport { LIMIT, work } from './tasks';\n\nnew Worker('./w.js').postMessage({ LIMIT, work });\n";
    await client.open(main, text, 1, 'typescript');
    const first = await client.diagnostics(main, (p) => p.version === 1);
    assert.deepEqual(first.map((d) => d.code), ['unserializable-callable']);
    assert.match(String(first[0]!.message), /`work` is a function, which cannot be cloned/);
    // tasks.ts open in the editor, LIMIT turned into a function there (not saved): main.ts's next analysis reads it.
    await client.open(tasks, 'export const LIMIT = () => 3;\nexport const work = 2;\n', 1, 'typescript');
    await client.diagnostics(tasks, (p) => p.version === 1);
    await client.change(main, 2, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '\n' }]);
    const second = await client.diagnostics(main, (p) => p.version === 2);
    assert.deepEqual(second.map((d) => String(d.message).match(/^Nothing is sent: `(\w+)`/)?.[1]), ['LIMIT']);
  } finally {
    assert.equal(await client.stop(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
