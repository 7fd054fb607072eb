/**
 * What a configuration gives one file: glob semantics of `exclude` and `per-file-ignores`, the
 * precedence of rules, select/ignore, the editor's `workerscope.rules` and per-file ignores, and
 * the editor setting's own checks (unknown rule ids and the `hint` severity are reported).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGlob, globProblem } from '../../src/config/glob';
import { readConfigFile } from '../../src/config/projectConfig';
import { settingsForFile } from '../../src/config/resolve';
import { normaliseSettings } from '../../src/lsp/settings';
import { RULES } from '../../src/analysis';

const IDS = RULES.map((r) => r.id);
const KNOWN = new Set(IDS);

test('globs: a name matches at any depth, a path is anchored at the configuration, a directory covers its contents', () => {
  const cases: Array<[string, string, boolean]> = [
    ['test_*.py', 'test_a.py', true],
    ['test_*.py', 'pkg/tests/test_a.py', true],
    ['test_*.py', 'pkg/a_test.py', false],
    ['build', 'build/x/y.py', true],
    ['build', 'src/build/y.py', true],
    ['src/gen', 'src/gen/a.py', true],
    ['src/gen', 'lib/src/gen/a.py', false],
    ['src/*.py', 'src/a.py', true],
    ['src/*.py', 'src/sub/a.py', false],
    ['src/**/*.py', 'src/a.py', true],
    ['src/**/*.py', 'src/x/y/a.py', true],
    ['./docs/', 'docs/conf.py', true],
    ['/docs', 'docs/conf.py', true],
    ['tests/**', 'tests/a/b.py', true],
    ['{a,b}/*.py', 'b/x.py', true],
    ['{a,b}/*.py', 'c/x.py', false],
    ['mod_[0-9].py', 'mod_3.py', true],
    ['mod_[!0-9].py', 'mod_3.py', false],
    ['mod_?.py', 'mod_ab.py', false],
    ['a.b.py', 'axb.py', false],
  ];
  for (const [pattern, file, expected] of cases) assert.equal(compileGlob(pattern).matches(file), expected, `${pattern} ~ ${file}`);
  assert.match(globProblem('tests/[x') ?? '', /"\[" without "\]"/);
  assert.match(globProblem('{a,b') ?? '', /"\{" without "\}"/);
  assert.equal(globProblem('src/**/*.py'), undefined);
});

test('precedence: rules < select/ignore < the editor\'s workerscope.rules < per-file-ignores', () => {
  const read = readConfigFile('/p/workerscope.toml', [
    'rules = { "busy-wait-queue" = "error", "unclosed-pool" = "information" }',
    'ignore = ["unclosed-pool", "join-before-drain"]',
    'start-method = "forkserver"',
    'baseline = "ci/base.json"',
    'exclude = ["vendor"]',
    '[per-file-ignores]',
    '"tests/**" = ["busy-wait-queue", "join-before-drain"]',
  ].join('\n'), KNOWN);
  assert.deepEqual(read.problems, []);
  const config = read.config!;
  const main = settingsForFile(config, '/p/src/app.py', IDS);
  assert.equal(main.severities['busy-wait-queue'], 'error');
  assert.equal(main.severities['unclosed-pool'], 'off');
  assert.equal(main.severities['unguarded-entry-point'], undefined, 'left to its default');
  assert.equal(main.startMethod, 'forkserver');
  assert.equal(main.baseline, '/p/ci/base.json');
  assert.equal(main.excluded, false);
  assert.equal(settingsForFile(config, '/p/vendor/lib/x.py', IDS).excluded, true);
  const editor = settingsForFile(config, '/p/src/app.py', IDS, { 'unclosed-pool': 'warning', 'busy-wait-queue': 'information' });
  assert.equal(editor.severities['unclosed-pool'], 'warning', 'the editor turns a project-ignored rule back on');
  assert.equal(editor.severities['busy-wait-queue'], 'information');
  const test = settingsForFile(config, '/p/tests/t.py', IDS, { 'busy-wait-queue': 'error', 'join-before-drain': 'warning' });
  assert.equal(test.severities['busy-wait-queue'], 'off', 'per-file-ignores win over the editor');
  assert.equal(test.severities['join-before-drain'], 'off');
  const selected = readConfigFile('/p/workerscope.toml', 'select = ["busy-wait-queue"]\n', KNOWN).config!;
  const only = settingsForFile(selected, '/p/a.py', IDS);
  assert.deepEqual(Object.entries(only.severities).filter(([, s]) => s !== 'off').map(([id]) => id), []);
  assert.equal(only.severities['busy-wait-queue'], undefined, 'selected: runs at its default');
  assert.equal(Object.values(only.severities).filter((s) => s === 'off').length, IDS.length - 1);
});

test('a pyproject.toml without [tool.workerscope] configures nothing; an empty workerscope.toml configures the defaults', () => {
  assert.deepEqual(readConfigFile('/p/pyproject.toml', '[project]\nname = "x"\n', KNOWN), { problems: [] });
  const empty = readConfigFile('/p/workerscope.toml', '# nothing yet\n', KNOWN);
  assert.deepEqual(empty.problems, []);
  assert.ok(empty.config);
  const wrongShape = readConfigFile('/p/pyproject.toml', '[tool]\nworkerscope = 3\n', KNOWN);
  assert.deepEqual(wrongShape.problems.map((p) => `${p.line}: ${p.message}`), ['2: [tool.workerscope] must be a table']);
});

test('the editor setting: unknown rule ids and severities such as "hint" are left out and reported', () => {
  const settings = normaliseSettings({ enable: true, rules: { 'unlocked-shared-countr': 'error', 'busy-wait-queue': 'hint', 'unclosed-pool': 'off', 'join-before-drain': 'error' } });
  assert.deepEqual(settings.rules, { 'unclosed-pool': 'off', 'join-before-drain': 'error' });
  assert.deepEqual(settings.problems, [
    '"workerscope.rules" names an unknown rule "unlocked-shared-countr" (did you mean "unlocked-shared-counter"?); it is ignored.',
    '"workerscope.rules" gives "busy-wait-queue" the severity "hint"; use one of off, information, warning, error. The rule keeps its default.',
  ]);
});
