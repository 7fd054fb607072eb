/**
 * The program's stdout and stderr reach the Debug Console as the text it wrote: a UTF-8 character
 * split across two writes (two pipe chunks) arrives whole, not as two U+FFFD.
 */
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PYTHON, withSession } from './support/dapSession';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-output-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Each write ends inside a character and is flushed; the pause lets it reach the adapter alone.
const SPLIT_WRITES = `
import sys, time
pieces = [b"caf\\xc3", b"\\xa9 \\xe2\\x82", b"\\xac \\xf0\\x9f", b"\\x98\\x80\\n"]
for stream in (sys.stdout.buffer, sys.stderr.buffer):
    for piece in pieces:
        stream.write(piece)
        stream.flush()
        time.sleep(0.15)
`;

test('characters split across output chunks arrive whole on stdout and stderr', () => withSession(async (s) => {
  const file = path.join(tmp, 'split_utf8.py');
  fs.writeFileSync(file, SPLIT_WRITES);
  await s.launch({ program: file, python: PYTHON });
  const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited');
  assert.equal(exited.body.exitCode, 0);
  for (const category of ['stdout', 'stderr']) {
    const text = s.output(category);
    assert.equal(text.includes('\ufffd'), false, `no replacement character on ${category}: ${JSON.stringify(text)}`);
    assert.equal(text, 'café € 😀\n', category);
  }
}));
