/**
 * The launch attribute `timeline` in the BUILT debug adapter (run `node esbuild.mjs` first): while
 * the program runs, `workerscope/timeline` events bring the tasks that finished, each lane named
 * before its first event; after it ends, a final one names the file written (Trace Event JSON, 0600).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { TIMELINE_EVENT, type TaskEvent, type TimelineEventBody, type TimelineFile } from '../../protocol/src/timeline';
import { assertValidTimelineFile } from '../../runtime/test/support/traceEvents';
import { PROGRAMS, PYTHON, program, withSession } from './support/dapSession';

test('timeline: live batches while the pool runs, then the final event with the file', { timeout: 120_000 }, () => withSession(async (s) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-timeline-dap-')), 'run.json');
  const script = program('timeline_live.py');
  await s.launch({ program: script, args: ['fork'], cwd: PROGRAMS, python: PYTHON, timeline: file });
  const bodies = (): TimelineEventBody[] => s.events.filter((e) => e.event === TIMELINE_EVENT).map((e) => e.body as TimelineEventBody);
  // A batch with a finished task, before the program has ended.
  await s.waitFor(TIMELINE_EVENT, (e: DebugProtocol.Event) => (e.body as TimelineEventBody).events.some((ev) => ev.ph === 'X' && ev.cat === 'task'));
  assert.ok(!s.events.some((e) => e.event === 'exited'), 'the first bars came only after the program ended');
  const final = await s.waitFor(TIMELINE_EVENT, (e: DebugProtocol.Event) => (e.body as TimelineEventBody).final === true);
  await s.waitFor('terminated');
  const finalIndex = s.events.indexOf(final);
  assert.ok(finalIndex < s.events.findIndex((e) => e.event === 'terminated'), 'the final batch comes before the session ends');
  assert.equal((final.body as TimelineEventBody).file, file);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const written = JSON.parse(fs.readFileSync(file, 'utf8')) as TimelineFile;
  assertValidTimelineFile(written, script);
  assert.equal(written.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'task').length, 40);

  // The stream: every lane named before an event uses it, and each task sent once.
  const named = new Set<string>();
  const sent: TaskEvent[] = [];
  for (const body of bodies()) {
    for (const event of body.events) {
      if (event.ph === 'M') {
        named.add(event.tid === undefined ? `${event.pid}` : `${event.pid}:${event.tid}`);
        continue;
      }
      assert.ok(named.has(`${event.pid}`) && named.has(`${event.pid}:${event.tid}`), `lane of ${JSON.stringify(event)} not named first`);
      if (event.ph === 'X' && event.cat === 'task') sent.push(event);
    }
  }
  assert.deepEqual(sent.map((t) => t.args.index).sort((a, b) => (a ?? 0) - (b ?? 0)), [...Array(40).keys()]);
}));

test('no timeline attribute: no timeline events', { timeout: 60_000 }, () => withSession(async (s) => {
  await s.launch({ program: program('clean_exit.py'), cwd: PROGRAMS, python: PYTHON });
  await s.waitFor('terminated');
  assert.equal(s.events.filter((e) => e.event === TIMELINE_EVENT).length, 0);
}));
