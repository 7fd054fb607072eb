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
import { analyzePythonSource } from '../../src/analysis';
import { applyFixes, repoRoot } from './harness';
import { ruffFaults as faults } from './ruffLint';

const dir = path.join(repoRoot(), 'test-fixtures', 'rules');
const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.py') && !/\.fixed\.py$/.test(f)).sort();

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
