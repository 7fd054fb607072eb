/**
 * Keeps the invariants of ARCHITECTURE.md true by the import graph: each invariant is a check over
 * the graph, run on the product (no violation allowed) and on test-fixtures/architecture, a
 * miniature tree that breaks every import invariant on purpose (each check must find its breach).
 * It also holds files to 500 lines and functions to 80 unless a reason is written for them.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { longFunctions } from './support/functionLength';
import { forbiddenImports, importCycles, oversizedFiles, readImportGraph, type ImportGraph } from './support/importGraph';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test-fixtures', 'architecture');
const LAYERS = ['client/src', 'server/src', 'debug-adapter/src', 'runtime/src', 'protocol/src', 'scripts'];
/** Every source file held to the size limits: the TypeScript layers and the tracer's Python. */
const SOURCES = [...LAYERS, 'debug-adapter/python/workerscope_tracer', 'debug-adapter/python/bootstrap'];

const EDITOR = /^(vscode|vscode-languageserver|vscode-languageclient)(\/|$)/;
const DAP = /^(vscode|@vscode\/debugadapter|@vscode\/debugprotocol)(\/|$)/;

/** The JS engine's files: the only ones that may load ts-morph (the text scan in prefilter.ts loads nothing). */
const JS_ENGINE = /^server\/src\/(analysisJs\.ts$|rules\/js\/|engine-js\/)/;
const LOADS_TS_MORPH = /^(ts-morph$|server\/src\/(analysisJs(\.ts)?$|rules\/js\/|engine-js\/(?!prefilter\.ts$)))/;

interface Invariant {
  name: string;
  check(graph: ImportGraph): string[];
}

const INVARIANTS: readonly Invariant[] = [
  {
    name: 'the analysis engine and the rules never import the editor API or the language server',
    check: (g) => [
      ...forbiddenImports(g, ['server/src/engine', 'server/src/engine-js', 'server/src/rules'], EDITOR),
      ...forbiddenImports(g, ['server/src/engine', 'server/src/engine-js', 'server/src/rules'], /^server\/src\/(lsp|cli)\//),
    ],
  },
  {
    name: 'the engine sits below the rules and the analysis facade: it imports neither',
    check: (g) => forbiddenImports(g, ['server/src/engine', 'server/src/engine-js'], /^server\/src\/(rules\/|analysis(Js)?\.ts$)/),
  },
  {
    name: 'the engine has no import cycle',
    check: (g) => [...importCycles(g, 'server/src/engine'), ...importCycles(g, 'server/src/engine-js')].map((cycle) => cycle.join(' -> ')),
  },
  {
    name: 'only the JS engine loads ts-morph: everything else reaches it through a dynamic import of analysisJs',
    check: (g) => [...g.edges].filter(([file]) => file.startsWith('server/src/') && !JS_ENGINE.test(file))
      .flatMap(([file, imports]) => imports.filter((t) => LOADS_TS_MORPH.test(t)).map((t) => `${file} imports ${t}`)),
  },
  {
    name: 'the runtime knows no DAP, no editor, no session and no analysis: the adapter and the CLI both import it',
    check: (g) => forbiddenImports(g, 'runtime/src', DAP).concat(
      forbiddenImports(g, 'runtime/src', /^(debug-adapter|client|server)\//)),
  },
  {
    name: 'the debug session neither spawns processes nor touches the channel files itself',
    check: (g) => forbiddenImports(g, ['debug-adapter/src/session.ts', 'debug-adapter/src/session'], /^(node:)?(child_process|fs)$/),
  },
  {
    name: 'the debug session knows no channel record: not the wire format, the channel reader or the fold, only the model and the runtime',
    check: (g) => forbiddenImports(g, 'debug-adapter/src', /^runtime\/src\/(wire|channelReader|channelEvents|traceFold|pyValues|recordFields)(\.ts)?$/),
  },
  {
    name: 'the shared protocol (custom events, launch attributes, report types) depends on nothing of the components that share it',
    check: (g) => forbiddenImports(g, 'protocol/src', /^(client|server|runtime|debug-adapter)\/|^(node:)?[a-z_]+$|^@?vscode/),
  },
  {
    name: 'no component reaches into another one\'s folder: the client takes only the protocol, the CLI the runtime, never the adapter',
    check: (g) => forbiddenImports(g, 'client/src', /^(server|runtime|debug-adapter)\//).concat(
      forbiddenImports(g, 'server/src', /^(debug-adapter|client)\//)),
  },
];

for (const invariant of INVARIANTS) {
  test(invariant.name, () => {
    assert.deepEqual(invariant.check(readImportGraph(ROOT, LAYERS)), []);
  });
}

test('every import invariant finds its deliberate breach in test-fixtures/architecture', () => {
  const graph = readImportGraph(FIXTURE, LAYERS);
  for (const invariant of INVARIANTS) {
    const found = invariant.check(graph);
    assert.ok(found.length > 0, `not caught in the fixture: ${invariant.name}`);
  }
  assert.deepEqual(importCycles(graph, 'server/src/engine'), [['server/src/engine/model.ts', 'server/src/engine/values.ts']]);
});

test('no source file is over 500 lines without a reason written in its header', () => {
  assert.deepEqual(oversizedFiles(ROOT, SOURCES, 500), []);
});

test('the size check catches a long file and accepts one that says why', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-arch-'));
  try {
    fs.mkdirSync(path.join(dir, 'src'));
    const body = 'export const x = 1;\n'.repeat(501);
    fs.writeFileSync(path.join(dir, 'src', 'long.ts'), body);
    fs.writeFileSync(path.join(dir, 'src', 'explained.ts'), `// Longer than 500 lines because it is a generated table.\n${body}`);
    fs.writeFileSync(path.join(dir, 'src', 'short.ts'), 'export const y = 2;\n'.repeat(500));
    assert.deepEqual(oversizedFiles(dir, ['src'], 500), ['src/long.ts']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('no function is over 80 lines without a reason written above it (a `Long:` line in the comment directly above)', () => {
  assert.deepEqual(longFunctions(ROOT, SOURCES, 80), []);
});

test('the function-length check catches the long functions in test-fixtures/architecture and accepts those that say why', () => {
  assert.deepEqual(longFunctions(FIXTURE, SOURCES, 80), [
    'debug-adapter/python/workerscope_tracer/long_functions.py:9 too_long (81 lines)',
    'debug-adapter/python/workerscope_tracer/long_functions.py:187 decorated (81 lines)',
    'server/src/engine/longFunctions.ts:4 tooLong (81 lines)',
    'server/src/engine/longFunctions.ts:265 Walker.visit (81 lines)',
  ]);
});
