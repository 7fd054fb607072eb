/**
 * The lambda quick fix writes code a formatter leaves alone (two blank lines around the new
 * function, before the comments that introduce the statement) with a name from what the lambda does.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzePythonSource } from '../../src/analysis';
import { applyFixes } from './harness';

async function fixed(source: string): Promise<string> {
  const findings = (await analyzePythonSource(source, { file: '/w/m.py' })).filter((f) => f.rule === 'unserializable-callable');
  assert.equal(findings.length, 1);
  return applyFixes(source, findings).text;
}

test('a lambda right after the imports becomes a function with two blank lines on each side', async () => {
  const source = 'import multiprocessing as mp\nfrom csvlib import parse\n\nif __name__ == "__main__":\n    with mp.Pool() as pool:\n        print(pool.map(lambda row: parse(row), ["a"]))\n';
  assert.equal(await fixed(source), 'import multiprocessing as mp\nfrom csvlib import parse\n\n\ndef _parse_row(row):\n    return parse(row)\n\n\nif __name__ == "__main__":\n    with mp.Pool() as pool:\n        print(pool.map(_parse_row, ["a"]))\n');
});

test('the function goes above the comment that introduces the statement, and a method call names it', async () => {
  const source = 'import multiprocessing as mp\n\n\n# Strip every line.\ndef main(lines):\n    with mp.Pool() as pool:\n        return pool.map(lambda line: line.strip(), lines)\n';
  assert.equal(await fixed(source), 'import multiprocessing as mp\n\n\ndef _strip_line(line):\n    return line.strip()\n\n\n# Strip every line.\ndef main(lines):\n    with mp.Pool() as pool:\n        return pool.map(_strip_line, lines)\n');
});

test('a lambda that says nothing more is `_task`; one letter is no name', async () => {
  const source = 'import multiprocessing as mp\n\n\ndef main(xs):\n    with mp.Pool() as pool:\n        return pool.map(lambda x: x * 2, xs)\n';
  assert.match(await fixed(source), /\n\n\ndef _task\(x\):\n    return x \* 2\n\n\ndef main/);
});
