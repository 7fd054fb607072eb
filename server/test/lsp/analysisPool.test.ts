/**
 * The analysis worker pool on its own: findings from the worker, cancellation of a superseded
 * version, the time budget (the worker is restarted and goes on serving), and a worker that cannot
 * start (reported, not restarted forever).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { makeSource } from '../../../scripts/bench/lspLatency';
import { AnalysisPool, type AnalysisPoolOptions } from '../../src/lsp/analysisPool';

const ENTRY = path.resolve(__dirname, '..', '..', 'src', 'lsp', 'main.js');
const SMALL = 'import multiprocessing as mp\nmp.Pool(2).map(lambda x: x, [1])\n';
const pools: AnalysisPool[] = [];
after(() => pools.forEach((p) => p.dispose()));

function pool(options: Partial<AnalysisPoolOptions> = {}): AnalysisPool {
  const p = new AnalysisPool({ entry: ENTRY, supersededGraceMs: 10_000, budgetMs: 120_000, recycleChars: 10_000_000, log: () => undefined, ...options });
  pools.push(p);
  return p;
}

const request = (key: string, version: number, text: string) => ({ key, version, text, file: key, severities: undefined, keepTree: true });

test('the worker returns the findings of the version asked for', async () => {
  const p = pool();
  p.supersede('a.py', 1);
  const outcome = await p.analyse(request('a.py', 1, SMALL));
  assert.equal(outcome.kind, 'findings');
  assert.ok(outcome.kind === 'findings' && outcome.findings.some((f) => f.rule === 'unguarded-entry-point'));
});

test('a superseded version is cancelled, and the newest one analysed', async () => {
  const p = pool();
  const big = makeSource(30_000);
  p.supersede('b.py', 1);
  const first = p.analyse(request('b.py', 1, big));
  p.supersede('b.py', 2);
  const second = p.analyse(request('b.py', 2, SMALL));
  assert.equal((await first).kind, 'cancelled');
  assert.equal((await second).kind, 'findings');
});

test('an analysis past the time budget is stopped and the worker serves the next one', async () => {
  const p = pool({ budgetMs: 1500 }); // The large file needs several seconds; the small one far less.
  p.supersede('c.py', 1);
  assert.equal((await p.analyse(request('c.py', 1, makeSource(100_000)))).kind, 'timeout');
  p.supersede('d.py', 1);
  assert.equal((await p.analyse(request('d.py', 1, SMALL))).kind, 'findings');
});

test('a worker that cannot start is given up on, and analyses fail with a reason', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-pool-'));
  const broken = path.join(dir, 'broken.js');
  fs.writeFileSync(broken, 'throw new Error("cannot start");\n');
  const logs: string[] = [];
  const p = pool({ entry: broken, log: (m) => logs.push(m) });
  const deadline = Date.now() + 30_000;
  let outcome = await p.analyse(request('e.py', 0, SMALL));
  // Each failed start fails what was pending; after the third the pool stops restarting.
  while (!logs.some((l) => /could not start/.test(l)) && Date.now() < deadline) outcome = await p.analyse(request('e.py', 0, SMALL));
  assert.ok(logs.some((l) => /could not start/.test(l)), logs.join('\n'));
  outcome = await p.analyse(request('e.py', 0, SMALL));
  assert.deepEqual(outcome, { kind: 'failed', error: 'the analysis worker could not start (exit code 1)' });
  fs.rmSync(dir, { recursive: true, force: true });
});
