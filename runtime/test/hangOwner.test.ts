/**
 * A pool hang is one failure whether it is seen live or read back from the report of the same run:
 * both views put it on the worker whose loss hung the pool (as the summary names it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ChannelRecord } from '../src/channelReader';
import { parseReport } from '../src/report';
import { TraceModel } from '../src/traceModel';

const FILE = '/abs/pool.py';

function rec(kind: string, pid: number, t: number, fields: Record<string, unknown> = {}): ChannelRecord {
  return { v: 1, kind, pid, t, ...fields };
}

// What the tracer writes when a pool worker is SIGKILLed mid-task and the pool's map() hangs:
// the owner (100) loses ForkPoolWorker-1 (101); the supervisor (99) declares the hang.
const task = { function: '__main__.load_shard', args: ['3'], kwargs: {} };
const records = [
  rec('start-method', 100, 1, { method: 'fork' }),
  rec('process-start', 101, 2, { ppid: 100, owner: 100, role: 'pool-worker', name: 'ForkPoolWorker-1' }),
  rec('process-start', 102, 2, { ppid: 100, owner: 100, role: 'pool-worker', name: 'ForkPoolWorker-2' }),
  rec('submit', 100, 3, { key: '100:pool:0', api: 'map', function: '__main__.load_shard', chunksize: 2, indexBase: 0, indexed: true, submittedAt: { file: FILE, line: 18 } }),
  rec('worker-lost', 100, 4, { key: '100:pool:0', chunk: 1, pos: 1, child: 101, worker: 'ForkPoolWorker-1', role: 'pool-worker', exitCode: -9, signal: 'SIGKILL', task, frames: [] }),
  rec('hang', 99, 6, { owner: 100, child: 101, worker: 'ForkPoolWorker-1', key: '100:pool:0', task, timeout: 2, lostAt: 4, signal: 'SIGKILL' }),
];

test('a pool hang is on the same process live and in a report session: the lost worker', () => {
  const live = new TraceModel();
  for (const r of records) live.apply(r);
  const liveHang = live.failures.find((f) => f.kind === 'hang');
  assert.ok(liveHang, 'the live view has the hang');
  const liveOwner = live.thread(liveHang.threadId);

  const report = parseReport(JSON.parse(JSON.stringify(live.report({ program: FILE, argv: [], python: '3.12', exitCode: 124, rootPid: 100, rootPpid: 1, rootExit: -9 }))));
  const reopened = TraceModel.fromReport(report);
  const hang = reopened.failures.find((f) => f.kind === 'hang');
  assert.ok(hang, 'the report has the hang');
  const owner = reopened.thread(hang.threadId);

  assert.deepEqual([owner?.pid, owner?.name, owner?.role], [liveOwner?.pid, liveOwner?.name, liveOwner?.role]);
  assert.deepEqual([owner?.pid, owner?.name], [101, 'ForkPoolWorker-1'], 'the worker whose loss hung the pool, not main');
  // The killed failure and the hang it caused are on the one thread, in both views.
  assert.equal(reopened.failures.find((f) => f.kind === 'killed')?.threadId, hang.threadId);
  assert.equal(live.failures.find((f) => f.kind === 'killed')?.threadId, liveHang.threadId);
});
