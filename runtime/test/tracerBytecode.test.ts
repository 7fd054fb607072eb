/**
 * Under PYTHONDONTWRITEBYTECODE nothing caches the tracer's bytecode, and every traced process
 * would compile it from source: after such a run the runtime has it compiled once, in the
 * background, for the interpreter the program named. Runs on a copy of the tracer.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bytecodeIsCurrent, compileTracerIfStale } from '../src/tracerBytecode';

const root = path.resolve(__dirname, '..', '..', '..');
const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';

async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('stale or missing tracer bytecode is compiled in the background, once', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-bytecode-'));
  try {
    const tracerDir = path.join(tmp, 'python');
    fs.cpSync(path.join(root, 'debug-adapter', 'python'), tracerDir, { recursive: true, filter: (src) => !src.includes('__pycache__') && !src.endsWith(`${path.sep}tests`) });
    const tag = spawnSync(PYTHON, ['-c', 'import sys; print(sys.implementation.cache_tag)'], { encoding: 'utf8' }).stdout.trim();
    // Both halves: the hooks every traced process imports and the supervisor's tools/.
    const sources = [
      ...['workerscope_tracer', path.join('workerscope_tracer', 'tools')].flatMap((dir) =>
        fs.readdirSync(path.join(tracerDir, dir)).filter((n) => n.endsWith('.py')).map((n) => path.join(tracerDir, dir, n)),
      ),
      path.join(tracerDir, 'bootstrap', 'sitecustomize.py'),
    ];
    assert.ok(sources.every((source) => !bytecodeIsCurrent(source, tag)), 'a fresh copy has no bytecode');

    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    const writing = { ...env };
    delete writing.PYTHONDONTWRITEBYTECODE;
    assert.equal(compileTracerIfStale(PYTHON, tracerDir, tag, tmp, writing), false, 'the interpreter caches it itself');
    assert.equal(compileTracerIfStale(PYTHON, tracerDir, tag, tmp, { ...env, PYTHONPYCACHEPREFIX: tmp }), false, 'a cache prefix keeps it elsewhere');
    assert.equal(compileTracerIfStale(PYTHON, tracerDir, tag, tmp, env), true, 'a compile was started');
    assert.equal(compileTracerIfStale(PYTHON, tracerDir, tag, tmp, env), false, 'and only one');
    await until('every module to have current bytecode', () => sources.every((source) => bytecodeIsCurrent(source, tag)));

    // An edited source makes its bytecode stale again.
    const edited = path.join(tracerDir, 'workerscope_tracer', 'wire.py');
    fs.appendFileSync(edited, '\n# edited\n');
    fs.utimesSync(edited, new Date(), new Date(Date.now() + 5000));
    assert.equal(bytecodeIsCurrent(edited, tag), false);
    assert.equal(bytecodeIsCurrent(path.join(tracerDir, 'workerscope_tracer', 'tools', 'report.py'), 'cpython-0'), false, 'another interpreter has none');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
