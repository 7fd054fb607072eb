/**
 * Values that come from other files of the workspace (test-fixtures/js-imports): a function
 * imported or required by a relative path is seen as a same-file one, through the engine and
 * through `workerscope check`; related locations in the other file point at the import; an
 * edited file is read again; a missing module or a module path outside the workspace is no value.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzeJsSource } from '../../src/analysisJs';
import { runCheck } from '../../src/cli/check';
import { repoRoot } from '../rules/harness';

const DIR = path.join(repoRoot(), 'test-fixtures/js-imports');

function analyse(name: string): ReturnType<typeof analyzeJsSource> {
  const file = path.join(DIR, name);
  return analyzeJsSource(fs.readFileSync(file, 'utf8'), { file });
}

test('a function imported from a workspace file and posted to a worker is flagged (ES import, require, a folder index)', () => {
  const mjs = analyse('main.mjs');
  assert.deepEqual(mjs.map((f) => [f.rule, f.range.start.line]), [['unserializable-callable', 4]]);
  // "The function is defined here" points at the import in this file, not at a position of tasks.js.
  assert.deepEqual(mjs[0]!.related?.map((r) => r.range.start), [{ line: 1, character: 9 }]);
  const cjs = analyse('main.cjs');
  assert.deepEqual(cjs.map((f) => [f.rule, f.range.start.line]), [['unserializable-callable', 5], ['unserializable-callable', 6]]);
});

test('a workerpool task imported from a workspace file that reads its module\'s bindings is flagged; a standalone one is not', () => {
  const found = analyse('pool.ts');
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /ReferenceError: `factor` is not defined in the worker\. `.*` sends `tasks\.scaled`/);
  assert.equal(found[0]!.range.start.line, 5);
  assert.deepEqual(found[0]!.related?.map((r) => r.range.start), [{ line: 1, character: 7 }], 'the binding is shown at the import of its module');
  assert.deepEqual(analyse('ok.ts'), [], 'a number imported, and a module that does not exist, are not functions');
});

test('workerscope check follows the imports of the files it checks', async () => {
  let out = '';
  const status = await runCheck([DIR, '--format', 'json'], { out: (t) => { out += t; }, err: () => undefined, version: 'test' });
  assert.equal(status, 1);
  const found = (JSON.parse(out) as { file: string; line: number }[]).map((f) => `${path.basename(f.file)}:${f.line}`);
  assert.deepEqual(found, ['main.cjs:6', 'main.cjs:7', 'main.mjs:5', 'pool.ts:6']);
});

test('an imported file is read again once it changed on disk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-imports-'));
  try {
    const main = path.join(dir, 'main.ts');
    const text = "import { Worker } from 'node:worker_threads';\nimport { task } from './task';\nnew Worker('./w.js').postMessage(task);\n";
    fs.writeFileSync(path.join(dir, 'task.ts'), 'export const task = 1;\n');
    assert.deepEqual(analyzeJsSource(text, { file: main }), []);
    fs.writeFileSync(path.join(dir, 'task.ts'), 'export const task = () => 1;\n// longer, so the size changes too\n');
    assert.deepEqual(analyzeJsSource(text, { file: main }).map((f) => f.rule), ['unserializable-callable']);
    // Under a URI the editor uses, the same file is found.
    assert.deepEqual(analyzeJsSource(text, { file: `file://${main}` }).map((f) => f.rule), ['unserializable-callable']);
    assert.deepEqual(analyzeJsSource(text, { file: 'untitled:Untitled-1' }), [], 'an untitled document has no folder to import from');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('files that re-export each other, and a file that imports itself, end without a value', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-imports-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.ts'), "import { task } from './b';\nexport { task };\n");
    fs.writeFileSync(path.join(dir, 'b.ts'), "import { task } from './a';\nexport { task };\n");
    const text = "import { Worker } from 'node:worker_threads';\nimport { task } from './a';\nimport { self } from './main';\nexport const self = () => 1;\nnew Worker('./w.js').postMessage({ task, self });\n";
    const found = analyzeJsSource(text, { file: path.join(dir, 'main.ts') });
    assert.deepEqual(found.map((f) => f.message.match(/^Nothing is sent: `(\w+)`/)?.[1]), ['self'], 'the cycle gives nothing; the self-import is the local function');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
