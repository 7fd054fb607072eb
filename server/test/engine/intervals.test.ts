/**
 * The engine answers "which function is this in" and "where does this run" from source intervals
 * instead of walking parents; these tests hold the interval answers to the parent-walking ones on
 * every rule fixture and on a file written to stress nesting, guards and decorators.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { type ExecutionContext, mainGuardPolarity } from '../../src/engine/guards';
import { Model } from '../../src/engine/model';
import { createPythonParser } from '../../src/engine/parser';
import { repoRoot } from '../rules/harness';

const NESTED = `
import multiprocessing as mp

@decorator(mp.Pool())
def outer(a=mp.Pool(1), *, b=lambda: mp.Pool(2)):
    class Inner:
        attr = mp.Pool(3)
        def method(self, c=mp.Pool(4)):
            return [mp.Pool(i) for i in range(2)]
    return lambda x=mp.Pool(5): mp.Pool(6)

if "__main__" != __name__:
    mp.Pool(7)
elif __name__ == '__main__':
    mp.Pool(8)
else:
    mp.Pool(9)
    if __name__ == "__main__" and True:
        def guarded():
            mp.Pool(10)
        mp.Pool(11)

if (__name__ == "__main__"):
    mp.Pool(12)
else:
    mp.Pool(13)
`;

function parentWalkDef(node: Node, lambdas: boolean): Node | null {
  for (let cur = node.parent; cur; cur = cur.parent) {
    if (cur.type === 'function_definition' || (lambdas && cur.type === 'lambda')) return cur;
  }
  return null;
}

/** The reference answer: walk up the parents. */
function executionContext(node: Node): ExecutionContext {
  let prev = node;
  for (let cur = node.parent; cur; prev = cur, cur = cur.parent) {
    switch (cur.type) {
      case 'function_definition': {
        const body = cur.childForFieldName('body');
        if (body && body.id === prev.id) return { at: 'function', def: cur };
        break;
      }
      case 'lambda': {
        const body = cur.childForFieldName('body');
        if (body && body.id === prev.id) return { at: 'deferred' };
        break;
      }
      case 'class_definition': {
        const body = cur.childForFieldName('body');
        if (body && body.id === prev.id) return { at: 'deferred' };
        break;
      }
      case 'if_statement': {
        const polarity = mainGuardPolarity(cur.childForFieldName('condition'));
        if (polarity === 0) break;
        const consequence = cur.childForFieldName('consequence');
        const inConsequence = !!consequence && consequence.id === prev.id;
        const inAlternative = prev.type === 'else_clause' || prev.type === 'elif_clause';
        if ((polarity === 1 && inConsequence) || (polarity === -1 && inAlternative && prev.type === 'else_clause')) return { at: 'guarded' };
        break;
      }
      default:
        break;
    }
  }
  return { at: 'import' };
}

function describe(ctx: ExecutionContext): string {
  return ctx.at === 'function' ? `function@${ctx.def.startIndex}` : ctx.at;
}

async function sources(): Promise<{ name: string; text: string }[]> {
  const dir = path.join(repoRoot(), 'test-fixtures', 'rules');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.py')).map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
  return [{ name: 'nested', text: NESTED }, ...files];
}

test('enclosingDef and executionContext from intervals agree with walking parents', async () => {
  const parser = await createPythonParser();
  let checked = 0;
  for (const { name, text } of await sources()) {
    const tree = parser.parse(text)!;
    const model = new Model(tree, text);
    const nodes = tree.rootNode.descendantsOfType(['call', 'identifier', 'lambda', 'function_definition', 'block']);
    for (const node of nodes) {
      const where = `${name}:${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.type}`;
      assert.equal(model.enclosingDef(node)?.id ?? null, parentWalkDef(node, false)?.id ?? null, `enclosingDef ${where}`);
      assert.equal(model.enclosingDef(node, true)?.id ?? null, parentWalkDef(node, true)?.id ?? null, `enclosingDef(lambdas) ${where}`);
      assert.equal(describe(model.executionContext(node)), describe(executionContext(node)), `executionContext ${where}`);
      checked++;
    }
    tree.delete();
  }
  assert.ok(checked > 5000, `checked ${checked} nodes`);
});

test('the nested sample covers every context', async () => {
  const parser = await createPythonParser();
  const tree = parser.parse(NESTED)!;
  const model = new Model(tree, NESTED);
  const pools = model.callsNamed('Pool');
  const at = (n: number): string => {
    const call = pools.find((c) => model.text(c).includes(`(${n})`))!;
    return describe(model.executionContext(call)).replace(/@\d+/, '');
  };
  // 4: a method's default runs when the class body runs; 5: a lambda's default when outer runs.
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map(at), [
    'import', 'deferred', 'deferred', 'deferred', 'function', 'deferred', 'import', 'import', 'guarded', 'function', 'guarded', 'guarded', 'import',
  ]);
  tree.delete();
});
