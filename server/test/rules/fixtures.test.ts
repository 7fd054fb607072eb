/**
 * Runs every fixture in test-fixtures/rules: `<rule-id>.py` or `<rule-id>.<variant>.py`, and for
 * JavaScript and TypeScript `<rule-id>[.<variant>].{js,mjs,cjs,jsx,ts,mts,cts,tsx}` with `//`
 * markers. Markers must match findings of that rule both ways; quick fixes must reproduce
 * `<fixture>.fixed.<ext>` (regenerate with UPDATE_FIXTURES=1).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzePythonSource, RULES } from '../../src/analysis';
import { analyzeJsSource } from '../../src/analysisJs';
import { isJsFile } from '../../src/engine-js/prefilter';
import { applyFixes, compare, parseMarkers, repoRoot } from './harness';

const dir = path.join(repoRoot(), 'test-fixtures', 'rules');
const isGolden = (f: string): boolean => /\.fixed\.[a-z]+$/.test(f);
const fixtures = fs.readdirSync(dir).filter((f) => (f.endsWith('.py') || isJsFile(f)) && !isGolden(f)).sort();

test('every fixture is named after a registered rule', () => {
  const ids = new Set(RULES.map((r) => r.id));
  for (const f of fixtures) assert.ok(ids.has(f.split('.')[0] ?? ''), `${f} does not start with a rule id`);
});

for (const name of fixtures) {
  test(`fixture ${name}`, async () => {
    const file = path.join(dir, name);
    const rule = name.split('.')[0]!;
    const source = fs.readFileSync(file, 'utf8');
    const js = isJsFile(name);
    const findings = js ? analyzeJsSource(source, { file }) : await analyzePythonSource(source, { file });
    const failures = compare(file, parseMarkers(file, source, js ? '//' : '#'), findings, rule);

    const { text, applied } = applyFixes(source, findings.filter((f) => f.rule === rule));
    const golden = file.replace(/(\.[a-z]+)$/, '.fixed$1');
    if (applied > 0) {
      if (process.env['UPDATE_FIXTURES']) fs.writeFileSync(golden, text);
      else if (!fs.existsSync(golden)) failures.push(`${golden}:1:1 missing golden file (run with UPDATE_FIXTURES=1)`);
      else if (fs.readFileSync(golden, 'utf8') !== text) failures.push(`${golden}:1:1 quick fixes no longer produce this file (inspect, then UPDATE_FIXTURES=1)`);
    } else if (fs.existsSync(golden)) failures.push(`${golden}:1:1 stale golden file: no fix applies`);

    assert.deepEqual(failures, [], `\n${failures.join('\n')}`);
  });
}
