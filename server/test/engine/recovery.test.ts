/**
 * Programs the parser had to repair (found by the fuzz suite): analysis ends, and quickly. Each
 * case runs in a child process with a deadline, so an endless loop fails the test instead of hanging it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const ENGINE = path.resolve(__dirname, '..', '..', 'src', 'analysis');

function analyseInChild(source: string, timeoutMs = 20_000): { status: number | null; out: string; err: string } {
  const script = `require(${JSON.stringify(ENGINE)}).analyzePythonSource(${JSON.stringify(source)}, { file: 'a.py' }).then((f) => console.log(JSON.stringify(f.map((x) => x.rule))))`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, WORKERSCOPE_DEBUG: '1' } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('a MISSING identifier (zero width, from error recovery) binds no name and is never searched for', () => {
  // `for in ...` makes tree-sitter insert a zero-width identifier as the loop target; an empty name
  // used to send the text search for its uses round forever.
  const source = 'import multiprocessing as mp\nfor in range(3):\n    pass\n\ndef work(x):\n    return x\n\nif __name__ == "__main__":\n    with mp.Pool() as p:\n        p.map(work, [1])\n';
  const r = analyseInChild(source);
  assert.equal(r.status, 0, `analysis did not end cleanly: ${r.err}`);
  assert.deepEqual(JSON.parse(r.out), []);
});
