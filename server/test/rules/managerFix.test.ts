/**
 * The unserializable-argument quick fix (`Queue()` → `Manager().Queue()`) takes the imported name
 * out of its `from multiprocessing import` when the call was its last use, wherever it stands in
 * the list, and leaves it when something else still uses it.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzePythonSource } from '../../src/analysis';
import { applyFixes } from './harness';

async function fixed(imports: string, extra = ''): Promise<string> {
  const source = `${imports}\n\n\ndef work(q):\n    return q\n\n\ndef main():\n    q = Queue()\n    with Pool() as pool:\n        pool.apply(work, (q,))\n${extra}`;
  const findings = (await analyzePythonSource(source, { file: 'prog.py' })).filter((f) => f.rule === 'unserializable-argument');
  assert.equal(findings.length, 1, 'one finding');
  return applyFixes(source, findings).text.split('\n\n\n')[0];
}

test('the last use of an imported name leaves the import with it', async () => {
  assert.equal(await fixed('from multiprocessing import Manager, Pool, Queue'), 'from multiprocessing import Manager, Pool');
  assert.equal(await fixed('from multiprocessing import Queue, Manager, Pool'), 'from multiprocessing import Manager, Pool');
  assert.equal(await fixed('from multiprocessing import Manager, Pool\nfrom multiprocessing import Queue'), 'from multiprocessing import Manager, Pool');
  assert.equal(
    await fixed('from multiprocessing import (\n    Manager,\n    Pool,\n    Queue,\n)'),
    'from multiprocessing import (\n    Manager,\n    Pool,\n)',
  );
});

test('a name still used elsewhere stays imported', async () => {
  assert.equal(await fixed('from multiprocessing import Manager, Pool, Queue', '\n\nSPARE = Queue\n'), 'from multiprocessing import Manager, Pool, Queue');
});
