/**
 * Keeps the architecture invariants of ARCHITECTURE.md true: layers import only what they may.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+['"]([^'"]+)['"]|require\(['"]([^'"]+)['"]\)/g)].map((m) => m[1] ?? m[2]!);
}

function violations(dirs: string[], forbidden: RegExp): string[] {
  return dirs.flatMap(sources).flatMap((file) => importsOf(file).filter((m) => forbidden.test(m)).map((m) => `${file} imports ${m}`));
}

test('the analysis engine and the rules never import vscode or the language server', () => {
  assert.deepEqual(violations(['server/src/engine', 'server/src/rules'], /^(vscode|vscode-languageserver|vscode-languageclient)(\/|$)/), []);
});

test('the runtime knows no DAP and no editor', () => {
  assert.deepEqual(violations(['debug-adapter/src/runtime'], /^(vscode|@vscode\/debugadapter|@vscode\/debugprotocol)(\/|$)|session/), []);
});

test('the debug session neither spawns processes nor touches the channel files itself', () => {
  const files = ['debug-adapter/src/session.ts', ...sources('debug-adapter/src/session')];
  const bad = files.flatMap((file) => importsOf(file).filter((m) => /^(node:)?(child_process|fs)$/.test(m)).map((m) => `${file} imports ${m}`));
  assert.deepEqual(bad, []);
});
