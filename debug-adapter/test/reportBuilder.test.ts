/**
 * The report built in Node must be the report the Python supervisor writes: each fixture program
 * runs under `python -m workerscope_tracer` with a kept channel, and reportBuilder.ts, given the
 * same records and run facts, must produce the supervisor's report file byte for byte. Synthetic
 * records pin the joins and the JSON text where the fixtures do not reach.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildReport, loadEvents, reportText, rootAnnouncement, type ReportContext } from '../src/runtime/reportBuilder';
import { dumpsPretty, pythonNumber } from '../src/wire';

const root = path.resolve(__dirname, '..', '..', '..');
const pythonDir = path.join(root, 'debug-adapter', 'python');
const programs = path.join(root, 'test-fixtures', 'programs');
const python = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';

interface Case {
  program: string;
  options?: string[];
  args?: string[];
}

/** Every kind of record the report joins: failures of each kind, swallowed results, races, hangs. */
const CASES: Case[] = [
  { program: 'clean_exit.py' },
  { program: 'pool_map_raises.py', args: ['fork'] },
  { program: 'pool_map_raises.py', args: ['spawn'] },
  { program: 'pool_imap_raises.py' },
  { program: 'pool_starmap_raises.py' },
  { program: 'pool_apply_async_raises.py' },
  { program: 'executor_map_raises.py' },
  { program: 'executor_submit_raises.py' },
  { program: 'executor_worker_sigkill.py' },
  { program: 'executor_in_process.py' },
  { program: 'pool_worker_segfault.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_worker_sigkill.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_worker_os_exit.py', options: ['--hang-timeout', '0.5'] },
  { program: 'process_target_raises.py' },
  { program: 'process_subclass_raises.py' },
  { program: 'pool_unpicklable_results.py' },
  { program: 'pool_initializer_raises.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_task_unreadable.py', options: ['--hang-timeout', '0.5'], args: ['spawn'] },
  { program: 'pool_result_unreadable.py', options: ['--hang-timeout', '0.5'] },
  { program: 'executor_initializer_raises.py' },
  { program: 'process_target_os_exit.py' },
  { program: 'swallowed_apply_async.py' },
  { program: 'swallowed_future.py' },
  { program: 'swallowed_thread_pools.py' },
  { program: 'swallowed_map_chunks.py' },
  { program: 'swallowed_in_pool_worker.py' },
  { program: 'executor_task_unreadable.py', args: ['spawn'] },
  { program: 'pool_callback_raises.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_closed_misuse.py' },
  { program: 'swallowed_imap_unread.py' },
  { program: 'pool_task_starts_process.py' },
  { program: 'thread_exception.py' },
  { program: 'thread_in_pool_worker.py' },
  { program: 'unlocked_counter.py', options: ['--detect-races'] },
  { program: 'unlocked_counter_pool.py', options: ['--detect-races'] },
  // Workers that announce themselves, and a forkserver between parent and worker.
  { program: 'pool_worker_sigkill.py', options: ['--hang-timeout', '0.5'], args: ['forkserver'] },
  { program: 'executor_worker_sigkill.py', args: ['spawn'] },
  { program: 'swallowed_apply_async.py', args: ['forkserver'] },
  { program: 'wrapper_map_input_raises.py' },
  { program: 'attribution_details.py' },
  { program: 'pool_manager_killed.py', options: ['--hang-timeout', '0.5'] },
  { program: 'pool_result_unreadable.py', options: ['--hang-timeout', '0.5'], args: ['spawn'] },
  // The queue deadlock (a join-before-drain hang with both places), and a join with a timeout
  // whose child's flush waits and then finishes.
  { program: 'queue_join_before_drain.py', options: ['--hang-timeout', '0.5'] },
  { program: 'queue_joinable_join_before_drain.py', options: ['--hang-timeout', '0.5'], args: ['spawn'] },
  { program: 'queue_join_timeout_then_drain.py', options: ['--hang-timeout', '0.5'] },
];

function supervised(c: Case, channel: string, reportFile: string): Promise<void> {
  const argv = ['-m', 'workerscope_tracer', '--channel', channel, '--report', reportFile, '--no-summary', ...(c.options ?? []), '--', path.join(programs, c.program), ...(c.args ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn(python, argv, { cwd: programs, env: { ...process.env, PYTHONPATH: pythonDir }, stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', () => resolve());
  });
}

/** The run's facts as the supervisor knew them, read back from its report. */
function contextOf(report: { program: string; argv: string[]; python: string; exitCode: number | null; processes: { pid: number; ppid: number; exitCode: number | null }[] }): ReportContext {
  const main = report.processes[0];
  return { program: report.program, argv: report.argv, python: report.python, exitCode: report.exitCode, rootPid: main.pid, rootPpid: main.ppid, rootExit: main.exitCode };
}

describe('the report built in Node is the supervisor report', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-report-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const [i, c] of CASES.entries()) {
    test(`${c.program} ${[...(c.options ?? []), ...(c.args ?? [])].join(' ')}`.trim(), async () => {
      const channel = path.join(tmp, `channel-${i}`);
      fs.mkdirSync(channel, { mode: 0o700 });
      const reportFile = path.join(tmp, `report-${i}.json`);
      await supervised(c, channel, reportFile);
      const expected = fs.readFileSync(reportFile, 'utf8');
      const events = loadEvents(channel);
      assert.ok(events.length > 0 || c.program === 'clean_exit.py', 'the program recorded something');
      const built = reportText(buildReport(events, contextOf(JSON.parse(expected))));
      assert.equal(built, expected);
    });
  }
});

describe('report building', () => {
  const context: ReportContext = { program: '/w/p.py', argv: ['a'], python: '3.12.1', exitCode: 1, rootPid: 10, rootPpid: 9, rootExit: 1 };

  test('joins a failure with its submission and folds the swallowed result into it', () => {
    const events = [
      { v: 1, kind: 'submit', pid: 10, t: 1, key: 'k', api: 'map', function: 'm.f', chunksize: 4, indexBase: 100, indexed: true, submittedAt: { file: '/w/p.py', line: 3 } },
      { v: 1, kind: 'task-exception', pid: 11, t: 2, key: 'k', chunk: 2, pos: 1, thread: 'MainThread', worker: 'W-1', task: { function: 'm.f', args: ['5'], kwargs: {} }, exception: { type: 'E', message: 'm' }, frames: [{ file: '/w/p.py', line: 7, function: 'f', locals: { x: '5' }, user: true }] },
      { v: 1, kind: 'swallowed', pid: 10, t: 3, key: 'k', chunk: 2, api: 'map', task: null, exception: { type: 'E', message: 'm' } },
      { v: 1, kind: 'swallowed', pid: 10, t: 2.5, key: 'other', chunk: 0, api: 'apply_async', task: { function: 'm.g', args: [], kwargs: { y: '1' } }, exception: { type: 'F', message: 'n' } },
    ];
    const report = buildReport(events, context) as { failures: Record<string, unknown>[] };
    assert.deepEqual(report.failures.map((f) => f.kind), ['swallowed', 'swallowed']);
    assert.deepEqual(report.failures[0].task, { function: 'm.f', args: ['5'], kwargs: {}, index: 109, submittedAt: { file: '/w/p.py', line: 3 } });
    assert.deepEqual(report.failures[0].frames, [{ file: '/w/p.py', line: 7, function: 'f', locals: { x: '5' } }]);
    assert.deepEqual(Object.keys(report.failures[0]), ['kind', 'pid', 'thread', 'worker', 'task', 'exception', 'signal', 'exitCode', 'frames']);
    assert.deepEqual(report.failures[1].task, { function: 'm.g', args: [], kwargs: { y: '1' }, index: null, submittedAt: null });
  });

  test('processes: the main one first, children as announced, lost and exited', () => {
    const events = [
      { v: 1, kind: 'process-start', pid: 12, t: 1, ppid: 10, owner: 10, role: 'pool-worker', name: 'W-2' },
      { v: 1, kind: 'process-start', pid: 10, t: 1.5, ppid: 9, owner: null, role: 'main', name: 'MainProcess', python: '3.12.1', cacheTag: 'cpython-312' },
      { v: 1, kind: 'worker-lost', pid: 10, t: 2, child: 13, worker: 'W-3', role: 'pool-worker', exitCode: -9, signal: 'SIGKILL', key: null, chunk: 0, pos: 0, task: null, frames: [] },
      { v: 1, kind: 'child-exit', pid: 10, t: 3, child: 12, name: 'W-2', role: 'pool-worker', exitCode: 0, terminated: true },
      { v: 1, kind: 'start-method', pid: 12, t: 1, method: 'spawn' },
    ];
    const report = buildReport(events, context) as { processes: unknown[]; failures: Record<string, unknown>[]; startMethod: unknown };
    assert.deepEqual(report.processes, [
      { pid: 10, ppid: 9, role: 'main', name: 'MainProcess', exitCode: 1 },
      { pid: 12, ppid: 10, role: 'pool-worker', name: 'W-2', exitCode: 0 },
      { pid: 13, ppid: 10, role: 'pool-worker', name: 'W-3', exitCode: -9 },
    ]);
    assert.equal(report.failures[0].kind, 'killed');
    assert.equal(report.failures[0].task, null);
    assert.equal(report.startMethod, 'spawn', 'the first child start method when the main process reported none');
    assert.deepEqual(rootAnnouncement(events, 10), { python: '3.12.1', cacheTag: 'cpython-312' });
    assert.deepEqual(rootAnnouncement(events, 12), {});
  });

  test('races add up per site and list each process once', () => {
    const race = (pid: number, count: number) => ({ v: 1, kind: 'race', pid, t: pid, file: '/w/p.py', line: 4, object: 'Value(i)', count });
    const report = buildReport([race(12, 3), race(11, 2), race(12, 1)], context) as { races: unknown[] };
    assert.deepEqual(report.races, [{ file: '/w/p.py', line: 4, kind: 'unlocked-read-modify-write', object: 'Value(i)', count: 6, pids: [11, 12] }]);
  });

  test('a channel directory: files in name order, records in time order, torn lines skipped', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-events-'));
    try {
      fs.writeFileSync(path.join(dir, '20.jsonl'), '{"v":1,"kind":"paused","pid":20,"t":2,"id":"a"}\n{"v":1,"kind":"resu');
      fs.writeFileSync(path.join(dir, '10.jsonl'), '{"v":1,"kind":"paused","pid":10,"t":2,"id":"b"}\n{"v":1,"kind":"paused","pid":10,"t":1,"id":"c"}\n');
      fs.writeFileSync(path.join(dir, '10.slot'), 'x');
      assert.deepEqual(loadEvents(dir).map((e) => e.id), ['c', 'b', 'a']);
      assert.deepEqual(loadEvents(path.join(dir, 'missing')), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('JSON text as wire.py writes it: ASCII escapes, Python number forms, empty containers', () => {
    const value = { s: 'naïve ✓ 😀 "q" \\ \n \u0007 \u007f', n: [0, -3, 2 ** 53, 0.5, 1e-5, 1.5e16, -2.5e-7, 123.456, 1e22], e: {}, l: [], b: [true, false, null] };
    const py = spawnSync(python, ['-c', 'import json,sys\nfrom workerscope_tracer import wire\nsys.stdout.write(wire.dumps_pretty(json.loads(sys.stdin.read())))'], {
      input: JSON.stringify(value),
      env: { ...process.env, PYTHONPATH: pythonDir },
      encoding: 'utf8',
    });
    assert.equal(py.status, 0, py.stderr);
    // Python reads 1e22 and 1.5e16 as floats, which JSON cannot tell from ints: Node writes ints.
    const expected = py.stdout.replace('1e+22', '10000000000000000000000').replace('1.5e+16', '15000000000000000');
    assert.equal(dumpsPretty(value), expected);
    assert.deepEqual(['1e-05', '0.0001', '1.5e-07', '1e+16', '-0.5'].map((text) => pythonNumber(Number(text))), ['1e-05', '0.0001', '1.5e-07', '10000000000000000', '-0.5']);
  });
});
