/**
 * The .vsix holds every file the built bundles load at run time: each `dist/*.js` and `dist/*.wasm`
 * that esbuild writes, as vsce itself would list them from `.vscodeignore`. A bundle left out (the
 * JS/TS engine once was) works in every test from the tree and fails only for the user.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { listFiles, PackageManager } from '@vscode/vsce';

const root = path.resolve(__dirname, '..', '..', '..');

test('every built bundle and wasm file in dist/ is packaged, and no source map is', async () => {
  const built = fs.readdirSync(path.join(root, 'dist')).filter((name) => /\.(js|wasm)$/.test(name));
  assert.ok(built.includes('server.js') && built.includes('engine-js.js'), `dist/ is built: ${built.join(', ')}`);
  const packaged = new Set(await listFiles({ cwd: root, packageManager: PackageManager.None }));
  const missing = built.filter((name) => !packaged.has(`dist/${name}`));
  assert.deepEqual(missing, [], 'left out of the .vsix by .vscodeignore');
  assert.deepEqual([...packaged].filter((file) => file.endsWith('.map')), []);
});

test('the Node tracer is packaged: every file of dist/node', async () => {
  const built = fs.readdirSync(path.join(root, 'dist', 'node'));
  assert.ok(built.includes('workerscope_node.cjs'), `dist/node is built: ${built.join(', ')}`);
  const packaged = new Set(await listFiles({ cwd: root, packageManager: PackageManager.None }));
  assert.deepEqual(built.filter((name) => !packaged.has(`dist/node/${name}`)), [], 'left out of the .vsix by .vscodeignore');
});
