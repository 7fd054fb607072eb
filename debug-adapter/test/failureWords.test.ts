/**
 * What VS Code shows of a failure, against the built adapter on real runs: the exception widget
 * (title `exceptionId`, then `description`, then `details.stackTrace`) says each fact once, with
 * source lines; a report session names how every process ended; a pool hang is on the same
 * process live and post-mortem.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { FailureEventBody } from '../../protocol/src/customEvents';
import { PYTHON, ROOT, program, withSession } from './support/dapSession';

const TRACER_ENV = { ...process.env, PYTHONPATH: path.join(ROOT, 'dist', 'python') };

function occurrences(text: string, fact: string): number {
  return text.split(fact).length - 1;
}

/** The widget's text as VS Code composes it (exceptionWidget: title, description, stack trace). */
function widgetText(info: DebugProtocol.ExceptionInfoResponse['body']): string {
  return [`Exception has occurred: ${info.exceptionId}`, info.description, info.details?.stackTrace].filter(Boolean).join('\n');
}

function failureBodies(events: DebugProtocol.Event[]): FailureEventBody[] {
  return events.filter((e) => e.event === 'workerscope/failure').map((e) => e.body as FailureEventBody);
}

describe('failure words (built dist/debugAdapter.js)', { timeout: 180_000 }, () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-words-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the exception widget shows the message, the task and the worker once each, with the source line of each frame', () => withSession(async (s) => {
    const prog = program('pool_map_raises.py');
    await s.launch({ program: prog, args: ['fork'], python: PYTHON });
    const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
    const info = (await s.dc.exceptionInfoRequest({ threadId: stopped.body.threadId! })).body;
    const thread = (await s.dc.threadsRequest()).body.threads.find((t) => t.id === stopped.body.threadId);
    const worker = /^(\S+) \(pid (\d+)\)$/.exec(thread?.name ?? '');
    assert.ok(worker, `a worker thread: ${thread?.name}`);
    const widget = widgetText(info);
    assert.equal(info.exceptionId, 'ValueError');
    assert.equal(info.description, 'bad record 7');
    assert.equal(occurrences(widget, 'bad record 7'), 1, widget);
    assert.equal(occurrences(widget, '__main__.parse_record(7) [item 7]'), 1, widget);
    assert.equal(occurrences(widget, worker[1]), 1, widget);
    assert.equal(occurrences(widget, `pid ${worker[2]}`), 1, widget);
    const line10 = fs.readFileSync(prog, 'utf8').split('\n')[9].trim();
    assert.match(info.details?.stackTrace ?? '', new RegExp(`  File "${prog.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}", line 10, in parse_record\\n    ${line10.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`));
    await s.dc.continueRequest({ threadId: stopped.body.threadId! });
    await s.waitFor('terminated');
  }));

  test('a pool hang is on the lost worker live and in the report of the same program; the report session names how each process ended', async () => {
    const prog = program('pool_worker_sigkill.py');
    let liveHang: FailureEventBody | undefined;
    let liveKilled: FailureEventBody | undefined;
    await withSession(async (s) => {
      await s.launch({ program: prog, python: PYTHON, hangTimeout: 2, stopOnWorkerFailure: false });
      await s.waitFor('terminated');
      const bodies = failureBodies(s.events);
      liveHang = bodies.find((b) => b.failure.kind === 'hang');
      liveKilled = bodies.find((b) => b.failure.kind === 'killed');
    });
    assert.ok(liveHang && liveKilled, 'the live run saw the kill and the hang');
    assert.equal(liveHang.threadName, liveKilled.threadName, 'live: the hang is on the worker that was lost');

    const report = path.join(tmp, 'hang.json');
    const run = spawnSync(PYTHON, ['-m', 'workerscope_tracer', '--no-summary', '--hang-timeout', '2', '--report', report, '--', prog], { env: TRACER_ENV, encoding: 'utf8', timeout: 60_000 });
    assert.ok(fs.existsSync(report), `report written: ${run.stderr}`);
    await withSession(async (s) => {
      await s.launch({ report });
      await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
      const bodies = failureBodies(s.events);
      const hang = bodies.find((b) => b.failure.kind === 'hang');
      const killed = bodies.find((b) => b.failure.kind === 'killed');
      assert.ok(hang && killed, 'the report has the kill and the hang');
      assert.equal(hang.threadName, killed.threadName, 'post-mortem: the hang is on the worker that was lost, as live');
      assert.match(hang.threadName, /^ForkPoolWorker-\d+ \(pid \d+\)$/);
      const threads = (await s.dc.threadsRequest()).body.threads.map((t) => t.name);
      assert.ok(threads.length >= 3, `main and the workers: ${JSON.stringify(threads)}`);
      for (const name of threads) assert.match(name, / — (exited -?\d+|killed by SIG[A-Z]+|ended)$/, `how ${name} ended`);
      assert.ok(threads.some((name) => name.startsWith(`${killed.threadName} — killed by SIGKILL`)), JSON.stringify(threads));
    });
  });
});
