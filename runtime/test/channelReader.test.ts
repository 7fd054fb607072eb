/** The channel tail (runtime/channelReader.ts): records are decoded from whole lines of bytes. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ChannelReader, type ChannelRecord } from '../src/channelReader';

test('a read that ends inside a multi-byte character, or inside a line, loses nothing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-channel-'));
  try {
    const file = path.join(dir, '42.jsonl');
    const records: ChannelRecord[] = [];
    const reader = new ChannelReader(dir, (r) => records.push(r));
    const line = Buffer.from(`${JSON.stringify({ kind: 'stdout-note', pid: 42, text: 'café € 😀' })}\n${JSON.stringify({ kind: 'next', pid: 42 })}\n`);
    // Cut inside the 4-byte emoji, then inside the second line, then the rest: one drain each.
    const emoji = line.indexOf(Buffer.from('😀')) + 2;
    for (const [from, to] of [[0, emoji], [emoji, line.length - 5], [line.length - 5, line.length]]) {
      fs.appendFileSync(file, line.subarray(from, to));
      reader.drain();
    }
    assert.deepEqual(records.map((r) => r.kind), ['stdout-note', 'next']);
    assert.equal(records[0].text, 'café € 😀');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a write after a quiet spell is read at once; a burst costs one drain per coalescing window', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-channel-'));
  // Polling far off and a long window: what is read early can only be the watcher's leading drain.
  const coalesceMs = 1500;
  const records: { kind: string; at: number }[] = [];
  const reader = new ChannelReader(dir, (r) => records.push({ kind: r.kind, at: performance.now() }), 60_000, coalesceMs);
  let drains = 0;
  let lastDrainAt = -Infinity;
  const drain = reader.drain.bind(reader);
  reader.drain = () => {
    drains++;
    lastDrainAt = performance.now();
    drain();
  };
  const until = async (what: string, probe: () => boolean): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  try {
    const file = path.join(dir, '7.jsonl');
    fs.writeFileSync(file, '');
    reader.start();
    await new Promise((resolve) => setTimeout(resolve, 100)); // the watch is set up; its creation event drained
    await until('a quiet spell', () => performance.now() > lastDrainAt + coalesceMs);
    const written = performance.now();
    fs.appendFileSync(file, `${JSON.stringify({ kind: 'answer', pid: 7 })}\n`);
    await until('the answer', () => records.length === 1);
    assert.ok(records[0].at - written < coalesceMs, `read at once, not after the ${coalesceMs} ms window`);
    const before = drains;
    for (let i = 0; i < 200; i++) fs.appendFileSync(file, `${JSON.stringify({ kind: 'burst', pid: 7, i })}\n`);
    await until('the burst', () => records.length === 201);
    assert.ok(drains - before <= 2, `${drains - before} drains for a burst of 200 writes`);
    // Within the window of the answer's drain: read when the window ends, not before.
    assert.ok(records[200].at - records[0].at >= coalesceMs - 5, 'the burst waited for the window');
  } finally {
    reader.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
