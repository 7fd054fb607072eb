/**
 * The notebook quick fix "Move `f` to a module": what it does to the cells and to the module
 * beside the notebook, when it is refused, and that the module it writes lints clean.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzePythonSource, type Finding, type Fix, type ModuleAddition, type TextEdit } from '../../src/analysis';
import { concatenateCells, layoutOf, mapFinding } from '../../src/common/notebookSource';
import { mergeIntoModule } from '../../src/engine/moduleMerge';
import { moduleTargetFor } from '../../src/engine/moveToModule';
import { LineIndex } from '../../src/engine/text';
import { ruffFaults } from '../rules/ruffLint';

const NB = '/work/nb/analysis.ipynb';
const HEADER = '"""Functions moved out of analysis.ipynb.\n\nWorkers started by spawn or forkserver import them from here.\n"""';
const POOL = 'ctx = mp.get_context("spawn")\nwith ctx.Pool(2) as pool:\n    print(pool.map(work, range(4)))\n';

/** The move fix offered on the first unserializable-callable finding, if any. */
async function moveFix(cells: string[], file = NB): Promise<{ finding: Finding; fix: Fix | undefined; key: number }> {
  const nb = concatenateCells(cells.map((text, key) => ({ key, text })));
  const findings = await analyzePythonSource(nb.source, { file, onlyRules: ['unserializable-callable'], notebook: layoutOf(nb) });
  assert.ok(findings.length > 0, 'the notebook function is flagged');
  const mapped = mapFinding(nb, findings[0]!, (key) => `cell:${key}`)!;
  return { finding: mapped.finding, fix: mapped.finding.fixes.find((f) => f.title.startsWith('Move')), key: mapped.key };
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits.map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i]!.end <= spans[i - 1]!.start, 'edits do not overlap');
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** Applies a mapped fix: the cells after it, and the module's text (`existing` before). */
async function apply(cells: string[], findingCell: number, fix: Fix, existing?: string): Promise<{ cells: string[]; module: string; addition: ModuleAddition }> {
  const out = [...cells];
  out[findingCell] = applyEdits(out[findingCell]!, fix.edits);
  let addition: ModuleAddition | undefined;
  for (const change of fix.files ?? []) {
    if (change.kind === 'edit') {
      const key = Number(change.file.slice('cell:'.length));
      out[key] = applyEdits(out[key]!, change.edits);
    } else addition = change;
  }
  assert.ok(addition, 'the fix adds to a module');
  const merged = mergeIntoModule(existing, addition);
  assert.ok(merged.ok, merged.ok ? '' : merged.reason);
  return { cells: out, module: applyEdits(existing ?? '', merged.edits), addition };
}

function assertLintClean(module: string): void {
  assert.deepEqual([...ruffFaults(module).keys()], [], module);
}

async function stillFlagged(cells: string[]): Promise<number> {
  const nb = concatenateCells(cells.map((text, key) => ({ key, text })));
  return (await analyzePythonSource(nb.source, { file: NB, onlyRules: ['unserializable-callable'], notebook: layoutOf(nb) })).length;
}

test('a simple function moves to <notebook>_tasks.py and its cell imports it back', async () => {
  const cells = ['import multiprocessing as mp\n', 'def work(x):\n    return x * x\n', POOL];
  const { fix, key } = await moveFix(cells);
  assert.ok(fix);
  assert.equal(key, 2, 'the finding is on the pool\'s cell');
  assert.equal(fix.title, 'Move `work` to analysis_tasks.py beside the notebook');
  assert.deepEqual(fix.edits, [], 'the finding\'s own cell (the pool) is not edited');
  const addition = fix.files!.find((f) => f.kind === 'module') as ModuleAddition;
  assert.equal(addition.file, '/work/nb/analysis_tasks.py');
  assert.equal(addition.module, 'analysis_tasks');
  const after = await apply(cells, 2, fix);
  assert.deepEqual(after.cells, ['import multiprocessing as mp\n', 'from analysis_tasks import work\n', POOL]);
  assert.equal(after.module, `${HEADER}\n\n\ndef work(x):\n    return x * x\n`);
  assertLintClean(after.module);
  assert.equal(await stillFlagged(after.cells), 0, 'an imported function is no longer flagged');
});

test('a module imported in another cell is copied as an import; the cell keeps its own imports first', async () => {
  const cells = [
    'import numpy as np\nimport multiprocessing as mp\n',
    '%%time\nimport math\n\ndef work(row):\n    return float(np.sqrt(np.sum(np.square(row)))) + math.pi\n\nprint("ready")\n',
    POOL,
  ];
  const { fix } = await moveFix(cells);
  assert.ok(fix);
  const after = await apply(cells, 2, fix);
  assert.equal(after.cells[1], '%%time\nimport math\nfrom analysis_tasks import work\n\nprint("ready")\n');
  assert.equal(after.module, `${HEADER}\nimport numpy as np\nimport math\n\n\ndef work(row):\n    return float(np.sqrt(np.sum(np.square(row)))) + math.pi\n`);
  assertLintClean(after.module);
});

test('notebook functions it calls move with it, each cell importing its own; decorators that are imports are copied', async () => {
  const cells = [
    'import functools\nimport multiprocessing as mp\n\ndef clean(s):\n    return str(s).strip()\n\n\nLIMIT = 3\n',
    '@functools.lru_cache(maxsize=None)\ndef work(x):\n    return len(clean(x))\n',
    POOL,
  ];
  const { fix } = await moveFix(cells);
  assert.ok(fix);
  assert.equal(fix.title, 'Move `work` and `clean` to analysis_tasks.py beside the notebook');
  const after = await apply(cells, 2, fix);
  assert.equal(after.cells[0], 'import functools\nimport multiprocessing as mp\nfrom analysis_tasks import clean\n\nLIMIT = 3\n');
  assert.equal(after.cells[1], 'from analysis_tasks import work\n');
  assert.equal(after.module, `${HEADER}\nimport functools\n\n\ndef clean(s):\n    return str(s).strip()\n\n\n@functools.lru_cache(maxsize=None)\ndef work(x):\n    return len(clean(x))\n`);
  assertLintClean(after.module);
  assert.equal(await stillFlagged(after.cells), 0);
});

test('a function defined in the pool\'s own cell: the fix edits that cell alone', async () => {
  const cells = ['import multiprocessing as mp\n', `# helpers\ndef work(x):\n    return -x\n\n\n${POOL}`];
  const { fix, key } = await moveFix(cells);
  assert.ok(fix);
  assert.equal(key, 1);
  assert.deepEqual(fix.files!.map((f) => f.kind), ['module']);
  const after = await apply(cells, 1, fix);
  assert.equal(after.cells[1], `# helpers\nfrom analysis_tasks import work\n${POOL}`);
  assert.equal(await stillFlagged(after.cells), 0);
});

test('the function is moved as written: trailing blanks go, except inside a multi-line string', async () => {
  const cells = ['import multiprocessing as mp\n', 'def work(x):   \n    text = \"\"\"one  \ntwo\"\"\"\n    return text * x\n', POOL];
  const { fix } = await moveFix(cells);
  assert.ok(fix);
  const addition = fix.files!.find((f) => f.kind === 'module') as ModuleAddition;
  assert.deepEqual(addition.definitions, ['def work(x):\n    text = \"\"\"one  \ntwo\"\"\"\n    return text * x']);
});

test('no fix when the function reads a notebook variable, an IPython name, a class or holds a magic', async () => {
  const refused = [
    'THRESHOLD = 3\n\ndef work(x):\n    return x > THRESHOLD\n',
    'def work(x):\n    display(x)\n    return x\n',
    'class Box:\n    pass\n\n\ndef work(x):\n    return Box()\n',
    'def work(x):\n    !echo hi\n    return x\n',
    'def helper(x):\n    return x + OFFSET\n\n\ndef work(x):\n    return helper(x)\n',
    'try:\n    import orjson as json\nexcept ImportError:\n    import json\n\n\ndef work(x):\n    return json.dumps(x)\n',
  ];
  for (const cell of refused) {
    const { finding, fix } = await moveFix(['import multiprocessing as mp\n', cell, POOL]);
    assert.match(finding.message, /`work` is defined in the notebook/);
    assert.equal(fix, undefined, cell);
  }
  // A notebook that is not on disk has no folder to put the module in.
  assert.equal((await moveFix(['import multiprocessing as mp\n', 'def work(x):\n    return x\n', POOL], 'untitled:Untitled-1.ipynb')).fix, undefined);
});

test('an existing module gets the missing imports after its own and the function at its end', async () => {
  const cells = ['import numpy as np\nimport math\nimport multiprocessing as mp\n', 'def work(x):\n    return np.sqrt(x) + math.e\n', POOL];
  const { fix } = await moveFix(cells);
  assert.ok(fix);
  const existing = '"""Helpers."""\nimport math\n\n\ndef area(r):\n    return math.pi * r * r\n\n';
  const after = await apply(cells, 2, fix, existing);
  assert.equal(after.module, '"""Helpers."""\nimport math\nimport numpy as np\n\n\ndef area(r):\n    return math.pi * r * r\n\n\ndef work(x):\n    return np.sqrt(x) + math.e\n');
  assertLintClean(after.module);
  // CRLF files keep their line breaks; a module that already binds the name is left alone.
  const crlf = await apply(cells, 2, fix, existing.replace(/\n/g, '\r\n'));
  assert.equal(crlf.module, after.module.replace(/\n/g, '\r\n'));
  assert.deepEqual(mergeIntoModule('def work(x):\n    return 0\n', crlf.addition), { ok: false, reason: 'analysis_tasks.py already defines `work`' });
  // A module of imports only, and one with no imports before its first function.
  assert.equal((await apply(cells, 2, fix, 'import os\n')).module, 'import os\nimport numpy as np\nimport math\n\n\ndef work(x):\n    return np.sqrt(x) + math.e\n');
  const bare = (await apply(cells, 2, fix, 'def one():\n    return 1\n')).module;
  assert.equal(bare, 'import numpy as np\nimport math\n\n\ndef one():\n    return 1\n\n\ndef work(x):\n    return np.sqrt(x) + math.e\n');
  assertLintClean(bare);
});

test('a second function whose helper was moved before imports nothing of the module into itself', async () => {
  const cells = ['import multiprocessing as mp\nfrom analysis_tasks import clean\n', 'def work(x):\n    return clean(x)\n', POOL];
  const { fix } = await moveFix(cells);
  assert.ok(fix);
  const existing = `${HEADER}\n\n\ndef clean(s):\n    return str(s).strip()\n`;
  const after = await apply(cells, 2, fix, existing);
  assert.equal(after.module, `${existing}\n\ndef work(x):\n    return clean(x)\n`);
  assert.equal(after.addition.alreadyImported, true);
  assertLintClean(after.module);
});

test('the module name is an identifier made from the notebook name, beside it', () => {
  assert.deepEqual(moduleTargetFor('/home/me/My Analysis (v2).ipynb'), { file: '/home/me/my_analysis_v2_tasks.py', module: 'my_analysis_v2_tasks', notebookName: 'My Analysis (v2).ipynb' });
  assert.equal(moduleTargetFor('file:///home/me/2024%20report.ipynb')?.file, 'file:///home/me/nb_2024_report_tasks.py');
  assert.equal(moduleTargetFor('C:\\work\\Étude №1.ipynb')?.file, 'C:\\work\\etude_1_tasks.py');
  assert.equal(moduleTargetFor('vscode-notebook-cell:/home/me/a.ipynb#W0sZmlsZQ%3D%3D'), undefined);
  assert.equal(moduleTargetFor('/home/me/script.py'), undefined);
});
