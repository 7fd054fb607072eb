/**
 * `workerscope run --timeline FILE` on real programs (the BUILT CLI, dist/cli.js: run `node
 * esbuild.mjs` first): a pool whose worker is SIGKILLed draws the killed task and its marks; a run
 * of every kind of worker draws one bar per task; the file is Trace Event JSON, 0600.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { FailureEvent, TaskEvent, TimelineFile } from '../../../protocol/src/timeline';
import { assertValidTimelineFile } from '../../../runtime/test/support/traceEvents';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PROGRAMS = path.join(ROOT, 'test-fixtures', 'programs');
const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', '--python', PYTHON, ...args], { cwd: PROGRAMS, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-timeline-cli-')), 'trace.json');
}

const tasksOf = (file: TimelineFile): TaskEvent[] => file.traceEvents.filter((e): e is TaskEvent => e.ph === 'X' && e.cat === 'task');

test('--timeline: a SIGKILLed pool worker\'s task is drawn killed, with the loss and the hang marked on its lane', { timeout: 120_000 }, async () => {
  const out = tempFile();
  const program = path.join(PROGRAMS, 'pool_worker_sigkill.py');
  const result = await run(['--timeline', out, '--hang-timeout', '1', '--', program, 'fork']);
  assert.equal(result.status, 124, result.stderr);
  assert.equal(fs.statSync(out).mode & 0o777, 0o600);
  const file = JSON.parse(fs.readFileSync(out, 'utf8')) as TimelineFile;
  assertValidTimelineFile(file, program);
  const tasks = tasksOf(file);
  const killed = tasks.filter((t) => t.args.outcome === 'killed');
  assert.equal(killed.length, 1, JSON.stringify(killed));
  assert.equal(killed[0].args.index, 3);
  assert.equal(killed[0].args.function, '__main__.load_shard');
  // Element 2 ran before 3 in the same chunk, on the same worker: its bar ends where the killed one begins.
  const two = tasks.find((t) => t.args.index === 2 && t.pid === killed[0].pid);
  assert.ok(two && two.args.outcome === 'ok', JSON.stringify(tasks));
  assert.ok(two.ts + two.dur <= killed[0].ts);
  const indices = tasks.map((t) => t.args.index);
  assert.equal(new Set(indices).size, indices.length, 'one bar per task');
  const marks = file.traceEvents.filter((e): e is FailureEvent => e.ph === 'i');
  assert.ok(marks.some((m) => m.args.kind === 'worker-lost' && m.pid === killed[0].pid && m.tid === killed[0].tid), JSON.stringify(marks));
  assert.ok(marks.some((m) => m.args.kind === 'hang'), JSON.stringify(marks));
  assert.ok(file.traceEvents.some((e) => e.ph === 'M' && e.name === 'process_name' && e.pid === killed[0].pid && /^ForkPoolWorker-\d+$/.test(e.args.name ?? '')));
});

test('--timeline: every pool, executor, Process and thread task of a run is one bar; the program\'s output is its own', { timeout: 120_000 }, async () => {
  const out = tempFile();
  const program = path.join(PROGRAMS, 'timeline_pools.py');
  const result = await run(['--timeline', out, '--', program, 'spawn']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^20540\n91\n5\n\[3, 7, 11\]\nraised: five\n81\n/);
  const file = JSON.parse(fs.readFileSync(out, 'utf8')) as TimelineFile;
  assertValidTimelineFile(file, program);
  const count = (fn: string): number => tasksOf(file).filter((t) => t.args.function === fn).length;
  // Pool: 40 + 7 squares; executor: 1 + 5 + 6; thread pool: 4.
  assert.equal(count('__main__.square'), 63);
  assert.equal(count('__main__.add'), 4);
  // Chunks of 4: the second stops at 5, which raised (6 and 7 never run).
  assert.equal(count('__main__.fails_on_five'), 6);
  assert.equal(count('__main__.nap'), 1);
  assert.equal(tasksOf(file).filter((t) => t.args.outcome === 'raised').map((t) => t.args.error).join(), 'ValueError: five');
  assert.ok(file.traceEvents.some((e) => e.ph === 'X' && e.cat === 'wait' && e.name === 'Pool.map'));
  assert.ok(file.traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'napper'));
});
