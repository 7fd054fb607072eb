/**
 * The bounded fuzz run of `npm test`: every target in scripts/fuzz/ for about a minute in all, with
 * a fixed seed so that a failure here replays with `npm run fuzz -- --seed 20261207 --minutes 1`.
 * Needs dist/ built (npm test builds it first).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAll, targetNames } from '../fuzz/lib/runAll';

const SEED = 20261207;
const BUDGET_MS = 60_000;

test('fuzz targets find nothing in a bounded run with a fixed seed', { timeout: BUDGET_MS * 6 }, async () => {
  assert.ok(targetNames().includes('lsp') && targetNames().includes('checkPaths'), `fuzz targets found: ${targetNames().join(', ')}`);
  const log: string[] = [];
  const results = await runAll({ seed: SEED, budgetMs: BUDGET_MS, log: (s) => log.push(s) });
  for (const r of results) assert.ok(r.iterations > 0, `${r.name} ran no iteration:\n${log.join('\n')}`);
  const failures = results.flatMap((r) => r.failures.map((f) => `[${r.name}] ${f}`));
  assert.deepEqual(failures, [], `replay with: npm run fuzz -- --seed ${SEED} --minutes 1\n${log.join('\n')}`);
});
