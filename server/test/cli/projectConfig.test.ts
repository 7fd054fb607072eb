/**
 * `workerscope check` with a project configuration: found upward from each file (the nearest
 * wins, workerscope.toml before pyproject.toml), each key applied, `start-method` assumed where the
 * program sets none, and every invalid key, type or rule id reported with file:line (exit 2).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCheck } from '../../src/cli/check';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-config-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const UNGUARDED = 'import multiprocessing as mp\n\ndef f(x):\n    return x\n\nmp.Pool(2).map(f, [1])\n';
// Two rules fire here: a pool created at import time (unguarded-entry-point) and a result dropped (discarded-task-result).
const TWO_RULES = 'import multiprocessing as mp\n\ndef f(x):\n    return x\n\nwith mp.Pool(2) as pool:\n    pool.apply_async(f, (1,))\n';

let counter = 0;
/** A fresh repository (a `.git` directory stops the upward search) with these files. */
function project(files: Record<string, string>): string {
  const dir = path.join(root, `p${counter++}`);
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function check(args: string[], cwd?: string): Promise<{ status: number; out: string; err: string; found: string[] }> {
  let out = '';
  let err = '';
  const status = await runCheck([...args, '--format', 'json'], { out: (t) => { out += t; }, err: (t) => { err += t; }, version: 'test' });
  const base = cwd ?? args[0]!;
  const found = status === 2 && out === '' ? [] : (JSON.parse(out) as Array<{ file: string; rule: string; severity: string }>).map((f) => `${path.relative(base, f.file).split(path.sep).join('/')} ${f.rule} ${f.severity}`);
  return { status, out, err, found };
}

test('without configuration every rule runs at its default severity', async () => {
  const dir = project({ 'a.py': TWO_RULES });
  assert.deepEqual((await check([dir])).found, ['a.py unguarded-entry-point error', 'a.py discarded-task-result warning']);
});

test('[tool.workerscope] sets severities, select, ignore, per-file-ignores and exclude', async () => {
  const dir = project({
    'pyproject.toml': `[project]\nname = "x"\n\n[tool.workerscope]\nrules = { "discarded-task-result" = "error", "unguarded-entry-point" = "information" }\nexclude = ["generated", "legacy/*.py"]\n\n[tool.workerscope.per-file-ignores]\n"tests/**" = ["unguarded-entry-point"]\n`,
    'a.py': TWO_RULES,
    'tests/test_a.py': TWO_RULES,
    'generated/g.py': TWO_RULES,
    'legacy/old.py': TWO_RULES,
    'legacy/keep/deeper.py': UNGUARDED,
  });
  assert.deepEqual((await check([dir])).found, [
    'a.py unguarded-entry-point information',
    'a.py discarded-task-result error',
    'legacy/keep/deeper.py unguarded-entry-point information',
    'tests/test_a.py discarded-task-result error',
  ]);
  // An excluded file is excluded even when named on the command line (as pre-commit does).
  assert.deepEqual((await check([path.join(dir, 'generated/g.py')], dir)).found, []);
  const select = project({ 'workerscope.toml': 'select = ["discarded-task-result", "busy-wait-queue"]\n', 'a.py': TWO_RULES });
  assert.deepEqual((await check([select])).found, ['a.py discarded-task-result warning']);
  const ignore = project({ 'workerscope.toml': 'ignore = ["discarded-task-result"]\n', 'a.py': TWO_RULES });
  assert.deepEqual((await check([ignore])).found, ['a.py unguarded-entry-point error']);
});

test('the nearest configuration wins, workerscope.toml over pyproject.toml, and the search stops at the repository root', async () => {
  const outer = project({ 'workerscope.toml': 'ignore = ["unguarded-entry-point"]\n' });
  const dir = path.join(outer, 'inner');
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'sub', 'deep'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.py'), TWO_RULES);
  // The outer configuration lies beyond the inner repository's root: not used.
  assert.deepEqual((await check([dir])).found, ['a.py unguarded-entry-point error', 'a.py discarded-task-result warning']);
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.workerscope]\nignore = ["discarded-task-result"]\n');
  fs.writeFileSync(path.join(dir, 'sub', 'pyproject.toml'), '[project]\nname = "no workerscope table: not a configuration"\n');
  fs.writeFileSync(path.join(dir, 'sub', 'deep', 'b.py'), TWO_RULES);
  assert.deepEqual((await check([dir])).found, ['a.py unguarded-entry-point error', 'sub/deep/b.py unguarded-entry-point error']);
  fs.writeFileSync(path.join(dir, 'workerscope.toml'), 'ignore = ["unguarded-entry-point"]\n');
  assert.deepEqual((await check([dir])).found, ['a.py discarded-task-result warning', 'sub/deep/b.py discarded-task-result warning']);
  fs.writeFileSync(path.join(dir, 'sub', 'workerscope.toml'), '');
  assert.deepEqual((await check([dir])).found, ['a.py discarded-task-result warning', 'sub/deep/b.py unguarded-entry-point error', 'sub/deep/b.py discarded-task-result warning']);
});

test('start-method: fork clears what only spawn and forkserver break; spawn checks a notebook as macOS would; the program\'s own choice wins', async () => {
  const notebook = JSON.stringify({
    cells: [{ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: ['from multiprocessing import Pool\n', '\n', 'def square(x):\n', '    return x * x\n', '\n', 'if __name__ == "__main__":\n', '    with Pool(2) as pool:\n', '        print(pool.map(square, range(3)))\n'] }],
    metadata: {}, nbformat: 4, nbformat_minor: 5,
  });
  const dir = project({ 'a.py': UNGUARDED, 'nb.ipynb': notebook, 'explicit.py': `import multiprocessing as mp\nmp.set_start_method("spawn")\n${UNGUARDED.split('\n').slice(1).join('\n')}` });
  assert.deepEqual((await check([dir])).found, ['a.py unguarded-entry-point error', 'explicit.py unguarded-entry-point error']);
  fs.writeFileSync(path.join(dir, 'workerscope.toml'), 'start-method = "fork"\n');
  assert.deepEqual((await check([dir])).found, ['explicit.py unguarded-entry-point error']);
  fs.writeFileSync(path.join(dir, 'workerscope.toml'), 'start-method = "spawn"\n');
  assert.deepEqual((await check([dir])).found, ['a.py unguarded-entry-point error', 'explicit.py unguarded-entry-point error', 'nb.ipynb unserializable-callable error']);
});

test('invalid keys, types, values, rule ids, globs and TOML are reported with file:line and exit status 2', async () => {
  const dir = project({
    'pyproject.toml': [
      '[project]',
      'name = "x"',
      '[tool.workerscope]',
      'rules = { "unlocked-shared-countr" = "error", "busy-wait-queue" = "hint" }',
      'select = "busy-wait-queue"',
      'start-method = "spwan"',
      'excludes = ["x"]',
      'baseline = 3',
      '[tool.workerscope.per-file-ignores]',
      '"tests/[x" = ["nope"]',
      '',
    ].join('\n'),
    'a.py': UNGUARDED,
  });
  const { status, out, err } = await check([dir]);
  assert.equal(status, 2);
  assert.equal(out, '', 'nothing is checked under an invalid configuration');
  const file = path.join(dir, 'pyproject.toml');
  const lines = err.trim().split('\n').map((l) => l.replace(file, 'pyproject.toml'));
  assert.deepEqual(lines, [
    'pyproject.toml:4: error: unknown rule id "unlocked-shared-countr" (did you mean "unlocked-shared-counter"?)',
    'pyproject.toml:4: error: severity of "busy-wait-queue" must be one of "off", "information", "warning", "error", not "hint"',
    'pyproject.toml:5: error: "select" must be an array of rule ids, not "busy-wait-queue"',
    'pyproject.toml:6: error: "start-method" must be one of "fork", "spawn", "forkserver", not "spwan"',
    'pyproject.toml:7: error: unknown key "excludes" (did you mean "exclude"?) (known keys: rules, select, ignore, exclude, per-file-ignores, start-method, baseline)',
    'pyproject.toml:8: error: "baseline" must be a path (a string), not the number 3',
    'pyproject.toml:10: error: unknown rule id "nope"',
    'pyproject.toml:10: error: invalid glob pattern: "[" without "]" in "tests/[x"',
    'workerscope: invalid configuration (8 problems); nothing was checked',
  ]);
  const broken = project({ 'workerscope.toml': 'select = [\n  "busy-wait-queue"\nignore = []\n', 'a.py': UNGUARDED });
  const second = await check([broken]);
  assert.equal(second.status, 2);
  assert.match(second.err, /workerscope\.toml:3: error: invalid TOML: expected "," or "\]" in an array/);
  // A broken pyproject.toml that does not mention workerscope is not ours to reject.
  const foreign = project({ 'pyproject.toml': '[project\nname = 1\n', 'a.py': UNGUARDED });
  assert.deepEqual((await check([foreign])).found, ['a.py unguarded-entry-point error']);
});
