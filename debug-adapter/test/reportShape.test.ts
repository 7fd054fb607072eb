/**
 * The report shape check (runtime/report.ts): every field of a version-1 report is checked and a
 * wrong one is named by its path; the built adapter answers a launch on such a report with that
 * message and keeps serving instead of crashing.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseReport } from '../../runtime/src/report';
import { withSession } from './support/dapSession';

const FILE = '/abs/prog.py';

/** A report as the tracer writes it: nulls for what it does not know. */
function valid(): Record<string, unknown> {
  return {
    version: 1, program: FILE, argv: ['--fast'], python: '3.11.7', startMethod: 'fork', exitCode: 1,
    processes: [
      { pid: 100, ppid: 1, role: 'main', name: 'MainProcess', exitCode: 1 },
      { pid: 101, ppid: 100, role: 'pool-worker', name: 'ForkPoolWorker-1', exitCode: null },
      { pid: 102, ppid: null, role: null, name: null, exitCode: -9 },
    ],
    failures: [
      {
        kind: 'exception', pid: 101, thread: 'MainThread', worker: 'ForkPoolWorker-1',
        task: { function: '__main__.work', args: ['3'], kwargs: { flag: 'True' }, index: 3, submittedAt: { file: FILE, line: 16 } },
        exception: { type: 'ValueError', message: 'bad item 3' }, signal: null, exitCode: null,
        frames: [{ file: FILE, line: 9, function: 'work', locals: { x: '3' } }, { file: FILE, line: null, function: 'inner', locals: {} }],
      },
      { kind: 'killed', pid: 102, thread: 'MainThread', worker: null, task: null, exception: null, signal: 'SIGKILL', exitCode: -9, frames: [] },
    ],
    races: [{ file: FILE, line: 7, kind: 'unlocked-read-modify-write', object: 'counter', count: 400, pids: [101, 102] }],
  };
}

/** Sets the value at a dotted path with [i] indexes (`failures[0].task.args`); undefined deletes. */
function withField(report: Record<string, unknown>, at: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(report);
  const keys = at.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

describe('report shape check', () => {
  test('a report as the tracer writes it passes; nulls and unknown fields are left out of the copy', () => {
    const input = valid();
    (input as Record<string, unknown>).extra = { deep: JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) };
    (input.failures as Array<Record<string, unknown>>)[0].future = 'field';
    const report = parseReport(input);
    assert.equal(report.processes.length, 3);
    assert.deepEqual(report.processes[2], { pid: 102, exitCode: -9 });
    assert.deepEqual(report.failures[1], { kind: 'killed', pid: 102, thread: 'MainThread', signal: 'SIGKILL', exitCode: -9, frames: [] });
    assert.equal(Object.hasOwn(report, 'extra'), false);
    assert.equal(Object.hasOwn(report.failures[0], 'future'), false);
    assert.equal(report.failures[0].frames?.[1].line, 0, 'a frame without a line (f_lineno None) keeps line 0');
    assert.doesNotThrow(() => JSON.stringify(report), 'the copy is safe to send in a DAP event');
  });

  test('the end of a run: processes\' signal and outlived, stalls with runningFor, later failures, tasks in flight', () => {
    const input = valid();
    (input.processes as Array<Record<string, unknown>>)[1] = { pid: 101, ppid: 100, role: 'pool-worker', name: 'ForkPoolWorker-1', exitCode: null, signal: 'SIGTERM', outlived: true };
    (input.processes as Array<Record<string, unknown>>)[0] = { ...(input.processes as Array<Record<string, unknown>>)[0], signal: null, outlived: false };
    (input.failures as Array<Record<string, unknown>>)[1] = { kind: 'stall', pid: 101, thread: 'MainThread', worker: 'ForkPoolWorker-1', task: null, exception: null, signal: null, exitCode: null, frames: [{ file: FILE, line: 9, function: 'work', locals: {} }], runningFor: 30.25, afterMainEnded: true };
    input.inFlight = [{ pid: 101, worker: 'ForkPoolWorker-1', task: null, runningFor: 2.5, frames: [{ file: FILE, line: 9, function: 'work', locals: {} }] }, { pid: 102, worker: null, task: null, runningFor: 0, frames: [] }];
    const report = parseReport(input);
    assert.deepEqual(report.processes[1], { pid: 101, ppid: 100, role: 'pool-worker', name: 'ForkPoolWorker-1', signal: 'SIGTERM', outlived: true });
    assert.equal(report.processes[0].outlived, false);
    assert.deepEqual(report.failures[1], { kind: 'stall', pid: 101, thread: 'MainThread', worker: 'ForkPoolWorker-1', frames: [{ file: FILE, line: 9, function: 'work', locals: {} }], runningFor: 30.25, afterMainEnded: true });
    assert.deepEqual(report.inFlight, [{ pid: 101, worker: 'ForkPoolWorker-1', runningFor: 2.5, frames: [{ file: FILE, line: 9, function: 'work', locals: {} }] }, { pid: 102, runningFor: 0, frames: [] }]);
    assert.deepEqual(parseReport(valid()).inFlight, [], 'a report without tasks in flight has none');
  });

  test('locals named like Object.prototype members stay plain entries', () => {
    const report = parseReport(withField(valid(), 'failures[0].frames[0].locals', JSON.parse('{"__proto__": "1", "constructor": "2"}')));
    const locals = report.failures[0].frames?.[0].locals ?? {};
    assert.deepEqual(Object.entries(locals), [['__proto__', '1'], ['constructor', '2']]);
    assert.equal(Object.getPrototypeOf(locals), Object.prototype);
  });

  const wrong: Array<[string, unknown, RegExp]> = [
    ['failures[0].task.args', 5, /: report: failures\[0\]\.task\.args: expected an array of strings, got 5$/],
    ['races[0].pids', 5, /: report: races\[0\]\.pids: expected an array of integers, got 5$/],
    ['races[0].pids', [1, 'x'], /races\[0\]\.pids\[1\]: expected an integer, got "x"$/],
    ['failures[0].task.args', ['1', 2], /failures\[0\]\.task\.args\[1\]: expected a string, got 2$/],
    ['failures[0].task.kwargs', { flag: 1 }, /failures\[0\]\.task\.kwargs\.flag: expected a string, got 1$/],
    ['failures[0].task.kwargs', ['x'], /failures\[0\]\.task\.kwargs: expected an object of strings, got an array of 1$/],
    ['failures[0].task.index', 1.5, /failures\[0\]\.task\.index: expected an integer, got 1\.5$/],
    ['failures[0].task.submittedAt', 'here', /failures\[0\]\.task\.submittedAt: expected an object with "file" and "line", got "here"$/],
    ['failures[0].task.submittedAt.line', -1, /submittedAt\.line: expected a non-negative integer, got -1$/],
    ['failures[0].task', 7, /failures\[0\]\.task: expected an object, got 7$/],
    ['failures[0].frames', {}, /failures\[0\]\.frames: expected an array of frames, got an object$/],
    ['failures[0].frames[0]', null, /failures\[0\]\.frames\[0\]: expected a frame object, got null$/],
    ['failures[0].frames[0].file', undefined, /failures\[0\]\.frames\[0\]\.file: missing \(expected a string\)$/],
    ['failures[0].frames[0].line', '9', /frames\[0\]\.line: expected an integer or null, got "9"$/],
    ['failures[0].frames[0].locals', { x: { y: 1 } }, /frames\[0\]\.locals\.x: expected a string, got an object$/],
    ['failures[0].frames[0].locals', { 'odd key': 3 }, /frames\[0\]\.locals\["odd key"\]: expected a string, got 3$/],
    ['failures[0].exception', 'boom', /failures\[0\]\.exception: expected an object with "type" and "message", got "boom"$/],
    ['failures[0].exception.message', 5, /failures\[0\]\.exception\.message: expected a string, got 5$/],
    ['failures[0].kind', 'bogus', /failures\[0\]\.kind: expected one of "exception", .*"stall", got "bogus"$/],
    ['failures[0].kind', undefined, /failures\[0\]\.kind: missing/],
    ['failures[0].pid', '101', /failures\[0\]\.pid: expected an integer, got "101"$/],
    ['failures[0].exitCode', 1e400, /failures\[0\]\.exitCode: expected an integer, got Infinity$/],
    ['failures[0].signal', 9, /failures\[0\]\.signal: expected a string, got 9$/],
    ['failures[1]', [], /failures\[1\]: expected a failure object, got an array of 0$/],
    ['failures', { 0: {} }, /: report: failures: expected an array of failures, got an object$/],
    ['processes[0].pid', undefined, /processes\[0\]\.pid: missing \(expected an integer\)$/],
    ['processes[0].role', 'boss', /processes\[0\]\.role: expected one of "main", .*, got "boss"$/],
    ['processes[0].exitCode', true, /processes\[0\]\.exitCode: expected an integer, got true$/],
    ['races[0].count', -3, /races\[0\]\.count: expected a non-negative integer, got -3$/],
    ['races[0].file', 42, /races\[0\]\.file: expected a string, got 42$/],
    ['argv', 'x.py', /: report: argv: expected an array of strings, got "x\.py"$/],
    ['argv', [1], /argv\[0\]: expected a string, got 1$/],
    ['program', undefined, /: report: program: missing \(expected a string\)$/],
    ['program', ['a'], /: report: program: expected a string, got an array of 1$/],
    ['python', 3.11, /: report: python: expected a string, got 3\.11$/],
    ['startMethod', 0, /startMethod: expected a string, got 0$/],
    ['runtime', 'ruby', /runtime: expected one of "python", "node", got "ruby"$/],
    ['exitCode', 'x'.repeat(1000), /exitCode: expected an integer, got "x{40}…"$/],
    ['processes[0].outlived', 'yes', /processes\[0\]\.outlived: expected true or false, got "yes"$/],
    ['failures[0].runningFor', -1, /failures\[0\]\.runningFor: expected a non-negative number of seconds, got -1$/],
    ['failures[0].afterMainEnded', 1, /failures\[0\]\.afterMainEnded: expected true or false, got 1$/],
    ['inFlight', {}, /: report: inFlight: expected an array of in-flight tasks, got an object$/],
    ['inFlight', [{ worker: 'W' }], /inFlight\[0\]\.pid: missing \(expected an integer\)$/],
    ['inFlight', [{ pid: 1, frames: [{ line: 1 }] }], /inFlight\[0\]\.frames\[0\]\.file: missing \(expected a string\)$/],
    ['inFlight', [{ pid: 1, task: { args: 'x' } }], /inFlight\[0\]\.task\.args: expected an array of strings, got "x"$/],
  ];
  for (const [at, value, message] of wrong) {
    test(`${at} = ${JSON.stringify(value)?.slice(0, 30) ?? 'missing'} is named in the error`, () => {
      assert.throws(() => parseReport(withField(valid(), at, value)), message);
    });
  }

  test('a version other than 1, or none, is refused with the version named', () => {
    assert.throws(() => parseReport(withField(valid(), 'version', 2)), /report has version 2; this Workerscope reads version 1/);
    assert.throws(() => parseReport(withField(valid(), 'version', undefined)), /report has no "version"/);
    assert.throws(() => parseReport([valid()]), /report is not a JSON object \(got an array of 1\)/);
  });
});

describe('the built adapter on a report with a wrong field', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-report-shape-'));
  const cases: Array<[string, unknown, RegExp]> = [
    ['failures[0].task.args', 5, /could not open the trace report: .*bad-0\.json: failures\[0\]\.task\.args: expected an array of strings, got 5/],
    ['races[0].pids', 5, /could not open the trace report: .*bad-1\.json: races\[0\]\.pids: expected an array of integers, got 5/],
  ];
  cases.forEach(([at, value, message], i) => {
    test(`"${at}": ${JSON.stringify(value)} answers the launch with an error naming the field, and the adapter lives on`, () => withSession(async (s) => {
      const file = path.join(tmp, `bad-${i}.json`);
      fs.writeFileSync(file, JSON.stringify(withField(valid(), at, value)));
      await assert.rejects(s.launch({ report: file }), message);
      const threads = await s.dc.threadsRequest();
      assert.deepEqual(threads.body.threads, [], 'the adapter still answers requests');
    }, 20_000));
  });
  test('cleanup', () => fs.rmSync(tmp, { recursive: true, force: true }));
});
