/**
 * A paused worker is not blocked by control files that are no request: with a truncated JSON
 * file, a FIFO, bytes that are not UTF-8 and a directory queued before the adapter's requests in
 * ctl/<pid>/, evaluate and continue from the Debug Console still work.
 */
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PYTHON, stackOf, withSession } from './support/dapSession';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-ctl-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The failing thread drops hostile files where its own requests will arrive, then fails.
const HOSTILE = `
import os, threading

def poll_sensor(sensor_id):
    ctl = os.path.join(os.environ["WORKERSCOPE_CHANNEL"], "ctl", str(os.getpid()))
    os.makedirs(ctl, exist_ok=True)
    with open(os.path.join(ctl, "0.json"), "wb") as f:
        f.write(b'{"cmd": "continue"')
    with open(os.path.join(ctl, "00.json"), "wb") as f:
        f.write(b"\\xff\\xfe")
    os.mkfifo(os.path.join(ctl, "000.json"))
    os.mkdir(os.path.join(ctl, "0000.json"))
    reading = None
    return reading + sensor_id

t = threading.Thread(target=poll_sensor, args=(4,), name="sensor-4")
t.start()
t.join()
print("main done")
`;

test('malformed control files do not block evaluate or continue in a paused worker', () => withSession(async (s) => {
  const file = path.join(tmp, 'hostile_ctl.py');
  fs.writeFileSync(file, HOSTILE);
  await s.launch({ program: file, python: PYTHON });
  const stopped = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
  const [frame] = await stackOf(s, stopped.body.threadId!);
  assert.equal(frame.name, 'poll_sensor');
  const evaluated = await s.dc.evaluateRequest({ expression: 'sensor_id * 10', frameId: frame.id, context: 'repl' });
  assert.equal(evaluated.body.result, '40');
  await s.dc.continueRequest({ threadId: stopped.body.threadId! });
  // Within 20 s: continued by the request, not by the tracer's 300 s safety timeout.
  const exited = await s.waitFor<DebugProtocol.ExitedEvent>('exited', () => true, 20_000);
  assert.equal(exited.body.exitCode, 0);
  assert.match(s.output('stdout'), /main done/);
}));
