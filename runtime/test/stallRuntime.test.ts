/**
 * The runtime's side of stalls and of Stop, on real Python programs: in a debug session a stall
 * holds the stalled workers where they run (SIGSTOP) until continued, elsewhere it ends the run
 * with status 124; Stop asks a watching supervisor for the tasks in flight before ending the
 * program. The supervisor's records are written here by the programs themselves and by a
 * stand-in supervisor, so the runtime's half is tested apart from the tracer's.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceRuntime, type LaunchOptions, type RunEnd } from '../src/traceRuntime';
import type { ChannelRecord } from '../src/channelReader';
import { processState, STALLING_PROGRAM, until } from './support/stall';

const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';
const DEADLINE_MS = 60_000;

/** No supervisor beside the program: none will start, and one a slow machine started already is ended. */
async function noSupervisor(internals: { supervisor?: ChildProcess; cancelSupervisorStart(): void }): Promise<void> {
  internals.cancelSupervisorStart();
  const running = internals.supervisor;
  if (!running) return;
  internals.supervisor = undefined;
  if (running.exitCode === null && running.signalCode === null) {
    const gone = new Promise((resolve) => running.once('close', resolve));
    running.kill('SIGKILL');
    await gone;
  }
}

async function tracedRun(options: Omit<LaunchOptions, 'stdio' | 'python'>, during: (runtime: TraceRuntime, records: ChannelRecord[], output: () => string) => Promise<void>): Promise<{ stdout: string; end: RunEnd }> {
  const runtime = new TraceRuntime();
  const records: ChannelRecord[] = [];
  let stdout = '';
  runtime.on('record', (record) => records.push(record));
  runtime.on('output', (stream, text) => {
    if (stream === 'stdout') stdout += text;
  });
  const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
  await runtime.launch({ ...options, python: PYTHON, stdio: 'pipe' });
  await during(runtime, records, () => stdout);
  const end = await ended;
  return { stdout, end };
}

describe('stalls and Stop in the runtime (real Python programs)', { timeout: 5 * DEADLINE_MS, skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-stall-test-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('stallAction pause: the stalled worker is stopped where it runs until continued; the run keeps its own status', async () => {
    const program = path.join(tmp, 'stalling.py');
    fs.writeFileSync(program, STALLING_PROGRAM);
    const flag = path.join(tmp, 'flag-pause');
    let child = 0;
    const traced = await tracedRun({ program, args: [flag], cwd: tmp, stallTimeout: 0.5, stallAction: 'pause' }, async (runtime, records) => {
      const stall = await until('the stall record', () => records.find((r) => r.kind === 'in-flight' && r.reason === 'stall'));
      child = (stall.tasks as Array<{ pid: number }>)[0].pid;
      // Sent SIGSTOP before the record was passed on (its delivery is the kernel's, a moment later).
      assert.equal(runtime.isStalledWorker(child), true);
      await until('the worker to be stopped where it runs', () => processState(child) === 'T');
      fs.writeFileSync(flag, '');
      assert.equal(processState(child), 'T', 'still held: the flag cannot be seen by a stopped process');
      assert.equal(runtime.continueStalled(child), true);
      assert.equal(runtime.continueStalled(child), false, 'continued once');
    });
    assert.match(traced.stdout, /joined 0/);
    assert.equal(traced.end.exitCode, 0, 'a held stall does not end the run: its own status');
    const stalls = traced.end.report?.failures.filter((f) => f.kind === 'stall') ?? [];
    assert.deepEqual(stalls.map((f) => [f.pid, f.worker, f.runningFor, f.frames?.[0]?.function]), [[child, 'Spinner-1', 0.5, 'spin']]);
  });

  test('without pause a stall ends the run with status 124, as a hang does; nothing is stopped', async () => {
    const program = path.join(tmp, 'stalling.py');
    fs.writeFileSync(program, STALLING_PROGRAM);
    const flag = path.join(tmp, 'flag-end');
    const traced = await tracedRun({ program, args: [flag], cwd: tmp, stallTimeout: 30 }, async (runtime, records) => {
      const stall = await until('the stall record', () => records.find((r) => r.kind === 'in-flight' && r.reason === 'stall'));
      const child = (stall.tasks as Array<{ pid: number }>)[0].pid;
      assert.notEqual(processState(child), 'T');
      assert.equal(runtime.isStalledWorker(child), false);
      fs.writeFileSync(flag, '');
    });
    assert.match(traced.stdout, /joined 0/);
    assert.equal(traced.end.exitCode, 124);
    assert.equal(traced.end.report?.exitCode, 124);
  });

  test('Stop asks the watching supervisor for the tasks in flight, waits for them, then ends the program', async () => {
    const program = path.join(tmp, 'waiting.py');
    fs.writeFileSync(program, 'import time\nprint("ready", flush=True)\ntime.sleep(60)\n');
    let asked = 0;
    const traced = await tracedRun({ program, cwd: tmp }, async (runtime, _records, output) => {
      await until('the program to be ready', () => output().includes('ready'));
      // The supervisor is private to the runtime: a stand-in that answers `snapshot` as SPEC says
      // takes its place (the real one's answer is the tracer's to test).
      const internals = runtime as unknown as { supervisor?: ChildProcess; channelDir: string; cancelSupervisorStart(): void };
      await noSupervisor(internals);
      const standIn = spawn(PYTHON, ['-c', [
        'import json, os, sys, time',
        'print("listening", flush=True)',
        'line = sys.stdin.readline()',
        'tasks = [{"pid": 4242, "worker": "W-1", "role": "pool-worker", "key": None, "chunk": None, "pos": None, "startedAt": time.time() - 2, "runningFor": 2.0, "task": None, "frames": [{"file": "/w/p.py", "line": 3, "function": "f"}]}]',
        'record = {"v": 1, "kind": "in-flight", "pid": os.getpid(), "t": time.time(), "reason": "ended", "signal": None, "timeout": None, "tasks": tasks}',
        'if line == "snapshot\\n":',
        '    with open(os.path.join(sys.argv[1], "%d.jsonl" % os.getpid()), "a") as f:',
        '        f.write(json.dumps(record) + "\\n")',
        'sys.stdin.read()',
      ].join('\n'), internals.channelDir], { stdio: ['pipe', 'pipe', 'inherit'] });
      // Listening before Stop: a loaded machine may take longer than Stop waits to start Python.
      await new Promise((resolve) => standIn.stdout?.once('data', resolve));
      internals.supervisor = standIn;
      const started = Date.now();
      await runtime.terminate();
      asked = Date.now() - started;
      standIn.stdin?.end();
    });
    assert.equal(traced.end.signal, 'SIGTERM');
    assert.deepEqual(traced.end.report?.inFlight, [{ pid: 4242, worker: 'W-1', runningFor: 2, frames: [{ file: '/w/p.py', line: 3, function: 'f' }] }]);
    assert.ok(asked < 5000, `Stop waited ${asked} ms`);
  });

  test('Stop without a supervisor does not wait', async () => {
    const program = path.join(tmp, 'waiting2.py');
    fs.writeFileSync(program, 'import time\nprint("ready", flush=True)\ntime.sleep(60)\n');
    let took = Infinity;
    const traced = await tracedRun({ program, cwd: tmp }, async (runtime, _records, output) => {
      await until('the program to be ready', () => output().includes('ready'));
      await noSupervisor(runtime as unknown as { supervisor?: ChildProcess; cancelSupervisorStart(): void });
      const started = Date.now();
      await runtime.terminate();
      took = Date.now() - started;
    });
    assert.equal(traced.end.signal, 'SIGTERM');
    assert.ok(took < 500, `Stop took ${took} ms with no supervisor to ask`);
  });
});
