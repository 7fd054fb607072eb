/**
 * The JS engine's one project holding several files, as the language server keeps every open
 * document: scripts do not share a scope, an edit replaces one file in place (reparsed
 * incrementally into the tree a full parse makes), a dropped file is gone.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ts } from 'ts-morph';
import { analyzeJsSource } from '../../src/analysisJs';
import { JsModel } from '../../src/engine-js/model';
import { JsProject, parse } from '../../src/engine-js/project';

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

/** Every node as kind, span and parent, the shape the rules walk. */
function shape(file: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node, parent: ts.Node): void => {
    assert.equal(n.parent, parent, `parent of ${ts.SyntaxKind[n.kind]} at ${n.pos}`);
    out.push(`${ts.SyntaxKind[n.kind]} ${n.pos}-${n.end}${ts.isIdentifier(n) ? ` ${n.text}` : ''}`);
    ts.forEachChild(n, (c) => visit(c, n));
  };
  ts.forEachChild(file, (c) => visit(c, file));
  return out;
}

test('an edit reparses incrementally into the tree a full parse makes', () => {
  const fixtures = path.resolve(__dirname, '../../../../test-fixtures/rules');
  const project = new JsProject();
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pieces = ['', ' ', '\n', 'x', '(', ')', '{', '}', '"', '`', '/*', '*/', '//', 'const y = 1;\n', 'function g() {', 'new Worker(', ';'];
  for (const name of fs.readdirSync(fixtures).filter((f) => /\.(js|ts|mjs|cjs)$/.test(f))) {
    let text = fs.readFileSync(path.join(fixtures, name), 'utf8');
    const first = project.update(name, name, text);
    assert.equal(first, project.update(name, name, text), 'the same text keeps the same tree');
    for (let i = 0; i < 40; i++) {
      const at = random(text.length + 1);
      const removed = random(4) === 0 ? random(20) : 0;
      text = text.slice(0, at) + pieces[random(pieces.length)]! + text.slice(at + removed);
      const incremental = project.update(name, name, text);
      const full = parse(name, text);
      assert.equal(incremental.text, text);
      assert.deepEqual(shape(incremental), shape(full), `${name} after edit ${i}`);
      // The model's index of calls, kept per reused statement, is the index of a fresh tree.
      const spans = (m: JsModel): string[] => m.calls.map((c) => `${c.pos}-${c.end}`);
      assert.deepEqual(spans(new JsModel(incremental, name)), spans(new JsModel(full, name)), `${name} calls after edit ${i}`);
      assert.equal((incremental as { externalModuleIndicator?: unknown }).externalModuleIndicator, true, 'every file stays a module');
    }
  }
});
