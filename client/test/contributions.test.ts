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

test('the trace summary is opened on request: a palette command and a button on the Worker Failures view', () => {
  const all = pkg as unknown as { contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; when?: string }[]> } };
  const command = all.contributes.commands.find((c) => c.command === 'workerscope.showTrace');
  assert.equal(command?.title, 'Show Trace Summary');
  const button = all.contributes.menus['view/title']!.find((m) => m.command === 'workerscope.showTrace');
  assert.equal(button?.when, 'view == workerscope.failures');
  // Nothing else brings the channel forward: the extension calls show() only in that command.
  const source = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'client', 'src', 'debug', 'traceOutput.ts'), 'utf8');
  assert.deepEqual(source.match(/\.show\([^)]*\)/g), ['.show(true)']);
  assert.match(source, /registerCommand\(SHOW_TRACE_COMMAND, \(\) => channel\.show\(true\)\)/);
});

test('the Timeline: palette commands, a button on Worker Failures sessions that recorded one, the launch attribute', () => {
  const all = pkg as unknown as {
    activationEvents: string[];
    contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; when?: string; group?: string }[]>; debuggers: { configurationAttributes: { launch: { properties: Record<string, { type: unknown; description: string }> } } }[] };
  };
  const titles = Object.fromEntries(all.contributes.commands.map((c) => [c.command, c.title]));
  assert.equal(titles['workerscope.showTimeline'], 'Show Timeline');
  assert.equal(titles['workerscope.openTimelineFile'], 'Open Timeline File…');
  const inline = all.contributes.menus['view/item/context']!.find((m) => m.command === 'workerscope.showSessionTimeline');
  assert.deepEqual(inline, { command: 'workerscope.showSessionTimeline', when: 'view == workerscope.failures && viewItem == session-timeline', group: 'inline' });
  // The view gives that context value to sessions with a timeline only.
  const view = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'client', 'src', 'debug', 'failuresView.ts'), 'utf8');
  assert.match(view, /node\.type === 'session' && node\.session\.timeline \? 'session-timeline' : node\.type/);
  const attribute = all.contributes.debuggers[0].configurationAttributes.launch.properties.timeline;
  assert.deepEqual(attribute.type, ['boolean', 'string']);
  assert.match(attribute.description, /Chrome Trace Event JSON/);
  assert.ok(all.activationEvents.includes('onCommand:workerscope.showTimeline'));
});
