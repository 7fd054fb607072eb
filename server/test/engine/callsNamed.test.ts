/** Model.callsNamed finds calls through the source text: it must agree with the tree. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createPythonParser } from '../../src/engine/parser';
import { Model } from '../../src/engine/model';

const SOURCE = [
  'import multiprocessing as mp',
  'pool = mp.Pool (2)',
  'pool.map(f, xs)',
  'pool.map\\',
  '    (g, ys)',
  'résumé = Pool(1)',
  'x = "mp.Pool(3)"  # mp.Pool(4)',
  '(pool.map)(h, zs)',
  'mapper(1); remap(2); map(3)',
  'def map(self): pass',
  'obj.map [0](1)',
].join('\n');

test('callsNamed finds calls by the name their callee ends in, and nothing else', async () => {
  const parser = await createPythonParser();
  const tree = parser.parse(SOURCE)!;
  const model = new Model(tree, SOURCE);
  const lines = (name: string): number[] => model.callsNamed(name).map((c) => c.startPosition.row + 1);
  assert.deepEqual(lines('Pool'), [2, 6], 'whitespace before "(" and non-ASCII names ahead; not strings or comments');
  // Line 5 continues line 4; the parenthesised callee of line 8 is not a name; `def map(` is no call.
  assert.deepEqual(lines('map'), [3, 4, 9]);
  assert.deepEqual(model.callsNamed('Pool', 'map').map((c) => c.startPosition.row + 1), [2, 3, 4, 6, 9]);
  assert.deepEqual(lines('mapper'), [9]);
  assert.deepEqual(lines('nothing'), []);
  tree.delete();
});
