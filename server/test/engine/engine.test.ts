/** Engine behaviour independent of any one rule: positions, settings, suppression, bad input. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzePythonSource, createPythonParser, mightUseParallelism } from '../../src/analysis';
import { isSuppressed } from '../../src/engine/text';

const LAMBDA = 'import multiprocessing as mp\ndef main():\n    with mp.Pool() as p:\n        p.map(lambda x: x, [1])\n';

test('ranges are 0-based UTF-16 columns, also after non-ASCII text', async () => {
  const src = 'import multiprocessing as mp\ndef main():\n    with mp.Pool() as p:\n        s = "é😀"; p.map(lambda x: x, [1])\n';
  const [f] = await analyzePythonSource(src, { file: 'a.py' });
  assert.ok(f);
  const line = src.split('\n')[3]!;
  assert.equal(f.range.start.line, 3);
  assert.equal(f.range.start.character, line.indexOf('lambda'));
  assert.equal(f.range.end.character, line.indexOf(', [1]'));
  const ident = 'import multiprocessing as mp\ndef main():\n    with mp.Pool() as p:\n        naïve = 1; p.map(lambda x: x, [1])\n';
  const [g] = await analyzePythonSource(ident, { file: 'a.py' });
  assert.equal(g?.range.start.character, ident.split('\n')[3]!.indexOf('lambda'));
});

test('severity settings: override, off, onlyRules', async () => {
  assert.equal((await analyzePythonSource(LAMBDA, { file: 'a.py' }))[0]?.severity, 'error');
  assert.equal((await analyzePythonSource(LAMBDA, { file: 'a.py', severities: { 'unserializable-callable': 'hint' } }))[0]?.severity, 'hint');
  assert.equal((await analyzePythonSource(LAMBDA, { file: 'a.py', severities: { 'unserializable-callable': 'off' } })).length, 0);
  assert.equal((await analyzePythonSource(LAMBDA, { file: 'a.py', onlyRules: ['unguarded-entry-point'] })).length, 0);
});

test('suppression comments', async () => {
  assert.ok(isSuppressed('x  # workerscope: ignore', 'a'));
  assert.ok(isSuppressed('x  # workerscope: ignore[a, b]', 'b'));
  assert.ok(!isSuppressed('x  # workerscope: ignore[a]', 'b'));
  assert.ok(!isSuppressed('x  # nothing', 'a'));
  const src = LAMBDA.replace('[1])', '[1])  # workerscope: ignore[unserializable-callable]');
  assert.equal((await analyzePythonSource(src, { file: 'a.py' })).length, 0);
  const other = LAMBDA.replace('[1])', '[1])  # workerscope: ignore[unguarded-entry-point]');
  assert.equal((await analyzePythonSource(other, { file: 'a.py' })).length, 1);
});

test('prefilter', () => {
  assert.ok(mightUseParallelism('import multiprocessing'));
  assert.ok(mightUseParallelism('from concurrent.futures import ProcessPoolExecutor'));
  assert.ok(!mightUseParallelism('import os\nprint(1)\n'));
});

test('half-typed code still gets diagnosed where it parses', async () => {
  const src = 'import multiprocessing as mp\n\ndef broken(:\n    pass\n\ndef main():\n    with mp.Pool() as p:\n        p.map(lambda x: x, [1])\n';
  const parser = await createPythonParser();
  assert.ok(parser.parse(src)?.rootNode.hasError);
  const findings = await analyzePythonSource(src, { file: 'a.py' });
  assert.deepEqual(findings.map((f) => f.rule), ['unserializable-callable']);
});

test('1,000-deep nesting and odd input do not throw', async () => {
  const deep = `import multiprocessing as mp\nx = ${'('.repeat(1000)}mp.Pool()${')'.repeat(1000)}\n`;
  const findings = await analyzePythonSource(deep, { file: 'a.py' });
  assert.ok(Array.isArray(findings));
  const nestedDefs = `import multiprocessing as mp\n${Array.from({ length: 200 }, (_, i) => `${'    '.repeat(i)}def f${i}():`).join('\n')}\n${'    '.repeat(200)}mp.Pool().map(lambda: 0, [])\n`;
  assert.ok(Array.isArray(await analyzePythonSource(nestedDefs, { file: 'a.py' })));
  assert.ok(Array.isArray(await analyzePythonSource('import threading\n\u0000\uFFFD\uD800 def (((', { file: 'a.py' })));
});

test('a 10 MB file is analysed in bounded time', async () => {
  const chunk = 'import multiprocessing as mp\n\ndef work(x):\n    return x\n\n' + 'def f(v):\n    v.value += 1\n    return [i for i in range(3)]\n\n'.repeat(200);
  const big = chunk.repeat(Math.ceil(10_000_000 / chunk.length));
  const started = Date.now();
  await analyzePythonSource(big, { file: 'big.py' });
  assert.ok(Date.now() - started < 60_000);
});
