/**
 * `workerscope check --baseline` / `--update-baseline`: findings matched by rule, file and a
 * fingerprint of their line and enclosing definitions, not by line number; the baseline file's
 * format; SARIF `partialFingerprints` from the same fingerprint; the `baseline` configuration key.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCheck } from '../../src/cli/check';
import { SARIF_FINGERPRINT_KEY } from '../../src/cli/formats';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-baseline-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

async function check(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runCheck(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, version: 'test' });
  return { status, out, err };
}

async function found(args: string[]): Promise<string[]> {
  const { status, out, err } = await check([...args, '--format', 'json']);
  assert.notEqual(status, 2, err);
  return (JSON.parse(out) as Array<{ file: string; line: number; rule: string }>).map((f) => `${path.basename(f.file)}:${f.line} ${f.rule}`);
}

const TASKS = `import multiprocessing as mp

def work(x):
    return x

def submit():
    with mp.Pool(2) as pool:
        pool.apply_async(work, (1,))

def submit_twice():
    with mp.Pool(2) as pool:
        pool.apply_async(work, (1,))
        pool.apply_async(work, (1,))
`;

test('a baselined finding stays baselined when lines are added above it; new identical ones elsewhere are reported', async () => {
  const dir = fs.mkdtempSync(path.join(root, 'p'));
  const file = path.join(dir, 'tasks.py');
  const baseline = path.join(dir, 'workerscope-baseline.json');
  fs.writeFileSync(file, TASKS);
  assert.deepEqual(await found([file]), ['tasks.py:8 discarded-task-result', 'tasks.py:12 discarded-task-result', 'tasks.py:13 discarded-task-result']);
  const update = await check([file, '--baseline', baseline, '--update-baseline']);
  assert.equal(update.status, 0);
  assert.equal(update.out, '');
  assert.match(update.err, /wrote 3 findings to the baseline .*workerscope-baseline\.json \(it had 0\)/);
  assert.equal(fs.statSync(baseline).mode & 0o777, 0o644);
  const written = JSON.parse(fs.readFileSync(baseline, 'utf8'));
  assert.equal(written.version, 1);
  const summary = written.findings.map((e: { file: string; rule: string; occurrence: number; scope: string; code: string }) => [e.file, e.rule, e.occurrence, e.scope, e.code].join(' '));
  assert.deepEqual([...summary].sort(), [
    'tasks.py discarded-task-result 0 submit pool.apply_async(work, (1,))',
    'tasks.py discarded-task-result 0 submit_twice pool.apply_async(work, (1,))',
    'tasks.py discarded-task-result 1 submit_twice pool.apply_async(work, (1,))',
  ]);
  assert.deepEqual(written.findings, [...written.findings].sort((a: { fingerprint: string; occurrence: number }, b: { fingerprint: string; occurrence: number }) => a.fingerprint.localeCompare(b.fingerprint) || a.occurrence - b.occurrence), 'sorted');
  assert.match(fs.readFileSync(baseline, 'utf8'), /^\{\n  "version": 1,\n  "findings": \[\n    \{"file":"tasks\.py",/, 'one finding per line');
  assert.deepEqual(await found([file, '--baseline', baseline]), []);
  assert.equal((await check([file, '--baseline', baseline])).status, 0);

  // Unrelated edits above: the findings move down, and stay baselined.
  fs.writeFileSync(file, `"""Tasks."""\nimport os\n\nLIMIT = 3\n${TASKS.replace('def work(x):\n    return x', 'def work(x):\n    # doubled\n    return x * 2')}`);
  assert.deepEqual(await found([file, '--baseline', baseline]), []);

  // A new identical call in another function, and a third one in submit_twice: both reported.
  fs.appendFileSync(file, '\ndef submit_again():\n    with mp.Pool(2) as pool:\n        pool.apply_async(work, (1,))\n');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('        pool.apply_async(work, (1,))\n        pool.apply_async(work, (1,))\n', '        pool.apply_async(work, (1,))\n        pool.apply_async(work, (1,))\n        pool.apply_async(work, (1,))\n'));
  assert.deepEqual(await found([file, '--baseline', baseline]), ['tasks.py:19 discarded-task-result', 'tasks.py:23 discarded-task-result']);
  // SARIF carries the fingerprint with its occurrence, the same one the baseline holds.
  const sarif = JSON.parse((await check([file, '--format', 'sarif'])).out);
  const prints = sarif.runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[SARIF_FINGERPRINT_KEY]);
  assert.equal(prints.length, 5);
  assert.equal(new Set(prints).size, 5);
  const submitPrint = written.findings.find((e: { scope: string }) => e.scope === 'submit');
  assert.ok(prints.includes(`${submitPrint.fingerprint}:0`));
});

test('--update-baseline drops fixed findings, keeps other existing files\' entries, and the configuration can name the baseline', async () => {
  const dir = fs.mkdtempSync(path.join(root, 'q'));
  fs.mkdirSync(path.join(dir, '.git'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.workerscope]\nbaseline = "ci/baseline.json"\n');
  fs.mkdirSync(path.join(dir, 'ci'));
  fs.writeFileSync(path.join(dir, 'src', 'a.py'), TASKS);
  fs.writeFileSync(path.join(dir, 'src', 'b.py'), TASKS);
  const baseline = path.join(dir, 'ci', 'baseline.json');
  assert.equal((await check([dir, '--update-baseline'])).status, 0);
  const files = (): string[] => JSON.parse(fs.readFileSync(baseline, 'utf8')).findings.map((e: { file: string; scope: string }) => `${e.file} ${e.scope}`);
  assert.deepEqual(files().sort(), ['../src/a.py submit', '../src/a.py submit_twice', '../src/a.py submit_twice', '../src/b.py submit', '../src/b.py submit_twice', '../src/b.py submit_twice']);
  assert.deepEqual(await found([dir]), [], 'the configuration\'s baseline is used');

  // Fix a.py's submit(), update with a.py only: its fixed finding goes, b.py's entries stay.
  fs.writeFileSync(path.join(dir, 'src', 'a.py'), TASKS.replace('        pool.apply_async(work, (1,))\n\ndef submit_twice', '        return pool.apply_async(work, (1,)).get()\n\ndef submit_twice'));
  assert.equal((await check([path.join(dir, 'src', 'a.py'), '--update-baseline'])).status, 0);
  assert.equal(files().filter((f) => f.startsWith('../src/a.py')).length, 2);
  assert.equal(files().filter((f) => f.startsWith('../src/b.py')).length, 3);
  // --update-baseline with --rule rewrites only that rule's entries.
  fs.writeFileSync(path.join(dir, 'src', 'b.py'), `${TASKS}\nwith mp.Pool(2) as top:\n    top.map(work, [1])\n`);
  assert.equal((await check([dir, '--rule', 'unguarded-entry-point', '--update-baseline'])).status, 0);
  assert.deepEqual(files().filter((f) => f.startsWith('../src/b.py')).sort(), ['../src/b.py ', '../src/b.py submit', '../src/b.py submit_twice', '../src/b.py submit_twice']);
  assert.deepEqual(await found([dir]), []);
  // A deleted file's entries go at the next update.
  fs.rmSync(path.join(dir, 'src', 'b.py'));
  assert.equal((await check([dir, '--update-baseline'])).status, 0);
  assert.deepEqual(files(), ['../src/a.py submit_twice', '../src/a.py submit_twice']);
});

test('a malformed baseline is an error (exit 2); a missing one is empty; --update-baseline needs a file (usage error)', async () => {
  const dir = fs.mkdtempSync(path.join(root, 'r'));
  fs.mkdirSync(path.join(dir, '.git'));
  fs.writeFileSync(path.join(dir, 'tasks.py'), TASKS);
  fs.writeFileSync(path.join(dir, 'bad.json'), '{"findings": 3}');
  const bad = await check([dir, '--baseline', path.join(dir, 'bad.json')]);
  assert.equal(bad.status, 2);
  assert.match(bad.err, /bad\.json is not a Workerscope baseline/);
  assert.equal((await found([dir, '--baseline', path.join(dir, 'missing.json')])).length, 3);
  // A usage error: `workerscope` prints it with the usage and exits with status 2.
  await assert.rejects(check([dir, '--update-baseline']), { name: 'UsageError', message: /--update-baseline needs --baseline FILE/ });
});
