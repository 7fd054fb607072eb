/**
 * The JS engine's one project holding several files, as the language server keeps every open
 * document: scripts do not share a scope, an edit replaces one file in place, a dropped file is gone.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeJsSource } from '../../src/analysisJs';
import { JsProject } from '../../src/engine-js/project';

const SCRIPT = "var { Worker } = require('worker_threads');\nvar worker = new Worker(__filename);\n";
const OTHER = "var Worker = class {};\nvar worker = new Worker(__filename);\nworker.postMessage(() => 1);\n";

test('two CommonJS scripts kept in one project resolve their own top-level names', () => {
  const project = new JsProject();
  const a = analyzeJsSource(SCRIPT, { file: '/p/a.js', keep: true }, project);
  const b = analyzeJsSource(OTHER, { file: '/p/b.js', keep: true }, project);
  assert.deepEqual(a.map((f) => f.rule), ['unguarded-entry-point']);
  assert.deepEqual(b, [], "b.js's Worker is its own class, not a.js's worker_threads import");
  // Analysing a.js again with both files in the project still finds its own Worker.
  assert.deepEqual(analyzeJsSource(SCRIPT, { file: '/p/a.js', keep: true }, project).map((f) => f.rule), ['unguarded-entry-point']);
});

test('script files (no import, export or require) do not share one global scope', () => {
  const project = new JsProject();
  analyzeJsSource('var cb = 1;\n', { file: '/p/first.js', keep: true }, project);
  const found = analyzeJsSource('var cb = function () {};\nstructuredClone({ cb });\n', { file: '/p/second.js', keep: true }, project);
  assert.deepEqual(found.map((f) => f.rule), ['unserializable-callable']);
});

test('an edit replaces the file in place and a dropped file starts afresh', () => {
  const project = new JsProject();
  assert.equal(analyzeJsSource(SCRIPT, { file: 'file:///p/c.js', keep: true }, project).length, 1);
  const guarded = SCRIPT.replace("{ Worker }", '{ Worker, isMainThread }').replace('var worker =', 'if (isMainThread) new Worker(__filename);\nvar other =').replace('new Worker(__filename);\n', "new Worker('./w.js');\n");
  assert.deepEqual(analyzeJsSource(guarded, { file: 'file:///p/c.js', keep: true }, project), []);
  project.drop('file:///p/c.js');
  assert.equal(analyzeJsSource(SCRIPT, { file: 'file:///p/c.js', keep: true }, project).length, 1);
});
