/** The extension's menu contributions offer "Open Trace Report…" on report files only. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { menus: Record<string, { command: string; when?: string }[]> };
};

test('the Explorer offers Open Trace Report on report-like JSON names, not on every .json', () => {
  const entry = pkg.contributes.menus['explorer/context']!.find((m) => m.command === 'workerscope.openTraceReport');
  assert.ok(entry?.when, 'the Explorer menu entry has a when clause');
  assert.match(entry.when, /resourceExtname == \.json/);
  assert.match(entry.when, /isWorkspaceTrusted/);
  const m = /resourceFilename =~ \/(.+?)\/(\w*)/.exec(entry.when);
  assert.ok(m, `a file name pattern in: ${entry.when}`);
  const pattern = new RegExp(m[1]!, m[2]);
  for (const name of ['report.json', 'workerscope-report.json', 'ci-trace.json', 'Trace_2026-12-07.json', 'run.workerscope.json']) assert.ok(pattern.test(name), name);
  for (const name of ['package.json', 'tsconfig.json', 'launch.json', 'settings.json', 'data.json']) assert.ok(!pattern.test(name), name);
});
