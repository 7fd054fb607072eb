/** The session header written to the "Workerscope Trace" channel is what the grammar scopes as a separator. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sessionHeader } from '../src/debug/traceHeader';

test("the session header matches the grammar's separator rule, on one line", () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const grammar = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes', 'workerscope-trace.tmLanguage.json'), 'utf8')) as { repository: { separator: { match: string } } };
  const header = sessionHeader('Workerscope: trace\ncrash.py', new Date(2024, 4, 1, 12, 0, 0));
  assert.ok(!header.includes('\n'));
  assert.match(header, /^--- Workerscope: Workerscope: trace crash\.py · 2024-05-01 12:00:00 ---$/);
  assert.match(header, new RegExp(grammar.repository.separator.match));
});
