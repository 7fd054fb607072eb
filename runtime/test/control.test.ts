/**
 * The control channel against a real Python program paused at its failures (pause on failure):
 * evaluate (expressions, statements that change a local, errors), variables and setVariable,
 * continue; and how long a request takes to be answered, request to record (a benchmark whose
 * figures are printed as diagnostics; only a loose bound is asserted).
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TraceRuntime, type RunEnd } from '../src/traceRuntime';
import type { ChannelRecord } from '../src/channelReader';
import { ControlChannel, evaluation, ringBells } from '../src/control';
import { until as poll } from './support/until';

const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';
const DEADLINE_MS = 60_000;
const ROUND_TRIPS = 50;
const FAILURES = 20;

const PROGRAM = `
import threading


class Box:
    def __init__(self):
        self.label = "box"


def work(i, seen):
    box = Box()
    table = {"k": [i]}
    seen.append(i)
    raise ValueError("fail %d" % i)


seen = []
for i in range(${FAILURES}):
    t = threading.Thread(target=work, args=(i, seen))
    t.start()
    t.join()
print("seen", seen, flush=True)
`;

// Answers come within milliseconds here: polled often, so a latency figure is not the poll's.
const until = <T>(what: string, probe: () => T | undefined | false): Promise<T> => poll(what, probe, 5, DEADLINE_MS);

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `n=${sorted.length} median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(2)} ms`;
}

describe('control channel (a real Python program paused at its failures)', { timeout: 4 * DEADLINE_MS }, () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-control-test-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('evaluate, statements, variables, setVariable and continue, each answered promptly', async (t) => {
    const program = path.join(tmp, 'fails.py');
    fs.writeFileSync(program, PROGRAM);
    const runtime = new TraceRuntime();
    const records: ChannelRecord[] = [];
    let stdout = '';
    runtime.on('record', (record) => records.push(record));
    runtime.on('output', (stream, text) => {
      if (stream === 'stdout') stdout += text;
    });
    const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
    await runtime.launch({ program, cwd: tmp, python: PYTHON, stdio: 'pipe', pauseOnFailure: true, live: true });
    try {
      await exercise(runtime, records, () => stdout, ended, t);
    } catch (error) {
      // A failed assertion leaves the program paused: it must not outlive the test.
      await runtime.terminate();
      await ended;
      throw error;
    }
  });

  async function exercise(runtime: TraceRuntime, records: ChannelRecord[], output: () => string, ended: Promise<RunEnd>, t: TestContext): Promise<void> {
    const pausedFor = (id: string): boolean => records.some((r) => r.kind === 'paused' && r.id === id);
    const failure = (n: number): Promise<ChannelRecord> =>
      until(`failure ${n}`, () => {
        const failures = records.filter((r) => r.kind === 'thread-exception');
        return failures.length > n && pausedFor(String(failures[n].id)) && failures[n];
      });

    const first = await failure(0);
    const pid = first.pid;
    const id = String(first.id);
    assert.equal(first.paused, true);

    // Evaluate: correct answers, timed request -> record.
    const evaluateMs: number[] = [];
    for (let n = 0; n < ROUND_TRIPS; n++) {
      const start = performance.now();
      const answer = await runtime.evaluate(pid, 0, `i * 1000 + ${n}`, 5000, id);
      evaluateMs.push(performance.now() - start);
      assert.deepEqual(answer, { ok: true, value: String(n), type: 'int', ref: 0 });
    }
    assert.deepEqual(await runtime.evaluate(pid, 0, 'i = 7', 5000, id), { ok: true, value: '', type: null, ref: 0 });
    assert.deepEqual(await runtime.evaluate(pid, 0, 'i', 5000, id, 'watch'), { ok: true, value: '7', type: 'int', ref: 0 });
    assert.deepEqual(await runtime.evaluate(pid, 0, 'nothing_here', 5000, id), { ok: false, error: "NameError: name 'nothing_here' is not defined" });
    const printed = await runtime.evaluate(pid, 0, "import os; print('pid', os.getpid(), flush=True)", 5000, id);
    assert.equal(printed.ok, true);
    await until('the statement to print', () => output().includes(`pid ${pid}\n`));

    // Variables and setVariable, by reference.
    const scope = await runtime.variables(pid, id, { frame: 0, scope: 'locals' });
    assert.ok(scope.ok, JSON.stringify(scope));
    const byName = new Map(scope.variables.map((v) => [v.name, v]));
    // `import os` in the console bound a local, as it would in the frame's own code.
    assert.deepEqual([...byName.keys()].sort(), ['box', 'i', 'os', 'seen', 'table']);
    assert.equal(byName.get('i')?.value, '7');
    const table = byName.get('table');
    assert.ok(table && table.ref > 0);
    const children = await runtime.variables(pid, id, { ref: table.ref });
    assert.deepEqual(children, { ok: true, variables: [{ name: "'k'", value: '[0]', type: 'list', ref: children.ok ? children.variables[0].ref : 0 }], total: 1 });
    const seen = byName.get('seen');
    assert.ok(seen && seen.ref > 0);
    const set = await runtime.setVariable(pid, id, { frame: 0, ref: seen.ref, name: '0', value: "'changed'" });
    assert.deepEqual(set, { ok: true, value: "'changed'", type: 'str', ref: 0 });
    const refused = await runtime.setVariable(pid, id, { frame: 0, ref: 999, name: 'x', value: '1' });
    assert.equal(refused.ok, false);

    // Continue, timed request -> `resumed` record, once per failure.
    const continueMs: number[] = [];
    for (let n = 0; n < FAILURES; n++) {
      const current = n === 0 ? first : await failure(n);
      const currentId = String(current.id);
      const resumed = new Promise<number>((resolve) => {
        const onRecord = (r: ChannelRecord): void => {
          if (r.kind !== 'resumed' || r.id !== currentId) return;
          runtime.off('record', onRecord);
          assert.equal(r.reason, 'continue');
          resolve(performance.now());
        };
        runtime.on('record', onRecord);
      });
      const start = performance.now();
      runtime.resume(current.pid, currentId);
      continueMs.push((await resumed) - start);
    }
    const end = await ended;
    assert.equal(end.exitCode, 0);
    const expected = Array.from({ length: FAILURES }, (_, n) => (n === 0 ? "'changed'" : String(n)));
    assert.equal(output().trim().split('\n').pop(), `seen [${expected.join(', ')}]`);
    t.diagnostic(`evaluate round trip: ${stats(evaluateMs)}`);
    t.diagnostic(`continue round trip (request -> resumed record): ${stats(continueMs)}`);
    const median = (samples: number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
    assert.ok(median(evaluateMs) < 1000, 'a loose sanity bound, not the 50 ms target');
    assert.ok(median(continueMs) < 1000, 'a loose sanity bound, not the 50 ms target');
  }

  test('answers are matched by pid, seq and stop id; a stop resumed or a process ended without answering rejects', async () => {
    const channel = fs.mkdtempSync(path.join(tmp, 'channel-'));
    const source = new EventEmitter<{ record: [ChannelRecord] }>();
    const control = new ControlChannel(() => channel, source);
    const answered = control.request(11, { cmd: 'evaluate', id: '11-s1', frame: 0, expression: 'x' }, 'evaluate-result', 5000);
    const request = JSON.parse(fs.readFileSync(path.join(channel, 'ctl', '11', '1.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(request, { cmd: 'evaluate', id: '11-s1', frame: 0, expression: 'x', seq: 1 });
    assert.equal(fs.statSync(path.join(channel, 'ctl', '11', '1.json')).mode & 0o777, 0o600);
    assert.equal(control.awaiting, true);
    source.emit('record', { kind: 'evaluate-result', pid: 12, seq: '1', id: '11-s1', ok: true, value: 'other pid' });
    source.emit('record', { kind: 'evaluate-result', pid: 11, seq: '2', id: '11-s1', ok: true, value: 'other seq' });
    source.emit('record', { kind: 'evaluate-result', pid: 11, seq: '1', id: '11-s2', ok: true, value: 'other stop' });
    source.emit('record', { kind: 'evaluate-result', pid: 11, seq: '1', id: '11-s1', ok: true, value: '42', type: 'int', ref: 0 });
    assert.deepEqual(evaluation(await answered), { ok: true, value: '42', type: 'int', ref: 0 });
    assert.equal(control.awaiting, false);

    const orphan = control.request(11, { cmd: 'variables', id: '11-s3', ref: 1 }, 'variables-result', 5000);
    source.emit('record', { kind: 'resumed', pid: 11, id: '11-s3', reason: 'timeout' });
    await assert.rejects(orphan, /no longer stopped/);
    const resumed = control.resume(11, { cmd: 'continue', id: '11-s4' });
    const lost = control.request(11, { cmd: 'evaluate', id: '11-s5', frame: 0, expression: 'x' }, 'evaluate-result', 5000);
    source.emit('record', { kind: 'resumed', pid: 11, id: '11-s4', reason: 'continue' });
    assert.equal((await resumed).reason, 'continue');
    source.emit('record', { kind: 'process-exit', pid: 11, exitCode: 0 });
    await assert.rejects(lost, /process has ended/);
    await assert.rejects(control.request(11, { cmd: 'evaluate', id: '11-s6' }, 'evaluate-result', 20), /did not answer in time/);
    assert.equal(source.listenerCount('record'), 0, 'no listener left behind');
  });

  test('ringing a bell never blocks nor fails: no bell, no reader, a plain file, a link', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'bells-'));
    fs.writeFileSync(path.join(dir, 'file.bell'), '');
    fs.symlinkSync(path.join(dir, 'file.bell'), path.join(dir, 'link.bell'));
    // A FIFO nobody reads: opening it to write would block without O_NONBLOCK (ENXIO with it).
    const made = spawnSync('mkfifo', ['-m', '600', path.join(dir, 'unread.bell')]);
    if (made.status === 0) ringBells(dir, 'unread');
    ringBells(dir, 'absent');
    ringBells(dir, 'file');
    ringBells(dir, 'link');
    ringBells(dir, undefined);
    ringBells(path.join(dir, 'no-such-dir'), undefined);
    assert.equal(fs.readFileSync(path.join(dir, 'file.bell'), 'utf8'), '', 'nothing written into a file that is no FIFO');
  });
});
