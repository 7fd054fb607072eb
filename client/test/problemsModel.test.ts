/** The "Parallel Problems" view's model: grouped by rule then file, ordered by severity and count, rows worded briefly. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileLabel, groupProblems, problemLabel, ruleLabel, type ProblemInput } from '../src/problems/problemsModel';

const p = (rule: string, path: string, line: number, severity: ProblemInput['severity'] = 'warning', message = 'Pool hangs: a worker died. More detail.'): ProblemInput => ({
  uri: `file:///ws/${path}`, path, rule, message, line, character: 4, severity,
});

test('findings are grouped by rule, then file; errors first, then the commoner rules; files by path, findings by line', () => {
  const groups = groupProblems([
    p('unclosed-pool', 'b.py', 9),
    p('unclosed-pool', 'a.py', 3),
    p('unclosed-pool', 'a.py', 1),
    p('busy-wait-queue', 'z.py', 2),
    p('unserializable-callable', 'pkg/t.py', 5, 'error'),
  ]);
  assert.deepEqual(groups.map((g) => [g.rule, g.count]), [['unserializable-callable', 1], ['unclosed-pool', 3], ['busy-wait-queue', 1]]);
  const unclosed = groups[1]!;
  assert.deepEqual(unclosed.files.map((f) => f.path), ['a.py', 'b.py']);
  assert.deepEqual(unclosed.files[0]!.problems.map((x) => x.line), [1, 3]);
});

test('rows say what they hold: counts, the folder, the first sentence and a one-based line', () => {
  const [group] = groupProblems([p('unclosed-pool', 'pkg/a.py', 0), p('unclosed-pool', 'b.py', 4)]);
  assert.deepEqual(ruleLabel(group!), { label: 'unclosed-pool', description: '2 problems in 2 files' });
  assert.deepEqual(fileLabel(group!.files[1]!), { label: 'a.py', description: 'pkg · 1' });
  assert.deepEqual(fileLabel(group!.files[0]!), { label: 'b.py', description: '1' });
  assert.deepEqual(problemLabel(group!.files[0]!.problems[0]!), { label: 'Pool hangs: a worker died.', description: 'line 5' });
  assert.deepEqual(problemLabel(p('r', 'x.py', 0, 'hint', 'No sentence end')), { label: 'No sentence end', description: 'line 1' });
  assert.deepEqual(groupProblems([]), []);
});
