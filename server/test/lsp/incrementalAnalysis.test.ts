/**
 * Differential test of the worker's incremental analysis: on real files (the three benchmark
 * files and every Python rule fixture) a seeded sequence of random edits is applied as the server
 * applies them (document store, tree edits, incremental reparse, remembered findings), and after
 * every edit the findings must equal those of a from-scratch parse and analysis of the same text.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { analyzePythonSource, createPythonParser, type Finding } from '../../src/analysis';
import { DocumentStore } from '../../src/lsp/documentStore';
import { PythonDocuments } from '../../src/lsp/pythonDocuments';
import { makeSource } from '../../../scripts/bench/lspLatency';
import { Random } from '../../../scripts/fuzz/lib/random';

const URI = 'file:///tmp/incremental.py';
const OPTIONS = { file: URI };
const FIXTURES = path.join(__dirname, '../../../../test-fixtures/rules');

// Snippets that change what the engine sees: comments, broken syntax, new bindings, calls, pools.
const SNIPPETS = ['#', '\n', ' ', '    ', 'x', '(', ')', ':', '"', '=', 'pool', 'global counter\n', 'def f(a):\n    return a\n', 'p = Pool(2)\n', '.map(f, [1])', 'with mp.Pool() as pool:\n    pool.map(work, [lock])\n'];

interface Change {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/** A random edit of `text`, and the edit that undoes it. */
function randomEdit(text: string, next: () => number, at: (offset: number) => { line: number; character: number }): { change: Change; undo: Change } {
  const start = Math.floor(next() * text.length);
  const insert = next() < 0.6;
  const end = insert ? start : Math.min(text.length, start + 1 + Math.floor(next() * 12));
  const inserted = insert ? SNIPPETS[Math.floor(next() * SNIPPETS.length)]! : '';
  const removed = text.slice(start, end);
  const change = { range: { start: at(start), end: at(end) }, text: inserted };
  const after = text.slice(0, start) + inserted + text.slice(end);
  const lineOf = (offset: number): { line: number; character: number } => {
    const before = after.slice(0, offset);
    const line = before.split('\n').length - 1;
    return { line, character: offset - (before.lastIndexOf('\n') + 1) };
  };
  return { change, undo: { range: { start: lineOf(start), end: lineOf(start + inserted.length) }, text: removed } };
}

function positionIn(text: string): (offset: number) => { line: number; character: number } {
  return (offset) => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length - 1;
    return { line, character: offset - (before.lastIndexOf('\n') + 1) };
  };
}

async function replay(parser: Parser, source: string, seed: number, edits: number, label: string): Promise<{ findings: number; remembered: number }> {
  const store = new DocumentStore();
  const documents = new PythonDocuments();
  store.open(URI, 'python', 1, source);
  const never = (): boolean => false;
  const analyse = (): Finding[] => documents.analyse(URI, store.get(URI)!.text.getText(), parser, OPTIONS, never)!;
  assert.deepEqual(analyse(), await analyzePythonSource(source, OPTIONS), `${label}: on open`);
  const rng = new Random(seed);
  const next = (): number => rng.next();
  let total = 0;
  let remembered = 0;
  let pendingUndo: Change | undefined;
  for (let version = 2; version < edits + 2; version++) {
    const text = store.get(URI)!.text.getText();
    // Every third edit takes the previous one back: the text seen before is analysed again.
    let change: Change;
    if (pendingUndo && next() < 0.35) {
      change = pendingUndo;
      pendingUndo = undefined;
      remembered++;
    } else {
      const edit = randomEdit(text, next, positionIn(text));
      change = edit.change;
      pendingUndo = edit.undo;
    }
    const changed = store.change(URI, version, [change])!;
    if ('reset' in changed.tree) documents.drop(URI);
    else documents.edit(URI, changed.tree.edits);
    const after = store.get(URI)!.text.getText();
    const incremental = analyse();
    const scratch = await analyzePythonSource(after, OPTIONS);
    assert.deepEqual(incremental, scratch, `${label}: after edit ${version - 1} (seed ${seed}) ${JSON.stringify(change)}`);
    total += scratch.length;
  }
  return { findings: total, remembered };
}

function cpythonTest(name: string): string | undefined {
  const versions = path.join(os.homedir(), '.pyenv/versions');
  if (!fs.existsSync(versions)) return undefined;
  for (const v of fs.readdirSync(versions).filter((d) => d.startsWith('3.13')).sort()) {
    const file = path.join(versions, v, 'lib/python3.13/test', name);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

test('incremental findings equal a fresh analysis after every random edit: benchmark files', async (t) => {
  const parser = await createPythonParser();
  const files: [string, string][] = [['generated (dense)', makeSource(5000)]];
  for (const name of ['test_decimal.py', '_test_multiprocessing.py']) {
    const file = cpythonTest(name);
    if (file) files.push([name, fs.readFileSync(file, 'utf8')]);
    else t.diagnostic(`CPython 3.13's ${name} not found: skipped`);
  }
  for (const [i, [label, source]] of files.entries()) {
    const { findings, remembered } = await replay(parser, source, 1000 + i, 6, label);
    t.diagnostic(`${label}: 6 edits, ${findings} findings compared, ${remembered} texts seen again`);
  }
});

test('incremental findings equal a fresh analysis after every random edit: rule fixtures', async (t) => {
  const parser = await createPythonParser();
  const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.py') && !f.endsWith('.fixed.py')).sort();
  assert.ok(fixtures.length > 10, 'the rule fixtures are there');
  let findings = 0;
  for (const [i, name] of fixtures.entries()) {
    findings += (await replay(parser, fs.readFileSync(path.join(FIXTURES, name), 'utf8'), 1 + i, 12, name)).findings;
  }
  // The edits must leave findings to compare, or equality would prove little.
  assert.ok(findings > 100, `findings compared: ${findings}`);
  t.diagnostic(`${fixtures.length} fixtures, 12 edits each, ${findings} findings compared`);
});
