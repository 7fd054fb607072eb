/**
 * Keeps runtime/src/wire.ts in step with debug-adapter/python/workerscope_tracer/wire.py:
 * the constants are compared with what Python imports, the fields of each kind with wire.py's
 * documented fields, and lines encoded by wire.py are decoded by wire.ts (and the other way round).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as wire from '../src/wire';

const root = path.resolve(__dirname, '..', '..', '..');
const pythonDir = path.join(root, 'debug-adapter', 'python');
const wirePy = path.join(pythonDir, 'workerscope_tracer', 'wire.py');

function python(code: string, stdin = ''): string {
  const result = spawnSync(process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3', ['-c', code], {
    input: stdin,
    env: { ...process.env, PYTHONPATH: pythonDir },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `python failed: ${result.stderr}`);
  return result.stdout;
}

const SAMPLE = {
  v: 1,
  kind: 'task-exception',
  pid: 4711,
  t: 1700000000.25,
  id: '4711-1',
  key: '4700:pool:0',
  chunk: 1,
  pos: 2,
  thread: 'MainThread',
  worker: 'ForkPoolWorker-2',
  role: 'pool-worker',
  task: { function: '__main__.work', args: ["'naïve ✓'"], kwargs: { flag: 'True' } },
  exception: { type: 'ValueError', message: 'bad item 7 — “quoted” \\ and \n newline' },
  frames: [{ file: '/abs/x.py', line: 12, function: 'work', locals: { x: '7', s: "'日本語'" } }],
  paused: true,
};

test('constants match wire.py', () => {
  const out = python(`
import json
from workerscope_tracer import wire
names = [n for n in dir(wire) if n.isupper() and n != "TYPE_CHECKING"]
print(json.dumps({n: getattr(wire, n) for n in names
                  if isinstance(getattr(wire, n), (int, str, tuple)) and not isinstance(getattr(wire, n), bool)}))
`);
  const py = JSON.parse(out) as Record<string, unknown>;
  const ts = wire as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(py)) {
    assert.ok(name in ts, `wire.ts lacks ${name} (wire.py has ${JSON.stringify(value)})`);
    assert.deepEqual(ts[name], value, `${name} differs`);
  }
  for (const name of Object.keys(ts).filter((n) => /^[A-Z][A-Z0-9_]*$/.test(n) && n !== 'EVENT_FIELDS')) {
    assert.ok(name in py, `wire.py lacks ${name} (wire.ts has it)`);
  }
});

test('every event kind has its fields declared, as wire.py documents them', () => {
  assert.deepEqual(Object.keys(wire.EVENT_FIELDS).sort(), [...wire.EVENT_KINDS].sort());
  const source = fs.readFileSync(wirePy, 'utf8');
  const pyFields = python(`
import json
from workerscope_tracer import wire
print(json.dumps(getattr(wire, "EVENT_FIELDS", None)))
`);
  const declared = JSON.parse(pyFields) as Record<string, string[]> | null;
  if (declared) {
    // wire.py declares the fields as data: compare exactly.
    for (const kind of wire.EVENT_KINDS) assert.deepEqual([...wire.EVENT_FIELDS[kind]].sort(), [...(declared[kind] ?? [])].sort(), `fields of ${kind}`);
    return;
  }
  // Otherwise each kind's comment block above its constant must name every field wire.ts declares.
  const blocks = commentBlocks(source);
  for (const kind of wire.EVENT_KINDS) {
    const block = blocks.get(kind);
    assert.ok(block !== undefined, `wire.py documents no fields for ${kind}`);
    for (const field of wire.EVENT_FIELDS[kind]) {
      assert.match(block, new RegExp(`(^|[^\\w])${field}([^\\w]|$)`), `wire.py's comment for ${kind} does not mention "${field}"`);
    }
  }
});

test('a line encoded by wire.py decodes in wire.ts to the same event', () => {
  const line = python(`
import json, sys
from workerscope_tracer import wire
sys.stdout.write(wire.encode(json.loads(sys.stdin.read())).decode("ascii"))
`, JSON.stringify(SAMPLE));
  assert.ok(/^[\x20-\x7e]*\n$/.test(line), 'wire.py encodes ASCII only, one line');
  assert.equal(line, wire.encode(SAMPLE), 'wire.ts encodes byte for byte like wire.py');
  assert.deepEqual(wire.decodeLines(line), [SAMPLE]);
});

test('decoding skips torn, junk and other-version lines on both sides alike', () => {
  const data = [
    wire.encode(SAMPLE).trimEnd(),
    'not json',
    JSON.stringify({ ...SAMPLE, v: 2 }),
    '[1, 2]',
    '',
    JSON.stringify({ v: 1, kind: 'paused', pid: 1, t: 0, id: '1-1' }),
    '{"v": 1, "kind": "resumed", "pid": 1', // torn last line
  ].join('\n');
  const py = JSON.parse(python(`
import json, sys
from workerscope_tracer import wire
print(json.dumps(wire.decode_lines(sys.stdin.buffer.read())))
`, data)) as unknown;
  assert.deepEqual(wire.decodeLines(data), py);
  assert.equal(wire.decodeLines(data).length, 2);
});

/** kind value -> the comment lines directly above its constant (or above the previous one). */
function commentBlocks(source: string): Map<string, string> {
  const blocks = new Map<string, string>();
  let comment: string[] = [];
  let last = '';
  for (const line of source.split('\n')) {
    if (line.startsWith('#')) {
      comment.push(line);
      continue;
    }
    const m = /^[A-Z_]+ = "([a-z-]+)"/.exec(line);
    if (m) {
      const block = comment.length > 0 ? comment.join('\n') : last;
      blocks.set(m[1], block);
      last = block;
    }
    comment = [];
  }
  return blocks;
}
