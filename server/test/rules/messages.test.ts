/**
 * Messages say what is true of the object they flag, consequence first, with a first sentence the
 * Problems panel shows whole: unguarded-entry-point (a Pool keeps starting workers, an executor
 * breaks, a Process child and a Manager's server die once; the range is the callee only) and
 * unclosed-pool (pools and executors end differently).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzePythonSource } from '../../src/analysis';

async function only(source: string, rule = 'unguarded-entry-point'): Promise<{ message: string; range: { start: { character: number }; end: { character: number } } }> {
  const findings = (await analyzePythonSource(source, { file: '/w/m.py' })).filter((f) => f.rule === rule);
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

const firstSentence = (message: string): string => message.slice(0, message.indexOf('. ') + 1);

const UNCLOSED: { kind: string; setup: string; head: RegExp; not: RegExp; how: RegExp }[] = [
  { kind: 'Pool', setup: 'from multiprocessing import Pool\n', head: /^Pool left open: its workers outlive their work and the program may hang at exit\./, not: /garbage-collected/, how: /`close\(\)` and `join\(\)`/ },
  { kind: 'ThreadPool', setup: 'from multiprocessing.pool import ThreadPool\n', head: /^Pool left open:/, not: /garbage-collected/, how: /`close\(\)` and `join\(\)`/ },
  { kind: 'ProcessPoolExecutor', setup: 'from concurrent.futures import ProcessPoolExecutor\n', head: /^Executor left open: its workers linger until it is garbage-collected\./, not: /interpreter exits|hang/, how: /`shutdown\(\)`/ },
  { kind: 'ThreadPoolExecutor', setup: 'from concurrent.futures import ThreadPoolExecutor\n', head: /^Executor left open:/, not: /interpreter exits|hang/, how: /`shutdown\(\)`/ },
];

for (const c of UNCLOSED) {
  test(`unclosed-pool on a ${c.kind}: what is true of it, consequence first`, async () => {
    const source = `${c.setup}\ndef main(xs):\n    p = ${c.kind}(2)\n    return list(p.map(str, xs))\n`;
    const finding = await only(source, 'unclosed-pool');
    assert.match(finding.message, c.head);
    assert.doesNotMatch(finding.message, c.not);
    assert.match(finding.message, c.how);
    assert.match(finding.message, new RegExp(`\`${c.kind}\` is never`));
    assert.ok(firstSentence(finding.message).length <= 100, firstSentence(finding.message));
  });
}
