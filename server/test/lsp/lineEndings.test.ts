/**
 * Through the built server over LSP: findings and their positions are the same whatever the line
 * endings (LF, CR LF, lone CR, as Python and LSP both break lines at each), and an edit sent with an
 * end-first range gives the diagnostics of a fresh open of the resulting text.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { runCheck } from '../../src/cli/check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestLspClient } from './lspClient';

const PROGRAM = [
  'import multiprocessing as mp',
  'def work(x):',
  '    counter.value += 1',
  'def main():',
  '    pool = mp.Pool(2)',
  '    pool.map(lambda x: x, range(3))',
  'pool = mp.Pool(2)',
  'pool.map(work, [1])',
  '',
];

const summary = (ds: Diagnostic[]): string[] => ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`).sort();

test('LF, CR LF and lone CR files get the same diagnostics at the same positions', async () => {
  const client = await TestLspClient.start();
  try {
    const results: Record<string, string[]> = {};
    for (const [name, eol] of [['lf', '\n'], ['crlf', '\r\n'], ['cr', '\r']] as const) {
      const uri = `file:///tmp/workerscope-test/eol-${name}.py`;
      await client.open(uri, PROGRAM.join(eol));
      results[name] = summary(await client.diagnostics(uri, (p) => p.version === 1));
    }
    assert.ok(results['lf']!.length >= 3, JSON.stringify(results['lf']));
    assert.deepEqual(results['crlf'], results['lf']);
    assert.deepEqual(results['cr'], results['lf']);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('quick fixes in a CR LF or lone CR file write that file\'s line break', async () => {
  const client = await TestLspClient.start();
  try {
    for (const [name, eol] of [['crlf', '\r\n'], ['cr', '\r']] as const) {
      const uri = `file:///tmp/workerscope-test/fix-${name}.py`;
      await client.open(uri, PROGRAM.join(eol));
      const diagnostics = await client.diagnostics(uri, (p) => p.version === 1);
      const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } })) as Array<{ edit?: { changes: Record<string, Array<{ newText: string }>> } }>;
      const texts = actions.flatMap((a) => a.edit?.changes[uri] ?? []).map((e) => e.newText).filter((t) => /[\r\n]/.test(t));
      assert.ok(texts.length > 0, 'some fix inserts lines');
      for (const t of texts) assert.equal(t.replace(new RegExp(eol === '\r' ? '\r' : '\r\n', 'g'), ''), t.replace(/\r\n|\r|\n/g, ''), `${name}: ${JSON.stringify(t)}`);
    }
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('an end-first edit range gives the diagnostics of a fresh open of the same text', async () => {
  const client = await TestLspClient.start();
  try {
    const uri = 'file:///tmp/workerscope-test/endfirst.py';
    const text = PROGRAM.join('\n');
    await client.open(uri, text);
    await client.diagnostics(uri, (p) => p.version === 1);
    // Replace "lambda x: x" (line 5, characters 13..24) given end-first, then insert a guard end-first at an empty range.
    await client.change(uri, 2, [{ range: { start: { line: 5, character: 24 }, end: { line: 5, character: 13 } }, text: 'work' }]);
    await client.change(uri, 3, [{ range: { start: { line: 7, character: 0 }, end: { line: 6, character: 0 } }, text: 'if __name__ == "__main__":\n    pool = mp.Pool(2)\n    ' }]);
    const edited = summary(await client.diagnostics(uri, (p) => p.version === 3));
    const expected = text.replace('lambda x: x', 'work').replace('pool = mp.Pool(2)\npool.map', 'if __name__ == "__main__":\n    pool = mp.Pool(2)\n    pool.map');
    const fresh = 'file:///tmp/workerscope-test/endfirst-fresh.py';
    await client.open(fresh, expected);
    assert.deepEqual(edited, summary(await client.diagnostics(fresh, (p) => p.version === 1)));
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('workerscope check reports the same lines for LF, CR LF and lone CR files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-eol-'));
  try {
    const lines: Record<string, string[]> = {};
    for (const [name, eol] of [['lf', '\n'], ['crlf', '\r\n'], ['cr', '\r']] as const) {
      const file = path.join(dir, `${name}.py`);
      fs.writeFileSync(file, PROGRAM.join(eol));
      let out = '';
      await runCheck([file, '--format', 'json'], { out: (t) => (out += t), err: () => undefined, version: 'test' });
      lines[name] = (JSON.parse(out) as Array<{ rule: string; line: number; column: number; endLine: number; endColumn: number }>).map((f) => `${f.rule}@${f.line}:${f.column}-${f.endLine}:${f.endColumn}`).sort();
    }
    assert.ok(lines['lf']!.length >= 3);
    assert.deepEqual(lines['crlf'], lines['lf']);
    assert.deepEqual(lines['cr'], lines['lf']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
