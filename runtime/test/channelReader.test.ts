/** The channel tail (runtime/channelReader.ts): records are decoded from whole lines of bytes. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
