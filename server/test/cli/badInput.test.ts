/** `workerscope check` on bad input: a clear message per file, no crash, the other files still checked. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCheck } from '../../src/cli/check';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-bad-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function check(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runCheck(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, version: 'test' });
  return { status, out, err };
}

test('invalid UTF-8, binary, huge and deeply nested files are reported or survived, and the rest is checked', async () => {
  fs.writeFileSync(path.join(dir, 'latin.py'), Buffer.from('import multiprocessing\nname = "caf\xe9"\n', 'latin1'));
  fs.writeFileSync(path.join(dir, 'binary.py'), Buffer.from([0x69, 0x6d, 0x70, 0x6f, 0x72, 0x74, 0x20, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x70, 0x72, 0x6f, 0x63, 0x65, 0x73, 0x73, 0x69, 0x6e, 0x67, 0x0a, 0x00, 0x01, 0x02]));
  fs.writeFileSync(path.join(dir, 'huge.py'), `import multiprocessing\n${'x = 1\n'.repeat(2_000_000)}`);
  fs.writeFileSync(path.join(dir, 'nested.py'), `import multiprocessing\nx = ${'['.repeat(1000)}${']'.repeat(1000)}\n`);
  fs.writeFileSync(path.join(dir, 'unguarded.py'), 'import multiprocessing as mp\n\ndef f(x):\n    return x\n\nmp.Pool(2).map(f, [1])\n');
  const { status, out, err } = await check([dir, '--format', 'json']);
  assert.equal(status, 1, 'the good file still has its finding');
  assert.deepEqual(JSON.parse(out).map((f: { file: string; rule: string }) => [path.basename(f.file), f.rule]), [['unguarded.py', 'unguarded-entry-point']]);
  assert.match(err, /skipped .*latin\.py: not valid UTF-8/);
  assert.match(err, /skipped .*binary\.py: file contains NUL bytes/);
  assert.match(err, /skipped .*huge\.py: file is 11\.4 MB, larger than the 4 MB/);
});

test('a file declaring latin-1 is decoded as latin-1, as Python would', async () => {
  const file = path.join(dir, 'declared.py');
  fs.writeFileSync(file, Buffer.from('# -*- coding: latin-1 -*-\nimport multiprocessing as mp\ns = "caf\xe9"\nmp.Pool(2)\n', 'latin1'));
  const { status, out, err } = await check([file, '--format', 'json']);
  assert.equal(err, '');
  assert.equal(status, 1);
  assert.equal(JSON.parse(out)[0].rule, 'unguarded-entry-point');
});

test('a missing path is an I/O error (exit 2) with a message', async () => {
  const { status, err } = await check([path.join(dir, 'nope')]);
  assert.equal(status, 2);
  assert.match(err, /cannot read .*nope: no such file or directory/);
});
