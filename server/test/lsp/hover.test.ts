/** Hover over a diagnostic: one or two sentences of why the rule matters and a link to its page, nothing more. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { RULES } from '../../src/analysis';
import { DiagnosticHovers, shortWhy } from '../../src/lsp/hover';

test('every rule has a short why: whole sentences from "Why is this bad?", no headings, no examples', () => {
  for (const rule of RULES) {
    const why = shortWhy(rule.docs);
    assert.ok(why.length > 20, `${rule.id}: no why`);
    assert.ok(why.split(/\s+/).length <= 75, `${rule.id}: ${why.split(/\s+/).length} words`);
    assert.match(why, /[.!?]$/, `${rule.id}: ends mid-sentence: ${why}`);
    assert.doesNotMatch(why, /##|```|Use instead/, rule.id);
  }
});

test('shortWhy keeps two short sentences, one long one, and does not split at "e.g."', () => {
  const docs = (why: string): string => `## What it does\nChecks.\n\n## Why is this bad?\n${why}\n\nMore detail.\n\n## Example\nx`;
  assert.equal(shortWhy(docs('It fails. Every time.\nThird one.')), 'It fails. Every time.');
  const long = `A ${'very '.repeat(70)}long sentence. Second.`;
  assert.equal(shortWhy(docs(long)), `A ${'very '.repeat(70)}long sentence.`);
  assert.equal(shortWhy(docs('Pools, e.g. Pool, fail. `map` too.')), 'Pools, e.g. Pool, fail. `map` too.');
  assert.equal(shortWhy('## What it does\nNo why section.'), '');
});

test('hover answers inside a diagnostic range and nowhere else', () => {
  const hovers = new DiagnosticHovers(RULES);
  const d: Diagnostic = { range: { start: { line: 3, character: 4 }, end: { line: 3, character: 12 } }, message: 'm', code: 'unclosed-pool', source: 'workerscope' };
  hovers.remember('file:///a.py', [d]);
  const hit = hovers.hover('file:///a.py', { line: 3, character: 6 });
  assert.ok(hit);
  const value = (hit.contents as { value: string }).value;
  assert.match(value, /unclosed-pool/);
  assert.doesNotMatch(value, /##|What it does/);
  assert.ok(value.split(/\s+/).length < 90, value);
  assert.match(value, /\(https:\/\/github\.com\/workerscope\/workerscope\/blob\/main\/docs\/rules\/unclosed-pool\.md\)/);
  assert.equal(hovers.hover('file:///a.py', { line: 3, character: 13 }), null);
  assert.equal(hovers.hover('file:///b.py', { line: 3, character: 6 }), null);
  hovers.remember('file:///a.py', []);
  assert.equal(hovers.hover('file:///a.py', { line: 3, character: 6 }), null);
});

test('in JavaScript a rule of both languages explains itself from its JS section; a JS-only rule from its own why', () => {
  const shared = RULES.find((r) => r.id === 'unserializable-callable')!;
  assert.match(shortWhy(shared.docs, 'javascript'), /structured clone/);
  assert.doesNotMatch(shortWhy(shared.docs, 'javascript'), /pickle/);
  assert.match(shortWhy(shared.docs), /pickle/);
  const hovers = new DiagnosticHovers(RULES);
  const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } };
  hovers.remember('file:///a.ts', [{ range, message: 'm', code: 'worker-result-never-settles', source: 'workerscope' }]);
  const value = (hovers.hover('file:///a.ts', { line: 1, character: 2 }, 'javascript')!.contents as { value: string }).value;
  assert.match(value, /Node emits `error`/);
});
