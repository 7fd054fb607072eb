/**
 * The runtime the debug adapter and `workerscope run` share, driving real Python programs: the
 * program must run exactly as `python script.py` would, the report must follow its end, and
 * Stop, Ctrl-C, hangs and a lost supervisor must each end the run the way a user expects.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceRuntime, type LaunchOptions, type RunEnd } from '../src/traceRuntime';
import type { ChannelRecord } from '../src/channelReader';
import { until as poll } from './support/until';

const root = path.resolve(__dirname, '..', '..', '..');
const PROGRAMS = path.join(root, 'test-fixtures', 'programs');
const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';
const DEADLINE_MS = 60_000;

interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

interface TracedRun extends Outcome {
  end: RunEnd;
}

function plainRun(program: string, args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [program, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (exitCode, signal) => resolve({ stdout, stderr, exitCode, signal }));
  });
}

/** Starts a traced run; `during` may act on the running program before the end is awaited. */
async function tracedRun(options: Omit<LaunchOptions, 'stdio' | 'python'>, during?: (runtime: TraceRuntime, records: ChannelRecord[], output: () => string) => Promise<void>): Promise<TracedRun> {
  const runtime = new TraceRuntime();
  const records: ChannelRecord[] = [];
  let stdout = '';
  let stderr = '';
  runtime.on('record', (record) => records.push(record));
  runtime.on('output', (stream, text) => {
    if (stream === 'stdout') stdout += text;
    else stderr += text;
  });
  const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
  await runtime.launch({ ...options, python: PYTHON, stdio: 'pipe' });
  if (during) await during(runtime, records, () => stdout);
  const end = await ended;
  return { stdout, stderr, exitCode: end.exitCode, signal: end.signal, end };
}

const until = <T>(what: string, probe: () => T | undefined | false): Promise<T> => poll(what, probe, 20, DEADLINE_MS);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('trace runtime (real Python programs)', { timeout: 10 * DEADLINE_MS }, () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-runtime-test-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function script(name: string, source: string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, source);
    return file;
  }

  test('the program runs as `python script.py` would: output, argv, paths, traceback and status', async () => {
    const identity = script('identity.py', [
      'import os, sys',
      'print(__name__, os.path.basename(__file__), sys.argv[1:], sys.path[0] == os.path.dirname(os.path.abspath(__file__)))',
      'print(os.getppid() == int(sys.argv[1]), sys.stdin.read() == "")',
      'sys.stderr.write("to stderr\\n")',
      'def fail(n):',
      '    raise ValueError("bad %d" % n)',
      'if len(sys.argv) > 2:',
      '    fail(int(sys.argv[2]))',
      'sys.exit(3)',
      '',
    ].join('\n'));
    for (const args of [[String(process.pid)], [String(process.pid), '7']]) {
      const plain = await plainRun(identity, args, tmp);
      const traced = await tracedRun({ program: identity, args, cwd: tmp });
      assert.deepEqual({ stdout: traced.stdout, stderr: traced.stderr, exitCode: traced.exitCode, signal: traced.signal }, plain);
      assert.ok(traced.end.report, traced.end.reportError);
      assert.equal(traced.end.report.exitCode, plain.exitCode);
      assert.equal(traced.end.watchError, undefined);
    }
  });

  test('a short program runs with no interpreter beside it; it names its own for the report', async () => {
    const version = await plainRun(script('version.py', 'import platform\nprint(platform.python_version())\n'), [], tmp);
    const runtime = new TraceRuntime();
    const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
    await runtime.launch({ program: path.join(PROGRAMS, 'pool_map_raises.py'), cwd: PROGRAMS, python: PYTHON, stdio: 'pipe' });
    const end = await ended;
    assert.equal((runtime as unknown as { supervisor?: ChildProcess }).supervisor, undefined, 'no supervisor was started');
    assert.equal(end.report?.python, version.stdout.trim());
    assert.equal(end.report?.program, path.join(PROGRAMS, 'pool_map_raises.py'));
  });

  test('a program that dies by a signal ends by that signal, and the report says so', async () => {
    const dies = script('dies.py', 'import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n');
    const plain = await plainRun(dies, [], tmp);
    const traced = await tracedRun({ program: dies, cwd: tmp });
    assert.equal(plain.signal, 'SIGTERM');
    assert.equal(traced.signal, 'SIGTERM');
    assert.equal(traced.exitCode, null);
    assert.equal(traced.end.report?.processes[0]?.exitCode, -15);
  });

  test('a raising pool task is in the report, with the runtime as the program\'s parent', async () => {
    const traced = await tracedRun({ program: path.join(PROGRAMS, 'pool_map_raises.py'), cwd: PROGRAMS });
    assert.equal(traced.exitCode, 0);
    assert.match(traced.stdout, /map failed: bad record 7/);
    const report = traced.end.report;
    assert.ok(report, traced.end.reportError);
    const failure = report.failures.find((f) => f.kind === 'exception');
    assert.ok(failure, JSON.stringify(report.failures));
    assert.equal(failure.exception?.type, 'ValueError');
    assert.ok(failure.task?.function?.endsWith('parse_record'), failure.task?.function);
    assert.deepEqual([failure.task?.args, failure.task?.index], [['7'], 7]);
    assert.equal(report.processes[0]?.role, 'main');
    assert.equal(report.processes[0]?.ppid, process.pid);
    // What `workerscope run --report` saves: the tracer's own text, nulls included.
    const saved = JSON.parse(traced.end.reportText ?? '') as { failures: { task: Record<string, unknown> }[] };
    assert.equal(saved.failures.length, report.failures.length);
    assert.ok(traced.end.reportText?.endsWith('}\n'));
  });

  test('a killed pool worker is reported, and the hang that follows ends the run with status 124', async () => {
    const traced = await tracedRun({ program: path.join(PROGRAMS, 'pool_worker_sigkill.py'), cwd: PROGRAMS, hangTimeout: 1 });
    assert.equal(traced.exitCode, 124);
    assert.equal(traced.signal, null);
    const kinds = traced.end.report?.failures.map((f) => f.kind) ?? [];
    assert.ok(kinds.includes('killed') && kinds.includes('hang'), kinds.join(', '));
    assert.equal(traced.end.watchError, undefined, 'the supervisor that declared the hang left when told');
  });

  test('terminate() ends the program and every worker it started', async () => {
    const sleeper = script('sleeper.py', [
      'import multiprocessing, time',
      'def nap(x):',
      '    time.sleep(60)',
      'if __name__ == "__main__":',
      '    with multiprocessing.Pool(2) as pool:',
      '        pool.map(nap, range(2))',
      '',
    ].join('\n'));
    let workers: number[] = [];
    const traced = await tracedRun({ program: sleeper, cwd: tmp }, async (runtime, records) => {
      workers = await until('two pool workers', () => {
        const started = records.filter((r) => r.kind === 'process-start' && r.role === 'pool-worker').map((r) => r.pid);
        return started.length === 2 && started;
      });
      runtime.terminate();
    });
    assert.equal(traced.signal, 'SIGTERM');
    await until('the workers to be gone', () => workers.every((pid) => !alive(pid)));
  });

  test('interrupt() reaches the program as a Ctrl-C at the terminal would', async () => {
    const waiting = script('waiting.py', 'import time\nprint("ready", flush=True)\ntime.sleep(60)\n');
    const traced = await tracedRun({ program: waiting, cwd: tmp }, async (runtime, _records, output) => {
      await until('the program to be ready', () => output().includes('ready'));
      runtime.interrupt();
    });
    assert.equal(traced.signal, 'SIGINT');
    assert.match(traced.stderr, /KeyboardInterrupt/);
  });

  test('the program runs on unharmed when the supervisor is gone, and still gets its report', async () => {
    const go = path.join(tmp, 'go');
    const steady = script('steady.py', [
      'import os, sys, time',
      'while not os.path.exists(sys.argv[1]):  # until the test has removed the supervisor',
      '    time.sleep(0.01)',
      'print(sys.stdin.read() == "")',
      'sys.exit(5)',
      '',
    ].join('\n'));
    const traced = await tracedRun({ program: steady, args: [go], cwd: tmp }, async (runtime) => {
      // The supervisor is private to the runtime; only this failure test reaches for it.
      // It starts once the program has run for a while.
      const supervisor = await until('the supervisor to start', () => (runtime as unknown as { supervisor?: ChildProcess }).supervisor);
      supervisor.kill('SIGKILL');
      await until('the supervisor to be gone', () => supervisor.exitCode !== null || supervisor.signalCode !== null);
      fs.writeFileSync(go, '');
    });
    assert.equal(traced.stdout, 'True\n');
    assert.equal(traced.exitCode, 5);
    // Only the hang watch went with it: the report is built from the channel by the runtime.
    assert.ok(traced.end.report, traced.end.reportError);
    assert.equal(traced.end.report.exitCode, 5);
    assert.match(traced.end.watchError ?? '', /hang watch stopped before the program ended/);
  });
});
