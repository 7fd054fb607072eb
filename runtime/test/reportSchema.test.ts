/**
 * The published report schema (docs/trace-report.schema.json) and the loader that reopens
 * reports (report.ts) agree on what a report is: each accepts what the other accepts, on valid
 * reports and on reports broken one field at a time.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseReport } from '../src/report';
import { schemaErrors } from './support/jsonSchema';

const SCHEMA = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'trace-report.schema.json'), 'utf8')) as Record<string, unknown>;

const VALID = {
  version: 1, program: '/w/p.py', argv: ['a'], python: '3.12.1', startMethod: 'spawn', exitCode: 124,
  processes: [
    { pid: 10, ppid: 1, role: 'main', name: 'MainProcess', exitCode: -9, signal: 'SIGKILL', outlived: false },
    { pid: 11, ppid: 10, role: 'pool-worker', name: 'SpawnPoolWorker-1', exitCode: null, signal: null, outlived: true },
  ],
  failures: [
    {
      kind: 'exception', pid: 11, thread: 'MainThread', worker: 'SpawnPoolWorker-1',
      task: { function: 'm.f', args: ['7'], kwargs: { k: "'v'" }, index: 7, submittedAt: { file: '/w/p.py', line: 9 } },
      exception: { type: 'ValueError', message: 'bad' }, signal: null, exitCode: null,
      frames: [{ file: '/w/p.py', line: 3, function: 'f', locals: { x: '7' } }, { file: '<frozen>', line: null, function: 'g', locals: {} }],
    },
    { kind: 'stall', pid: 11, thread: 'MainThread', worker: null, task: null, exception: null, signal: null, exitCode: null, frames: [], runningFor: 31.5 },
    { kind: 'hang', pid: 10, thread: 'MainThread', worker: 'Process-1', task: null, exception: null, signal: 'SIGKILL', exitCode: null, frames: [], reason: 'join-before-drain', items: 2, afterMainEnded: true },
  ],
  races: [{ file: '/w/p.py', line: 7, kind: 'unlocked-read-modify-write', object: 'counter', count: 400, pids: [11, 12] }],
  inFlight: [{ pid: 11, worker: 'SpawnPoolWorker-1', task: null, runningFor: 2.5, frames: [{ file: '/w/p.py', line: 3, function: 'f' }] }],
};

// Test data is edited freely by path: a loose type keeps each breaking step on one line.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

/** One field broken at a time: both must refuse each. */
const BROKEN: [string, (r: Loose) => void][] = [
  ['a version other than 1', (r) => { r.version = 2; }],
  ['no program', (r) => { delete r.program; }],
  ['a failure of an unknown kind', (r) => { r.failures[0].kind = 'crash'; }],
  ['a pid that is text', (r) => { r.failures[0].pid = '11'; }],
  ['an argument that is not a repr string', (r) => { r.failures[0].task.args = [7]; }],
  ['a local that is not a repr string', (r) => { r.failures[0].frames[0].locals.x = 7; }],
  ['a frame without its file', (r) => { delete r.failures[0].frames[0].file; }],
  ['an exception without its type', (r) => { delete r.failures[0].exception.type; }],
  ['a negative running time', (r) => { r.failures[1].runningFor = -1; }],
  ['a process of an unknown role', (r) => { r.processes[1].role = 'daemon'; }],
  ['a race count that is fractional', (r) => { r.races[0].count = 1.5; }],
  ['an in-flight task without its pid', (r) => { delete r.inFlight[0].pid; }],
  ['a submission site without a line', (r) => { delete r.failures[0].task.submittedAt.line; }],
];

test('a complete report meets the schema and the loader reads it', () => {
  assert.deepEqual(schemaErrors(VALID, SCHEMA), []);
  assert.doesNotThrow(() => parseReport(structuredClone(VALID)));
});

for (const [what, breakIt] of BROKEN) {
  test(`both refuse ${what}`, () => {
    const report = structuredClone(VALID) as Loose;
    breakIt(report);
    assert.notDeepEqual(schemaErrors(report, SCHEMA), [], 'the schema accepted it');
    assert.throws(() => parseReport(report), /./, 'the loader accepted it');
  });
}
