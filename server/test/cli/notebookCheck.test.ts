/** `workerscope check` on `.ipynb` files: code cells analysed together, findings reported per cell. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { runCheck } from '../../src/cli/check';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-nb-'));
  made.push(dir);
  return dir;
}

function notebook(cells: { cell_type: string; source: string[] }[]): string {
  return JSON.stringify({ cells, metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 });
}

test('findings in a notebook name the cell and the line within it', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'analysis.ipynb');
  fs.writeFileSync(file, notebook([
    { cell_type: 'markdown', source: ['# Squares'] },
    { cell_type: 'code', source: ['%load_ext autoreload\n', 'import multiprocessing as mp\n'] },
    { cell_type: 'code', source: ['pool = mp.Pool(2)\n', 'print(pool.map(abs, [-1, 2]))\n'] },
  ]));
  let out = '';
  const status = await runCheck([dir, '--format', 'json', '--rule', 'unclosed-pool'], { out: (t) => { out += t; }, err: () => undefined, version: 'test' });
  assert.equal(status, 1);
  const findings = JSON.parse(out) as { file: string; cell: number; line: number; column: number; rule: string }[];
  assert.deepEqual(findings.map((f) => [path.basename(f.file), f.cell, f.line, f.column, f.rule]), [['analysis.ipynb', 3, 1, 8, 'unclosed-pool']]);

  let text = '';
  await runCheck([file, '--rule', 'unclosed-pool'], { out: (t) => { text += t; }, err: () => undefined, version: 'test' });
  assert.match(text, /analysis\.ipynb:cell 3:1:8: warning \[unclosed-pool\]/);
});

test('a broken notebook is skipped with a reason, not a crash', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'broken.ipynb'), '{ not json');
  let err = '';
  const status = await runCheck([dir], { out: () => undefined, err: (t) => { err += t; }, version: 'test' });
  assert.equal(status, 0);
  assert.match(err, /skipped .*broken\.ipynb: not a valid notebook/);
});
