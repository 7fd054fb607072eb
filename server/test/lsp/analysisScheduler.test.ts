/** The scheduler runs a quiet document's analysis at once and coalesces bursts of edits. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AnalysisScheduler } from '../../src/lsp/analysisScheduler';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('a quiet document is analysed on the next turn, a burst once at its end', async () => {
  const runs: string[] = [];
  let done = deferred();
  const scheduler = new AnalysisScheduler(40, async (uri) => {
    runs.push(uri);
    done.resolve();
  }, (_uri, error) => assert.fail(String(error)));

  // Timers fire in order of expiry, so a marker timer tells "at once" from "after the burst wait".
  const marker = (): Promise<void> => new Promise((r) => setTimeout(() => { runs.push('marker'); r(); }, 20));
  scheduler.schedule('a');
  let passed = marker();
  await Promise.all([done.promise, passed]);
  assert.deepEqual(runs, ['a', 'marker'], 'a quiet document is analysed before a 20 ms timer fires');

  // Three edits before the analysis could start: one trailing run, after the burst wait.
  runs.length = 0;
  done = deferred();
  scheduler.schedule('a');
  scheduler.schedule('a');
  scheduler.schedule('a');
  passed = marker();
  await Promise.all([done.promise, passed]);
  assert.deepEqual(runs, ['marker', 'a']);
  scheduler.dispose();
});

test('cancel drops a pending analysis', async () => {
  let ran = false;
  const scheduler = new AnalysisScheduler(1000, async () => {
    ran = true;
  }, () => undefined);
  scheduler.schedule('b');
  scheduler.schedule('b'); // the first has not started: a burst, so it waits 1 s
  scheduler.cancel('b');
  await new Promise((r) => setImmediate(r));
  assert.equal(ran, false);
  scheduler.dispose();
});
