/**
 * Values that come from the project's other Python modules (test-fixtures/py-imports): a lambda,
 * a nested function returned by a factory, or a function replaced by a decorator without
 * `functools.wraps`, imported and sent to a process pool, is flagged at the call with a related
 * location in the module that defines it; through the engine facade and `workerscope check`.
 * Module-level functions imported the same way, and modules that do not exist, are not flagged.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { analyzePythonSource, createPythonParser, type Finding } from '../../src/analysis';
import { PythonDocuments } from '../../src/lsp/pythonDocuments';
import { runCheck } from '../../src/cli/check';
import { repoRoot } from '../rules/harness';

const DIR = path.join(repoRoot(), 'test-fixtures/py-imports');

function analyse(name: string, file = path.join(DIR, name)): Promise<Finding[]> {
  return analyzePythonSource(fs.readFileSync(path.join(DIR, name), 'utf8'), { file });
}

function summary(found: Finding[]): [string, number, string | undefined, number | undefined][] {
  return found.map((f) => [f.rule, f.range.start.line, f.related[0]?.file && path.relative(DIR, f.related[0].file), f.related[0]?.range.start.line]);
}

test('from-imports of a lambda, a factory\'s nested function and a decorated function are flagged where they are sent', async () => {
  const found = await analyse('main.py');
  assert.deepEqual(summary(found), [
    ['unserializable-callable', 7, 'tasks.py', 10],
    ['unserializable-callable', 8, 'tasks.py', 14],
    ['unserializable-callable', 9, 'tasks.py', 4],
  ]);
  assert.match(found[0]!.message, /a lambda cannot be pickled \(PicklingError\)/);
  assert.match(found[1]!.message, /Nested function `task`.*defined inside `make_task`/);
  assert.match(found[2]!.message, /decorator `logged` replaces it with the nested function `wrapper`/);
  assert.ok(found.every((f) => f.fixes.length === 0), 'no fix edits another file');
  // Under the URI the editor uses, the same modules are found.
  assert.deepEqual(summary(await analyse('main.py', pathToFileURL(path.join(DIR, 'main.py')).href)), summary(found));
  assert.deepEqual(await analyse('main.py', 'untitled:Untitled-1'), [], 'an untitled document has no folder to import from');
});

test('module attributes (`import tasks`, `import pkg.sub`), a src/ layout and relative imports in a package resolve', async () => {
  assert.deepEqual(summary(await analyse('attributes.py')), [
    ['unserializable-callable', 9, 'tasks.py', 10],
    ['unserializable-callable', 10, path.join('pkg', 'sub.py'), 5],
    ['unserializable-callable', 11, path.join('src', 'layout_pkg', 'jobs.py'), 0],
  ]);
  assert.deepEqual(summary(await analyse(path.join('pkg', 'runner.py'))), [['unserializable-callable', 8, path.join('pkg', 'helpers.py'), 1]]);
});

test('a name a package re-exports (`from .tasks import work` in its __init__.py) and a relative import two levels up resolve', async () => {
  const reexported = await analyse('reexports.py');
  assert.deepEqual(summary(reexported), [['unserializable-callable', 9, path.join('reexport', 'tasks.py'), 0]]);
  assert.match(reexported[0]!.message, /a lambda cannot be pickled \(PicklingError\)/);
  const deep = await analyse(path.join('deep', 'inner', 'runner.py'));
  assert.deepEqual(summary(deep), [['unserializable-callable', 8, path.join('deep', 'util.py'), 1]]);
  assert.match(deep[0]!.message, /a lambda defined inside `make_offset` has none \(AttributeError: Can't pickle local object/);
});

test('an attribute of a project module that a worker reads and the main guard rebinds is stale, whichever module the task comes from', async () => {
  const rel = (f: Finding): [number, string | undefined, number][] => f.related.map((r) => [r.range.start.line, r.file && path.relative(DIR, r.file), 0]);
  const found = await analyse('globals_main.py');
  assert.deepEqual(found.map((f) => [f.rule, f.range.start.line]), [['stale-global-in-worker', 10], ['stale-global-in-worker', 14]]);
  // Read here (local_scaled): at the read, the assignment related; read in settings_tasks.py (scaled): at the assignment.
  assert.deepEqual(rel(found[0]!).map((r) => r.slice(0, 2)), [[14, undefined], [17, undefined]]);
  assert.deepEqual(rel(found[1]!).map((r) => r.slice(0, 2)), [[5, 'settings_tasks.py'], [16, undefined]]);
  assert.match(found[1]!.message, /^Stale value under spawn and forkserver: workers see the import-time value\. Global `config\.SETTING` read by `scaled`/);
  const fork = await analyse('globals_fork.py');
  assert.deepEqual(fork.map((f) => [f.rule, f.range.start.line]), [['stale-global-in-worker', 10]]);
  assert.match(fork[0]!.message, /^Workers keep a stale value: this global changes after they were forked/);
  assert.deepEqual(await analyse('globals_ok.py'), [], 'set by the initializer in each worker; rebound before a fork pool');
});

test('a lambda or a factory\'s nested function passed to another module\'s function that submits it to a pool is flagged at the argument', async () => {
  const found = await analyse('passing.py');
  assert.deepEqual(found.map((f) => [f.rule, f.range.start.line, f.related.map((r) => [r.file && path.relative(DIR, r.file), r.range.start.line, r.message])]), [
    ['unserializable-callable', 9, [['pipeline.py', 6, 'submitted to the pool here']]],
    ['unserializable-callable', 10, [['pipeline.py', 6, 'submitted to the pool here'], ['tasks.py', 14, 'defined here']]],
  ]);
  assert.match(found[0]!.message, /a lambda cannot be pickled \(PicklingError\)/);
  assert.match(found[1]!.message, /Nested function `task`.*defined inside `make_task`/);
  assert.equal(found[0]!.fixes.length, 1, 'the lambda here can be moved to a module-level function here');
  assert.deepEqual(await analyse('pipeline.py'), [], 'the helper alone submits whatever it is given');
});

test('module-level functions imported from project modules, and missing modules, are not flagged', async () => {
  assert.deepEqual(await analyse('ok.py'), []);
});

test('an imported module is read again once it changed on disk, also by the editor\'s remembered findings', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-pyimports-'));
  try {
    fs.writeFileSync(path.join(dir, 'setup.cfg'), '');
    const main = path.join(dir, 'main.py');
    const text = 'from multiprocessing import Pool\nfrom jobs import job\n\nif __name__ == "__main__":\n    with Pool() as p:\n        p.map(job, [1])\n';
    fs.writeFileSync(path.join(dir, 'jobs.py'), 'def job(x):\n    return x\n');
    assert.deepEqual(await analyzePythonSource(text, { file: main }), []);
    const documents = new PythonDocuments();
    const parser = await createPythonParser();
    const never = (): boolean => false;
    assert.deepEqual(documents.analyse('main', text, parser, { file: main }, never), []);
    fs.writeFileSync(path.join(dir, 'jobs.py'), 'job = lambda x: x  # now a lambda, and longer\n');
    assert.deepEqual((await analyzePythonSource(text, { file: main })).map((f) => f.rule), ['unserializable-callable']);
    assert.deepEqual(documents.analyse('main', text, parser, { file: main }, never)?.map((f) => f.rule), ['unserializable-callable'], 'the same text is analysed again');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a notebook sending a function imported from a module beside it to spawn workers is not told the function lives in the kernel', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-pyimports-'));
  try {
    fs.writeFileSync(path.join(dir, 'setup.cfg'), '');
    fs.writeFileSync(path.join(dir, 'nb_tasks.py'), 'def square(x):\n    return x * x\n');
    const cells = 'import multiprocessing as mp\nfrom nb_tasks import square\nctx = mp.get_context("spawn")\nwith ctx.Pool(2) as pool:\n    print(pool.map(square, range(4)))\n';
    assert.deepEqual(await analyzePythonSource(cells, { file: path.join(dir, 'nb.ipynb') }), []);
    const local = cells.replace('from nb_tasks import square\n', 'def square(x):\n    return x * x\n');
    assert.deepEqual((await analyzePythonSource(local, { file: path.join(dir, 'nb.ipynb') })).map((f) => f.rule), ['unserializable-callable'], 'defined in a cell: flagged');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('libraries the engine models stay library names where their source is importable (a workspace inside a Python installation)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-pyimports-'));
  try {
    fs.writeFileSync(path.join(dir, 'setup.cfg'), '');
    fs.mkdirSync(path.join(dir, 'concurrent', 'futures'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'concurrent', '__init__.py'), '');
    fs.writeFileSync(path.join(dir, 'concurrent', 'futures', '__init__.py'), 'from .process import ProcessPoolExecutor\n');
    const text = 'from concurrent.futures import ProcessPoolExecutor\n\nif __name__ == "__main__":\n    with ProcessPoolExecutor() as ex:\n        ex.map(lambda x: x, [1])\n';
    assert.deepEqual((await analyzePythonSource(text, { file: path.join(dir, 'main.py') })).map((f) => f.rule), ['unserializable-callable']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a script importing a project module that starts processes at import time is flagged at the import', async () => {
  const found = await analyse('script.py');
  assert.deepEqual(summary(found), [['unguarded-entry-point', 2, 'starter.py', 3]]);
  assert.match(found[0]!.message, /^Process pool created at import time by an imported module: under spawn and forkserver each worker re-imports this script, which imports `starter.py` again/);
  assert.deepEqual((await analyse('main.py')).filter((f) => f.rule === 'unguarded-entry-point'), [], 'tasks.py starts nothing at import');
  assert.deepEqual(await analyse('library.py'), [], 'not a script');
});

test('workerscope check follows the imports of the files it checks', async () => {
  let out = '';
  const status = await runCheck([DIR, '--format', 'json'], { out: (t) => { out += t; }, err: () => undefined, version: 'test' });
  assert.equal(status, 1);
  const found = (JSON.parse(out) as { file: string; line: number }[]).map((f) => `${path.relative(DIR, f.file)}:${f.line}`);
  assert.deepEqual(found, ['attributes.py:10', 'attributes.py:11', 'attributes.py:12', `${path.join('deep', 'inner', 'runner.py')}:9`, 'globals_fork.py:11', 'globals_main.py:11', 'globals_main.py:15', 'main.py:8', 'main.py:9', 'main.py:10', 'passing.py:10', 'passing.py:11', `${path.join('pkg', 'runner.py')}:9`, 'reexports.py:10', 'script.py:3', 'starter.py:4']);
});
