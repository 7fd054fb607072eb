/**
 * The reverse import index: each file's modules replaced as it is analysed again, so a module a
 * file stopped importing no longer lists it, and a file forgotten (deleted) depends on nothing.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { ImportIndex } from '../../src/lsp/importIndex';

const p = (name: string): string => path.resolve('/project', name);
const stamp = (name: string, s = '1\0 2'): string => `${p(name)}\0${s}`;

test('dependants follow each file\'s latest analysis', () => {
  const index = new ImportIndex();
  index.record(p('main.py'), [stamp('tasks.py'), stamp('pkg/__init__.py'), stamp('pkg/jobs.py'), `${p('missing.py')}\0-`]);
  index.record(p('other.py'), [stamp('tasks.py'), stamp('tasks.py', '3\0 4')]);
  assert.deepEqual(index.dependantsOf(p('tasks.py')).sort(), [p('main.py'), p('other.py')]);
  assert.deepEqual(index.dependantsOf(p('pkg/jobs.py')), [p('main.py')], 'through a re-export');
  assert.deepEqual(index.dependantsOf(p('missing.py')), [p('main.py')], 'a module looked for in vain: its creation matters');
  // main.py no longer imports tasks (analysed again), other.py is deleted.
  index.record(p('main.py'), [stamp('pkg/jobs.py')]);
  index.forget(p('other.py'));
  assert.deepEqual(index.dependantsOf(p('tasks.py')), []);
  assert.deepEqual(index.dependantsOf(p('missing.py')), []);
  assert.deepEqual(index.dependantsOf(p('pkg/jobs.py')), [p('main.py')]);
  index.record(p('main.py'), []);
  assert.equal(index.size, 0);
});
