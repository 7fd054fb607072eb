/**
 * Every JavaScript/TypeScript finding the fixtures produce leads with its consequence in a first
 * sentence the Problems panel shows whole (at most 100 characters), not with the call that
 * causes it: the panel cuts the rest at its width.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzeJsSource } from '../../src/analysisJs';
import { isJsFile } from '../../src/engine-js/prefilter';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'rules');

/** Up to the first full stop that ends a sentence (a code span's dots do not). */
function firstSentence(message: string): string {
  const end = message.search(/\.(\s|$)(?=(?:[^`]*`[^`]*`)*[^`]*$)/);
  return end < 0 ? message : message.slice(0, end + 1);
}

test('JS/TS findings: consequence first, the first sentence at most 100 characters', () => {
  const files = fs.readdirSync(FIXTURES).filter((name) => isJsFile(name) && !name.includes('.fixed.'));
  assert.ok(files.length >= 8, `JS/TS fixtures found: ${files.join(', ')}`);
  const problems: string[] = [];
  let seen = 0;
  for (const name of files) {
    const file = path.join(FIXTURES, name);
    for (const finding of analyzeJsSource(fs.readFileSync(file, 'utf8'), { file })) {
      seen++;
      const first = firstSentence(finding.message);
      if (first.length > 100) problems.push(`${name}:${finding.range.start.line + 1} ${finding.rule}: ${first.length} characters: ${first}`);
      // A message opens with what happens, not with the code that does it.
      if (/^`[^`]+\(…\)`/.test(finding.message)) problems.push(`${name}:${finding.range.start.line + 1} ${finding.rule}: opens with the call: ${first}`);
    }
  }
  assert.ok(seen >= 40, `findings checked: ${seen}`);
  assert.deepEqual(problems, []);
});
