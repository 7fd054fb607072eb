/**
 * The language server with a project configuration, through the real server over stdio: the
 * nearest configuration's rules and start method apply to open documents, its problems are
 * published on the configuration file, the baseline hides accepted findings, and a misspelled
 * rule id in `workerscope.rules` is reported in the log.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { runCheck } from '../../src/cli/check';
import { TestLspClient } from './lspClient';

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-lsp-config-')));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const TWO_RULES = 'import multiprocessing as mp\n\ndef f(x):\n    return x\n\nwith mp.Pool(2) as pool:\n    pool.apply_async(f, (1,))\n';

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

test('the server applies the nearest configuration, publishes its problems on it, and honours its baseline', async () => {
  const dir = project('a', { 'workerscope.toml': 'ignore = ["discarded-task-result"]\nstart-method = "fork"\n', 'app.py': TWO_RULES, 'other.py': TWO_RULES });
  const client = await TestLspClient.start();
  const logs: string[] = [];
  client.connection.onNotification('window/logMessage', (p: { message: string }) => { logs.push(p.message); });
  try {
    // fork: no unguarded-entry-point; ignore: no discarded-task-result.
    const app = pathToFileURL(path.join(dir, 'app.py')).href;
    await client.open(app, TWO_RULES);
    assert.deepEqual(await client.diagnostics(app), []);

    fs.writeFileSync(path.join(dir, 'workerscope.toml'), 'ignore = ["discarded-task-reslt"]\nstart-method = "spawn"\n');
    const other = pathToFileURL(path.join(dir, 'other.py')).href;
    await client.open(other, TWO_RULES);
    const config = pathToFileURL(path.join(dir, 'workerscope.toml')).href;
    const problems = await client.diagnostics(config);
    assert.deepEqual(problems.map((d) => [d.range.start.line, d.message]), [[0, 'unknown rule id "discarded-task-reslt" (did you mean "discarded-task-result"?)']]);
    // The valid part of the configuration still applies.
    assert.deepEqual((await client.diagnostics(other)).map((d) => d.code), ['unguarded-entry-point', 'discarded-task-result']);
    assert.match(logs.join('\n'), /workerscope\.toml:1: unknown rule id "discarded-task-reslt"/);

    // A baseline written by the CLI hides both findings; the problems on the configuration clear.
    fs.writeFileSync(path.join(dir, 'workerscope.toml'), 'baseline = "baseline.json"\n');
    const status = await runCheck([dir, '--update-baseline'], { out: () => undefined, err: () => undefined, version: 'test' });
    assert.equal(status, 0);
    await client.change(other, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# moved down\n' }]);
    assert.deepEqual(await client.diagnostics(other, (p) => p.version === 2), []);
    assert.deepEqual(await client.diagnostics(config, (p) => p.diagnostics.length === 0), []);
    // A new finding that the baseline does not hold is shown.
    await client.change(other, 3, [{ range: { start: { line: 8, character: 0 }, end: { line: 8, character: 0 } }, text: '    pool.apply_async(f, (2,))\n' }]);
    assert.deepEqual((await client.diagnostics(other, (p) => p.version === 3)).map((d) => [d.code, d.range.start.line]), [['discarded-task-result', 8]]);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('a misspelled rule id or a "hint" severity in workerscope.rules is reported in the log, and the rest applies', async () => {
  const dir = project('b', { 'app.py': TWO_RULES });
  const client = await TestLspClient.start({ enable: true, rules: { 'unguarded-entry-pont': 'off', 'discarded-task-result': 'hint' } });
  const logs: string[] = [];
  client.connection.onNotification('window/logMessage', (p: { message: string }) => { logs.push(p.message); });
  try {
    const app = pathToFileURL(path.join(dir, 'app.py')).href;
    await client.open(app, TWO_RULES);
    const diagnostics = await client.diagnostics(app);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['unguarded-entry-point', 1], ['discarded-task-result', 2]]);
    assert.match(logs.join('\n'), /unknown rule "unguarded-entry-pont" \(did you mean "unguarded-entry-point"\?\)/);
    assert.match(logs.join('\n'), /gives "discarded-task-result" the severity "hint"/);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});
