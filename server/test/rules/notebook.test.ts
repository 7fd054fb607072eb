/**
 * unserializable-callable in notebooks: functions defined in cells live in the kernel's
 * `__main__`, which spawn and forkserver workers cannot import.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzePythonSource } from '../../src/analysis';

const SPAWN = `import multiprocessing as mp

def square(x):
    return x * x

ctx = mp.get_context("spawn")
with ctx.Pool(2) as pool:
    print(pool.map(square, range(4)))
`;

async function rule(source: string, file: string): Promise<string[]> {
  return (await analyzePythonSource(source, { file, onlyRules: ['unserializable-callable'] })).map((f) => f.message);
}

test('a notebook function sent to a spawn pool is flagged, with the reason', async () => {
  const messages = await rule(SPAWN, '/work/analysis.ipynb');
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /`square` is defined in the notebook/);
  assert.match(messages[0]!, /re-imports `__main__`/);
  assert.match(messages[0]!, /macOS and Windows default to spawn, and Linux to forkserver from Python 3\.14/);
  assert.equal((await rule(SPAWN, 'vscode-notebook-cell:/work/analysis.ipynb#W1sZmlsZQ==')).length, 1);
});

test('set_start_method("spawn") and ProcessPoolExecutor(mp_context=...) count as spawn', async () => {
  const global = SPAWN.replace('ctx = mp.get_context("spawn")\nwith ctx.Pool(2)', 'mp.set_start_method("spawn")\nwith mp.Pool(2)');
  assert.equal((await rule(global, 'nb.ipynb')).length, 1);
  const executor = `import multiprocessing as mp\nfrom concurrent.futures import ProcessPoolExecutor\n\ndef f(x):\n    return x\n\nwith ProcessPoolExecutor(mp_context=mp.get_context("forkserver")) as ex:\n    list(ex.map(f, [1]))\n`;
  assert.equal((await rule(executor, 'nb.ipynb')).length, 1);
});

test('not flagged: plain .py files, the default or fork start method, thread pools', async () => {
  assert.deepEqual(await rule(SPAWN, '/work/analysis.py'), []);
  assert.deepEqual(await rule(SPAWN.replace('"spawn"', '"fork"'), 'nb.ipynb'), []);
  assert.deepEqual(await rule(SPAWN.replace('ctx = mp.get_context("spawn")\nwith ctx.Pool(2)', 'with mp.Pool(2)'), 'nb.ipynb'), []);
  const threads = SPAWN.replace('ctx.Pool(2)', 'ThreadPoolExecutor()').replace('import multiprocessing as mp', 'import multiprocessing as mp\nfrom concurrent.futures import ThreadPoolExecutor');
  assert.deepEqual(await rule(threads, 'nb.ipynb'), []);
});

test('no unguarded-entry-point in a notebook: the kernel\'s __main__ has no file for workers to re-run', async () => {
  const findings = await analyzePythonSource(SPAWN, { file: '/work/analysis.ipynb', onlyRules: ['unguarded-entry-point'] });
  assert.deepEqual(findings.map((f) => f.message), []);
  const script = await analyzePythonSource(SPAWN, { file: '/work/analysis.py', onlyRules: ['unguarded-entry-point'] });
  assert.equal(script.length, 1, 'the same code in a script is flagged');
});
