/**
 * `workerscope check` on hostile paths, through the built CLI in a child process with a deadline:
 * paths after `--`, unreadable directories, symbolic links (and loops), FIFOs and devices. Nothing
 * is skipped silently and nothing blocks.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';

const CLI = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
const UNGUARDED = 'import multiprocessing as mp\n\ndef f(x):\n    return x\n\nmp.Pool(2).map(f, [1])\n';
const CLEAN = 'import multiprocessing as mp\n';
// Root reads any directory whatever its mode: run the CLI as `nobody` then, so permissions count.
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-paths-'));
fs.chmodSync(base, 0o755);
after(() => {
  for (const dir of walkDirs(base)) fs.chmodSync(dir, 0o755);
  fs.rmSync(base, { recursive: true, force: true });
});

function walkDirs(dir: string): string[] {
  const out = [dir];
  fs.chmodSync(dir, 0o755);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...walkDirs(path.join(dir, e.name)));
  return out;
}

function tree(name: string, files: Record<string, string>): string {
  const root = path.join(base, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(root, rel), text, { mode: 0o644 });
  }
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  return root;
}

interface Run {
  status: number | null;
  out: string;
  err: string;
}

/** Runs the built CLI; fails (rather than hangs) if it does not end within the deadline. */
export function runCli(args: string[], cwd: string, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'check', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`workerscope check ${args.join(' ')} did not end within ${timeoutMs} ms (stderr: ${err})`));
    }, timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out, err });
    });
  });
}

function flaggedFiles(run: Run, root: string): string[] {
  return (JSON.parse(run.out) as Array<{ file: string }>).map((f) => path.relative(root, path.resolve(root, f.file))).sort();
}

test('paths after -- are checked, not the current directory', async () => {
  const here = tree('cwd', { 'noisy.py': UNGUARDED });
  const there = tree('there', { 'clean.py': CLEAN });
  const clean = await runCli(['--format', 'json', '--', there], here);
  assert.equal(clean.status, 0, clean.err);
  assert.deepEqual(JSON.parse(clean.out), []);
  const flagged = await runCli(['--format', 'json', '--', path.join(here, 'noisy.py')], there);
  assert.equal(flagged.status, 1, flagged.err);
  assert.deepEqual(flaggedFiles(flagged, here), ['noisy.py']);
});

test('an unreadable directory is reported with exit 2 and the other files are still checked', async () => {
  const root = tree('unreadable', { 'ok/a.py': UNGUARDED, 'secret/b.py': UNGUARDED });
  fs.chmodSync(path.join(root, 'secret'), 0o000);
  const run = await runCli(['--format', 'json', root], root);
  fs.chmodSync(path.join(root, 'secret'), 0o755);
  assert.equal(run.status, 2, run.err);
  assert.match(run.err, /cannot read .*secret: permission denied/);
  assert.deepEqual(flaggedFiles(run, root), ['ok/a.py']);
});

test('an unreadable file is reported with exit 2', async () => {
  const root = tree('unreadable-file', { 'a.py': UNGUARDED, 'b.py': UNGUARDED });
  fs.chmodSync(path.join(root, 'b.py'), 0o000);
  const run = await runCli(['--format', 'json', root], root);
  assert.equal(run.status, 2, run.err);
  assert.match(run.err, /cannot read .*b\.py: permission denied/);
  assert.deepEqual(flaggedFiles(run, root), ['a.py']);
});

test('symbolic links to files and directories are followed once, and loops end', async () => {
  const outside = tree('outside', { 'pkg/linked.py': UNGUARDED, 'single.py': UNGUARDED });
  const root = tree('links', { 'real/own.py': UNGUARDED });
  fs.symlinkSync(path.join(outside, 'pkg'), path.join(root, 'pkglink'));
  fs.symlinkSync(path.join(outside, 'single.py'), path.join(root, 'filelink.py'));
  fs.symlinkSync(root, path.join(root, 'real', 'loop')); // Back up to the root: a cycle.
  fs.symlinkSync(path.join(root, 'real'), path.join(root, 'real2')); // A second name for a directory already walked.
  const run = await runCli(['--format', 'json', root], root);
  assert.equal(run.status, 1, run.err);
  assert.equal(run.err, '');
  assert.deepEqual(flaggedFiles(run, root), ['filelink.py', 'pkglink/linked.py', 'real/own.py']);
});

test('a symbolic link loop or a dangling link with a Python name is reported', async () => {
  const root = tree('badlinks', { 'a.py': UNGUARDED });
  fs.symlinkSync(path.join(root, 'nowhere.py'), path.join(root, 'dangling.py'));
  fs.symlinkSync(path.join(root, 'self.py'), path.join(root, 'self.py'));
  const run = await runCli(['--format', 'json', root], root);
  assert.equal(run.status, 2, run.err);
  assert.match(run.err, /cannot read .*dangling\.py: broken symbolic link/);
  assert.match(run.err, /cannot read .*self\.py: symbolic link loop/);
  assert.deepEqual(flaggedFiles(run, root), ['a.py']);
});

test('a FIFO, given or found in a tree, is refused with exit 2 and never blocks', async (t) => {
  const root = tree('fifo', { 'a.py': UNGUARDED });
  const fifo = path.join(root, 'pipe.py');
  if (spawnSync('mkfifo', [fifo]).status !== 0) {
    t.skip('mkfifo is not available');
    return;
  }
  fs.chmodSync(fifo, 0o644);
  const walked = await runCli(['--format', 'json', root], root);
  assert.equal(walked.status, 2, walked.err);
  assert.match(walked.err, /cannot read .*pipe\.py: not a regular file \(a FIFO/);
  assert.deepEqual(flaggedFiles(walked, root), ['a.py']);
  const given = await runCli([fifo], root);
  assert.equal(given.status, 2);
  assert.match(given.err, /cannot read .*pipe\.py: not a regular file \(a FIFO\)/);
});

test('a device given as a path is refused, not read without end', async () => {
  const run = await runCli(['/dev/zero'], base);
  assert.equal(run.status, 2);
  assert.match(run.err, /cannot read \/dev\/zero: not a regular file \(a device\)/);
});
