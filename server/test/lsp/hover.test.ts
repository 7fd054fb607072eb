/** Hover over a diagnostic shows the rule's "What it does" and "Why is this bad?" with a link. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { RULES } from '../../src/analysis';
import { DiagnosticHovers, trimRuleDocs } from '../../src/lsp/hover';

test('trimRuleDocs keeps the first two sections only', () => {
  for (const rule of RULES) {
    const trimmed = trimRuleDocs(rule.docs);
    assert.match(trimmed, /^## What it does/);
    assert.match(trimmed, /## Why is this bad\?/);
    assert.doesNotMatch(trimmed, /## Example|Use instead:|## References/);
  }
});

test('hover answers inside a diagnostic range and nowhere else', () => {
  const hovers = new DiagnosticHovers(RULES);
  const d: Diagnostic = { range: { start: { line: 3, character: 4 }, end: { line: 3, character: 12 } }, message: 'm', code: 'unclosed-pool', source: 'workerscope' };
  hovers.remember('file:///a.py', [d]);
  const hit = hovers.hover('file:///a.py', { line: 3, character: 6 });
  assert.ok(hit);
  const value = (hit.contents as { value: string }).value;
  assert.match(value, /unclosed-pool/);
  assert.match(value, /## Why is this bad\?/);
  assert.match(value, /\(https:\/\/github\.com\/workerscope\/workerscope\/blob\/main\/docs\/rules\/unclosed-pool\.md\)/);
  assert.equal(hovers.hover('file:///a.py', { line: 3, character: 13 }), null);
  assert.equal(hovers.hover('file:///b.py', { line: 3, character: 6 }), null);
  hovers.remember('file:///a.py', []);
  assert.equal(hovers.hover('file:///a.py', { line: 3, character: 6 }), null);
});
