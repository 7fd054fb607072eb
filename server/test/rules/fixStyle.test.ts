/**
 * Every Python quick fix, applied alone as a user applies it, leaves code that Ruff's linter
 * (pycodestyle's E and W rules, including the preview blank-line rules, and pyflakes) finds no
 * new fault in: no missing blank lines around an inserted function, no trailing white space, no
 * name left unused or undefined.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { analyzePythonSource } from '../../src/analysis';
import { applyFixes, repoRoot } from './harness';

const dir = path.join(repoRoot(), 'test-fixtures', 'rules');
const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.py') && !/\.fixed\.py$/.test(f)).sort();
const ruff = new Workspace({ 'line-length': 200, lint: { preview: true, select: ['E', 'W', 'F'] } }, PositionEncoding.Utf16);

/** Ruff's findings by kind and message, counted (positions move when a fix inserts lines). */
function faults(source: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of ruff.check(source) as Array<{ code: string | null; message: string }>) {
    const key = `${d.code ?? ''} ${d.message}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

for (const name of fixtures) {
  test(`quick fixes of ${name} leave no new lint or style fault`, async () => {
    const file = path.join(dir, name);
    const source = fs.readFileSync(file, 'utf8');
    const before = faults(source);
    const problems: string[] = [];
    for (const finding of await analyzePythonSource(source, { file })) {
      if (finding.fixes.length === 0) continue;
      const { text, applied } = applyFixes(source, [finding]);
      if (applied === 0) continue;
      for (const [key, count] of faults(text)) {
        if (count > (before.get(key) ?? 0)) problems.push(`${name}:${finding.range.start.line + 1} ${finding.rule} fix "${(finding.fixes.find((f) => f.isPreferred) ?? finding.fixes[0]).title}" adds: ${key}`);
      }
    }
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });
}
