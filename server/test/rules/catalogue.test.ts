/**
 * The rule catalogue stays consistent: every registry entry has a rule file named by its id that
 * opens with a doc block carrying all headings, an up-to-date generated docs page, a fixture, and
 * a settings entry in package.json with the same default severity; the registry is sorted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { RULES } from '../../src/analysis';
import { JS_RULE_IDS } from '../../src/rules';
import { JS_RULE_IMPLEMENTATIONS } from '../../src/rules/js';
import { isJsFile } from '../../src/engine-js/prefilter';
import { DOC_HEADINGS, extractDocBlock, renderRuleDocs } from '../../../scripts/gen-rule-docs';
import { repoRoot } from './harness';

const root = repoRoot();

test('registry is sorted by id and ids are unique kebab-case', () => {
  const ids = RULES.map((r) => r.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[a-z]+(-[a-z]+)*$/);
});

for (const rule of RULES) {
  test(`rule ${rule.id} is complete`, () => {
    const file = path.join(root, 'server/src/rules', `${rule.id}.ts`);
    assert.ok(fs.existsSync(file), `${file} missing`);
    const block = extractDocBlock(fs.readFileSync(file, 'utf8'));
    assert.ok(block, `${file}:1:1 does not open with a doc block`);
    let at = -1;
    for (const heading of DOC_HEADINGS) {
      const next = block.split('\n').findIndex((l, i) => i > at && l.trim() === heading);
      assert.ok(next > at, `${file}: heading "${heading}" missing or out of order`);
      at = next;
    }
    assert.ok(rule.docs === block || rule.docs.startsWith(`${block}\n\n## JavaScript and TypeScript`), 'RuleMeta.docs is stale: run the docs generator');
    assert.equal(rule.docsUrl, `https://github.com/workerscope/workerscope/blob/main/docs/rules/${rule.id}.md`);
    assert.ok(rule.summary.length > 20);
    // A fixture in each language the rule checks (the JavaScript one is checked below).
    const fixtures = fs.readdirSync(path.join(root, 'test-fixtures/rules')).filter((f) => f === `${rule.id}.py` || (f.startsWith(`${rule.id}.`) && f.endsWith('.py')));
    if (rule.languages?.includes('python') ?? true) assert.ok(fixtures.length > 0, `no fixture test-fixtures/rules/${rule.id}.py`);

    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const setting = pkg.contributes?.configuration?.properties?.['workerscope.rules']?.properties?.[rule.id];
    assert.ok(setting, `package.json has no workerscope.rules setting for ${rule.id}`);
    assert.equal(setting.default, rule.defaultSeverity, `package.json default severity of ${rule.id}`);
    assert.ok(setting.enum.includes('off'));
  });
}

test('the JavaScript/TypeScript registry is sorted, implements catalogue rules, and each has its doc block and fixture', () => {
  const ids = JS_RULE_IMPLEMENTATIONS.map((r) => r.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.deepEqual(ids, [...JS_RULE_IDS]);
  const fixtures = fs.readdirSync(path.join(root, 'test-fixtures/rules')).filter(isJsFile);
  for (const id of ids) {
    const meta = RULES.find((r) => r.id === id);
    assert.ok(meta, `${id} is not in the catalogue`);
    assert.ok(meta.languages?.includes('javascript'));
    const file = path.join(root, 'server/src/rules/js', `${id}.ts`);
    const block = extractDocBlock(fs.readFileSync(file, 'utf8'));
    assert.ok(block !== undefined && block.startsWith('## JavaScript and TypeScript'), `${file}:1:1 does not open with a "## JavaScript and TypeScript" doc block`);
    assert.ok(meta.docs.endsWith(block), 'RuleMeta.docs lacks the JavaScript section: run the docs generator');
    assert.ok(fixtures.some((f) => f.startsWith(`${id}.`)), `no JavaScript/TypeScript fixture test-fixtures/rules/${id}.{js,ts,…}`);
  }
});

test('settings list no rule the registry lacks', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const settings = Object.keys(pkg.contributes.configuration.properties['workerscope.rules'].properties);
  assert.deepEqual(settings.sort(), RULES.map((r) => r.id));
});

test('generated docs are up to date', () => {
  for (const [rel, content] of renderRuleDocs(root)) {
    const file = path.join(root, rel);
    assert.ok(fs.existsSync(file), `${rel} missing: run node out/scripts/gen-rule-docs.js`);
    assert.equal(fs.readFileSync(file, 'utf8'), content, `${rel} is stale: run node out/scripts/gen-rule-docs.js`);
  }
});
