/**
 * Races `detectRaces` finds reach the editor as `workerscope/race` events (the Worker Failures
 * view lists them): live when first seen, and from a saved report when it is opened; a report
 * session's stops name every process as stopped (none of them runs). Needs the session to do so
 * (debug-adapter/src/session.ts: the model's `race` event, launchReport and sendStopped).
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { RaceEventBody } from '../../protocol/src/customEvents';
import { PYTHON, program, withSession } from './support/dapSession';

describe('race events (built dist/debugAdapter.js)', { timeout: 120_000 }, () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-race-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a live run with detectRaces sends the unlocked counter once, with its line', () => withSession(async (s) => {
    const prog = program('unlocked_counter.py');
    await s.launch({ program: prog, python: PYTHON, detectRaces: true });
    const event = await s.waitFor('workerscope/race');
    await s.waitFor('terminated');
    const body = event.body as RaceEventBody;
    assert.equal(body.postMortem, false);
    assert.equal(body.race.file, prog);
    assert.equal(body.race.line, 9, 'counter.value += 1');
    assert.equal(s.events.filter((e) => e.event === 'workerscope/race').length, 1, 'one race, sent once');
  }));

  test('a report session sends the races of the report', () => withSession(async (s) => {
    const file = path.join(tmp, 'races.json');
    const race = { file: '/ws/counter.py', line: 7, kind: 'unlocked-read-modify-write', object: 'counter', count: 12, pids: [10, 11] };
    fs.writeFileSync(file, JSON.stringify({ version: 1, program: '/ws/counter.py', argv: [], exitCode: 0, processes: [], failures: [], races: [race], inFlight: [] }));
    await s.launch({ report: file });
    const event = await s.waitFor('workerscope/race');
    assert.deepEqual(event.body as RaceEventBody, { race, postMortem: true });
    await s.waitFor('terminated');
  }));

  test('a report session stops with every process stopped: VS Code shows none of them as running', () => withSession(async (s) => {
    const file = path.join(tmp, 'stops.json');
    fs.writeFileSync(file, JSON.stringify({
      version: 1, program: '/ws/p.py', argv: [], exitCode: 1,
      processes: [{ pid: 10, ppid: 1, role: 'main', name: 'MainProcess', exitCode: 1 }, { pid: 11, ppid: 10, role: 'pool-worker', name: 'ForkPoolWorker-1', exitCode: 0 }],
      failures: [{ kind: 'exception', pid: 11, thread: 'MainThread', worker: 'ForkPoolWorker-1', exception: { type: 'ValueError', message: 'bad' }, frames: [] }],
      races: [], inFlight: [],
    }));
    await s.launch({ report: file });
    const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
    assert.equal(stopped.body.allThreadsStopped, true);
    await s.dc.continueRequest({ threadId: stopped.body.threadId! });
    await s.waitFor('terminated');
  }));
});
