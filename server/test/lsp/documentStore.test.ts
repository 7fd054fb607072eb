/**
 * The document store and the tree store keep text and syntax tree in step for every edit: end-first ranges (which
 * TextDocument.update reorders), positions past the end, and edits that join or split CR LF pairs.
 * After each edit the incrementally reparsed tree must equal a fresh parse of the same text.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createPythonParser, parsableText } from '../../src/analysis';
import { DocumentStore } from '../../src/lsp/documentStore';
import { TreeStore } from '../../src/lsp/treeStore';

const URI = 'file:///tmp/store.py';

function freshTree(parser: Parser, text: string): string {
  const tree = parser.parse(parsableText(text))!;
  try {
    return tree.rootNode.toString();
  } finally {
    tree.delete();
  }
}

/** A document store and the tree store the analysis worker keeps beside it, changed together as the server does. */
class Docs {
  readonly store = new DocumentStore();
  readonly trees = new TreeStore();
  constructor(private readonly parser: Parser) {}

  open(text: string): void {
    this.store.open(URI, 'python', 1, text);
    this.trees.drop(URI);
    this.parse();
  }

  change(version: number, changes: Parameters<DocumentStore['change']>[2]): void {
    const changed = this.store.change(URI, version, changes)!;
    if ('reset' in changed.tree) this.trees.drop(URI);
    else this.trees.edit(URI, changed.tree.edits);
  }

  parse(): ReturnType<TreeStore['parse']> {
    return this.trees.parse(URI, this.store.get(URI)!.text.getText(), this.parser, () => false);
  }
}

function assertInStep(docs: Docs, parser: Parser, expectedText: string, what: string): void {
  const doc = docs.store.get(URI)!;
  assert.equal(doc.text.getText(), expectedText, `${what}: text`);
  const tree = docs.parse()!;
  assert.equal(tree.rootNode.toString(), freshTree(parser, expectedText), `${what}: tree out of step with the text`);
  assert.equal(tree.rootNode.endIndex, expectedText.length, `${what}: tree length`);
}

test('an end-first range is applied as start-first to both text and tree', async () => {
  const parser = await createPythonParser();
  const store = new Docs(parser);
  store.open('import os\nx = f(1)\ny = 2\n');
  // Replace "f(1)" given end-first: line 1 characters 8 -> 4.
  store.change(2, [{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 4 } }, text: 'def g():\n    pass' }]);
  assertInStep(store, parser, 'import os\nx = def g():\n    pass\ny = 2\n', 'end-first replacement');
  store.change(3, [{ range: { start: { line: 9, character: 0 }, end: { line: 0, character: 0 } }, text: '' }]);
  assertInStep(store, parser, '', 'end-first range past the end deletes everything');
});

test('edits that turn a lone CR into CR LF and back keep the tree in step', async () => {
  const parser = await createPythonParser();
  const store = new Docs(parser);
  store.open('def f():\r    return 1\rx = f()\r');
  // Insert LF right after the first CR: "def f():\r\n    return 1...". Position (1, 0) is just after the CR.
  store.change(2, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\n' }]);
  assertInStep(store, parser, 'def f():\r\n    return 1\rx = f()\r', 'CR becomes CR LF');
  // Replace the CR LF by a lone CR again (LSP positions cannot point between CR and LF).
  store.change(3, [{ range: { start: { line: 0, character: 8 }, end: { line: 1, character: 0 } }, text: '\r' }]);
  assertInStep(store, parser, 'def f():\r    return 1\rx = f()\r', 'CR LF back to CR');
  // Insert text ending in CR before an LF-less line, and a lone CR in the middle of a line.
  store.change(4, [{ range: { start: { line: 2, character: 1 }, end: { line: 2, character: 1 } }, text: '\r' }]);
  assertInStep(store, parser, 'def f():\r    return 1\rx\r = f()\r', 'a CR splits a line');
});

test('random edits, end-first and past the end, with every line ending, never leave the tree behind', async () => {
  const parser = await createPythonParser();
  const store = new Docs(parser);
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = ['\r', '\n', '\r\n', 'def f(x):', '    ', 'pool.map(f, xs)', '(', ')', 'é', '😀', '"""', '#', 'if x:\n  y\r'];
  let text = 'import multiprocessing as mp\r\ndef f(x):\r    return x\npool = mp.Pool()\r\n';
  store.open(text);
  for (let version = 2; version < 300; version++) {
    const doc = store.store.get(URI)!;
    const lines = doc.text.lineCount;
    const a = { line: random(lines + 2), character: random(12) };
    const b = { line: random(lines + 2), character: random(12) };
    const insert = Array.from({ length: random(3) }, () => pieces[random(pieces.length)]!).join('');
    // What the LSP text-document library would make of it, as the expected text.
    const [s, e] = doc.text.offsetAt(a) <= doc.text.offsetAt(b) ? [a, b] : [b, a];
    const from = doc.text.offsetAt(s);
    const to = doc.text.offsetAt(e);
    text = text.slice(0, from) + insert + text.slice(to);
    store.change(version, [{ range: { start: a, end: b }, text: insert }]);
    assertInStep(store, parser, text, `edit ${version}: ${JSON.stringify({ a, b, insert })}`);
  }
});
