/**
 * `workerscope check` on JavaScript and TypeScript: every script extension is read, `.d.ts`,
 * node_modules and files the text scan rules out are not, Python findings still come, the
 * output keeps its shape (text, JSON, SARIF), and the bundled CLI loads the JS engine bundle.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCheck } from '../../src/cli/check';
import { repoRoot } from '../rules/harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-js-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const POST = "import { Worker } from 'node:worker_threads';\nconst w = new Worker('./w.js');\nw.postMessage({ cb: () => 1 });\n";
const SPAWN = "import { Worker } from 'node:worker_threads';\nnew Worker(new URL(import.meta.url));\n";

function write(rel: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

write('src/post.ts', POST);
write('src/post.cts', POST);
write('src/view.tsx', `${POST}export const V = () => <div />;\n`);
write('src/spawn.mjs', SPAWN);
write('src/types.d.ts', "import type { Worker } from 'node:worker_threads';\nexport declare function post(w: Worker): void;\n");
write('src/plain.js', 'const f = () => 1;\nmodule.exports = { f };\n');
write('src/broken.js', "const { Worker } = require('worker_threads');\nnew Worker(__filename, {{{\n");
write('src/latin.js', Buffer.from("require('worker_threads'); // caf\xe9\n", 'latin1'));
write('node_modules/pkg/index.js', "const { Worker } = require('worker_threads');\nnew Worker(__filename);\n");
write('app.py', 'import multiprocessing as mp\n\ndef f(x):\n    return x\n\nmp.Pool(2).map(f, [1])\n');

async function check(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runCheck(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, version: 'test' });
  return { status, out, err };
}

test('JS and TS files are checked beside Python; .d.ts, node_modules and unrelated files are not', async () => {
  const { status, out, err } = await check([dir, '--format', 'json']);
  assert.equal(status, 1);
  const found = JSON.parse(out).map((f: { file: string; rule: string; line: number }) => `${path.relative(dir, f.file)}:${f.line} ${f.rule}`);
  assert.deepEqual(found, [
    'app.py:6 unguarded-entry-point',
    // The parser recovers from the syntax error; what it reads is still a worker started on its own file.
    'src/broken.js:2 unguarded-entry-point',
    'src/post.cts:3 unserializable-callable',
    'src/post.ts:3 unserializable-callable',
    'src/spawn.mjs:2 unguarded-entry-point',
    'src/view.tsx:3 unserializable-callable',
  ]);
  assert.match(err, /skipped .*latin\.js: not valid UTF-8/);
  assert.doesNotMatch(err, /broken\.js/, 'a syntax error is not an error of the check');
  assert.equal(status, 1);
});

test('--rule filters JS findings, text and SARIF keep their shape', async () => {
  const text = await check([path.join(dir, 'src', 'spawn.mjs'), path.join(dir, 'src', 'post.ts'), '--rule', 'unguarded-entry-point']);
  assert.equal(text.status, 1);
  assert.deepEqual(text.out.trim().split('\n').filter((l) => l.includes('[')).map((l) => l.replace(dir, '')), [
    '/src/spawn.mjs:2:1: error [unguarded-entry-point] Workers without end: each worker runs this file again and starts a worker of its own. `new Worker(new URL(import.meta.url))` starts this same file in a worker thread and runs at load time without an `isMainThread` guard, so workers multiply until the process runs out of memory.',
  ]);
  const sarif = JSON.parse((await check([path.join(dir, 'src', 'post.ts'), '--format', 'sarif'])).out);
  const [result] = sarif.runs[0].results;
  assert.equal(result.ruleId, 'unserializable-callable');
  assert.equal(result.locations[0].physicalLocation.region.startLine, 3);
});

test('the bundled CLI loads the JS engine from its own bundle', { skip: !fs.existsSync(path.join(repoRoot(), 'dist', 'engine-js.js')) && 'dist not built' }, () => {
  const run = spawnSync(process.execPath, [path.join(repoRoot(), 'dist', 'cli.js'), 'check', path.join(dir, 'src', 'spawn.mjs'), '--format', 'json'], { encoding: 'utf8' });
  assert.equal(run.status, 1, run.stderr);
  assert.equal(JSON.parse(run.stdout)[0].rule, 'unguarded-entry-point');
});
