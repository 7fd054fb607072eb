/**
 * Report files hold locals and task arguments, so they are written 0600 whatever the umask:
 * writeReportFile creates a private file and renames it over the target, and the two programs
 * that save reports (`workerscope run --report`, `python -m workerscope_tracer --report`) are
 * held to the same mode.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeReportFile } from '../../runtime/src/report';
import { PYTHON, ROOT, program } from './support/dapSession';

const mode = (file: string): number => fs.statSync(file).mode & 0o777;

describe('writeReportFile', () => {
  let tmp: string;
  let umask: number;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-report-file-'));
    umask = process.umask(0o022);
  });
  after(() => {
    process.umask(umask);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('a new report is 0600 under a 022 umask, and no temporary file is left', () => {
    const file = path.join(tmp, 'new.json');
    writeReportFile(file, '{"version": 1}\n');
    assert.equal(mode(file).toString(8), '600');
    assert.equal(fs.readFileSync(file, 'utf8'), '{"version": 1}\n');
    assert.deepEqual(fs.readdirSync(tmp), ['new.json']);
  });

  test('an existing 0644 report is replaced by a new private file, not rewritten in place', () => {
    const file = path.join(tmp, 'old.json');
    fs.writeFileSync(file, 'old text that is longer than the new one', { mode: 0o644 });
    const before = fs.statSync(file).ino;
    const reader = fs.openSync(file, 'r'); // someone who opened the old report
    try {
      writeReportFile(file, 'new');
      assert.equal(mode(file).toString(8), '600');
      assert.equal(fs.readFileSync(file, 'utf8'), 'new');
      assert.notEqual(fs.statSync(file).ino, before);
      assert.equal(fs.readFileSync(reader, 'utf8'), 'old text that is longer than the new one', 'the old reader never sees the new text');
    } finally {
      fs.closeSync(reader);
    }
  });

  test('a symlink stays a link; the file it names gets the private report', () => {
    const real = path.join(tmp, 'real.json');
    const link = path.join(tmp, 'link.json');
    fs.writeFileSync(real, 'x', { mode: 0o644 });
    fs.symlinkSync(real, link);
    writeReportFile(link, 'via link');
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readFileSync(real, 'utf8'), 'via link');
    assert.equal(mode(real).toString(8), '600');
  });

  test('a target that is not a regular file is written as it is (/dev/null)', () => {
    assert.doesNotThrow(() => writeReportFile('/dev/null', 'discarded'));
  });

  test('a directory that cannot be written gives the error and leaves nothing behind', () => {
    const locked = path.join(tmp, 'locked');
    fs.mkdirSync(locked, { mode: 0o500 });
    if (process.getuid?.() === 0) return; // root writes anywhere: nothing to check
    assert.throws(() => writeReportFile(path.join(locked, 'r.json'), 'x'), /EACCES/);
    assert.deepEqual(fs.readdirSync(locked), []);
  });
});

/** Saved reports of the two programs that write them are 0600 whatever the umask. */
describe('saved reports of real runs are private', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-report-mode-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const env = { ...process.env, PYTHONPATH: path.join(ROOT, 'dist', 'python') };

  test('workerscope run --report FILE writes FILE 0600', () => {
    const file = path.join(tmp, 'cli.json');
    const run = spawnSync('sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, path.join(ROOT, 'dist', 'cli.js'), 'run', '--python', PYTHON, '--report', file, '--', program('clean_exit.py')], { env, encoding: 'utf8' });
    assert.equal(run.status, 3, run.stderr);
    assert.equal(mode(file).toString(8), '600');
  });

  test('python -m workerscope_tracer --report FILE writes FILE 0600', () => {
    const file = path.join(tmp, 'tracer.json');
    const run = spawnSync('sh', ['-c', 'umask 022 && exec "$0" "$@"', PYTHON, '-m', 'workerscope_tracer', '--no-summary', '--report', file, '--', program('clean_exit.py')], { env, encoding: 'utf8' });
    assert.equal(run.status, 3, run.stderr);
    assert.equal(mode(file).toString(8), '600');
  });
});
