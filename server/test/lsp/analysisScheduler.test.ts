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

  scheduler.schedule('a');
  await done.promise;
  assert.deepEqual(runs, ['a']);

  // Three edits in a burst: one trailing run.
  done = deferred();
  await new Promise((r) => setTimeout(r, 50)); // quiet again
  scheduler.schedule('a');
  scheduler.schedule('a');
  scheduler.schedule('a');
  await done.promise;
  assert.deepEqual(runs, ['a', 'a']);
  scheduler.dispose();
});

test('cancel drops a pending analysis', async () => {
  let ran = false;
  const scheduler = new AnalysisScheduler(1000, async () => {
    ran = true;
  }, () => undefined, () => 0);
  scheduler.schedule('b');
  scheduler.schedule('b'); // the same instant: a burst, so it waits 1 s
  scheduler.cancel('b');
  await new Promise((r) => setImmediate(r));
  assert.equal(ran, false);
  scheduler.dispose();
});
