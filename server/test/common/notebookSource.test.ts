/** Notebook cells as one module: concatenation, magics, mapping findings back to cells, `.ipynb` reading. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatenateCells, locateLine, mapFinding, readIpynb } from '../../src/common/notebookSource';
import type { Finding } from '../../src/engine/types';

test('cells are joined in order and magics become comments of the same length', () => {
  const nb = concatenateCells([{ key: 'a', text: '%matplotlib inline\nimport os' }, { key: 'b', text: '!pip install x\nx = 1\n' }]);
  assert.equal(nb.source, '#matplotlib inline\nimport os\n#pip install x\nx = 1\n');
  assert.deepEqual(nb.magicLines, [0, 2]);
  assert.deepEqual(locateLine(nb, 0), { key: 'a', line: 0 });
  assert.deepEqual(locateLine(nb, 3), { key: 'b', line: 1 });
  assert.equal(locateLine(nb, 99), undefined);
});

test('findings map to their cell; related locations elsewhere name the cell; edits of a fix in another cell go to that cell', () => {
  const nb = concatenateCells([{ key: 'c1', text: 'def f(x):\n    return x' }, { key: 'c2', text: 'pool.map(f, xs)' }]);
  const finding: Finding = {
    rule: 'r', severity: 'warning', message: 'm',
    range: { start: { line: 2, character: 0 }, end: { line: 2, character: 15 } },
    related: [{ range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, message: 'defined here' }],
    fixes: [
      { title: 'same cell', edits: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, newText: 'x' }] },
      { title: 'other cell', edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'y' }] },
      { title: 'to the end of a cell', edits: [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, newText: '' }] },
      { title: 'across cells', edits: [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 3 } }, newText: '' }] },
    ],
  };
  const mapped = mapFinding(nb, finding, (key) => `cell:${key}`)!;
  assert.equal(mapped.key, 'c2');
  assert.deepEqual(mapped.finding.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 15 } });
  assert.equal(mapped.finding.related[0]!.file, 'cell:c1');
  assert.deepEqual(mapped.finding.related[0]!.range.start, { line: 0, character: 4 });
  assert.deepEqual(mapped.finding.fixes.map((f) => f.title), ['same cell', 'other cell', 'to the end of a cell']);
  assert.equal(mapped.finding.fixes[0]!.files, undefined);
  const other = mapped.finding.fixes[1]!;
  assert.deepEqual(other.edits, []);
  assert.deepEqual(other.files, [{ kind: 'edit', file: 'cell:c1', edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'y' }] }]);
});

test('readIpynb keeps code cells with their index and refuses bad JSON', () => {
  const text = JSON.stringify({
    cells: [
      { cell_type: 'markdown', source: ['# Title'] },
      { cell_type: 'code', source: ['import multiprocessing\n', 'x = 1'] },
      { cell_type: 'code', source: 'y = 2' },
    ],
    metadata: { language_info: { name: 'python' } },
  });
  assert.deepEqual(readIpynb(text), { ok: true, cells: [{ index: 1, text: 'import multiprocessing\nx = 1' }, { index: 2, text: 'y = 2' }] });
  assert.equal(readIpynb('{').ok, false);
  assert.equal(readIpynb('{"a": 1}').ok, false);
  assert.deepEqual(readIpynb(JSON.stringify({ cells: [{ cell_type: 'code', source: 'x' }], metadata: { kernelspec: { language: 'R' } } })), { ok: true, cells: [] });
});
