/** The Python grammar loads from node_modules and parses multiprocessing code without errors. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createPythonParser } from '../src/engine/parser';

test('parses a guarded pool program without errors', async () => {
  const parser = await createPythonParser();
  const tree = parser.parse('import multiprocessing as mp\nif __name__ == "__main__":\n    with mp.Pool() as p:\n        p.map(abs, [-1])\n');
  assert.ok(tree);
  assert.equal(tree.rootNode.hasError, false);
  assert.equal(tree.rootNode.namedChildren[1]?.type, 'if_statement');
});
