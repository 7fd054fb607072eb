/**
 * unguarded-entry-point says what is true of the object it flags: a Pool keeps starting workers,
 * an executor breaks, a Process child and a Manager's server die once; the consequence comes
 * first and the first sentence fits the Problems panel; the range is the callee only.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzePythonSource } from '../../src/analysis';

async function only(source: string): Promise<{ message: string; range: { start: { character: number }; end: { character: number } } }> {
  const findings = (await analyzePythonSource(source, { file: '/w/m.py' })).filter((f) => f.rule === 'unguarded-entry-point');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  return findings[0]!;
}

const CASES: { kind: string; source: string; head: RegExp; then: RegExp; not: RegExp; callee: string }[] = [
  { kind: 'multiprocessing.Pool', source: 'import multiprocessing as mp\npool = mp.Pool(2)\n', head: /^Process pool created at import time/, then: /pool keeps starting new ones/, not: /BrokenProcessPool|EOFError/, callee: 'mp.Pool' },
  { kind: 'ProcessPoolExecutor', source: 'from concurrent.futures import ProcessPoolExecutor\nex = ProcessPoolExecutor()\nf = ex.submit(print, 1)\n', head: /^Executor started at import time/, then: /executor breaks \(`BrokenProcessPool`\)/, not: /keeps starting|EOFError/, callee: 'ex.submit' },
  { kind: 'Process', source: 'import multiprocessing as mp\np = mp.Process(target=print)\np.start()\n', head: /^Process started at import time/, then: /the child dies/, not: /keeps starting|BrokenProcessPool|EOFError/, callee: 'p.start' },
  { kind: 'Manager', source: 'import multiprocessing as mp\nm = mp.Manager()\n', head: /^Manager started at import time/, then: /parent gets `EOFError`/, not: /keeps starting|BrokenProcessPool/, callee: 'mp.Manager' },
];

for (const c of CASES) {
  test(`unguarded-entry-point on a ${c.kind}: its own consequence, first, briefly, on the callee`, async () => {
    const finding = await only(c.source);
    assert.match(finding.message, c.head);
    assert.match(finding.message, c.then);
    assert.doesNotMatch(finding.message, c.not);
    const firstSentence = finding.message.slice(0, finding.message.indexOf('. ') + 1);
    assert.ok(firstSentence.length > 0 && firstSentence.length <= 100, `first sentence of ${firstSentence.length} characters: ${firstSentence}`);
    const line = c.source.split('\n').find((l) => l.includes(`${c.callee}(`))!;
    assert.equal(line.slice(finding.range.start.character, finding.range.end.character), c.callee);
  });
}

test('on executor.map(lambda …) the entry-point finding no longer overlaps the lambda finding', async () => {
  const source = 'from concurrent.futures import ProcessPoolExecutor\nex = ProcessPoolExecutor()\nrs = list(ex.map(lambda x: x, [1]))\n';
  const findings = await analyzePythonSource(source, { file: '/w/m.py' });
  const entry = findings.find((f) => f.rule === 'unguarded-entry-point');
  const callable = findings.find((f) => f.rule === 'unserializable-callable');
  assert.ok(entry && callable, JSON.stringify(findings.map((f) => f.rule)));
  assert.ok(entry.range.end.line < callable.range.start.line || (entry.range.end.line === callable.range.start.line && entry.range.end.character <= callable.range.start.character), 'disjoint ranges');
});
