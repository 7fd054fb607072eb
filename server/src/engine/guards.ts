/**
 * Where code runs: at import time of the module, under an `if __name__ == "__main__":` guard, or
 * inside a function body, answered from source intervals (`ContextIndex`).
 */
import type { Node } from 'web-tree-sitter';
import { type Interval, IntervalNest } from './intervals';
import { unparen } from './scopes';

export type ExecutionContext =
  | { at: 'import' }
  | { at: 'guarded' }
  | { at: 'function'; def: Node }
  | { at: 'deferred' }; // lambda or class body: not run at import time for our purposes

/** `__name__ == "__main__"` in any spelling: +1 for `==`, -1 for `!=`, 0 otherwise. */
export function mainGuardPolarity(condition: Node | null): number {
  if (!condition) return 0;
  const c = unparen(condition);
  if (c.type === 'boolean_operator') {
    const op = c.children.find((ch) => !ch.isNamed)?.type;
    if (op === 'and') {
      const left = mainGuardPolarity(c.childForFieldName('left'));
      const right = mainGuardPolarity(c.childForFieldName('right'));
      return left === 1 || right === 1 ? 1 : 0;
    }
    return 0;
  }
  if (c.type !== 'comparison_operator') return 0;
  const operands = c.namedChildren.map(unparen);
  const ops = c.children.filter((ch) => !ch.isNamed).map((ch) => ch.type);
  if (operands.length !== 2 || ops.length !== 1) return 0;
  const [a, b] = operands as [Node, Node];
  const isName = (n: Node): boolean => n.type === 'identifier' && n.text === '__name__';
  const isMain = (n: Node): boolean => n.type === 'string' && /^[rRuUbB]*(['"])\1?\1?__main__\1?\1?\1$/.test(n.text);
  if (!((isName(a) && isMain(b)) || (isName(b) && isMain(a)))) return 0;
  if (ops[0] === '==' || ops[0] === 'is') return 1;
  if (ops[0] === '!=' || ops[0] === 'is not') return -1;
  return 0;
}


/** The statement directly under the module that contains `node`. */
export function topLevelStatement(node: Node): Node | undefined {
  let cur: Node | null = node;
  while (cur && cur.parent && cur.parent.type !== 'module') cur = cur.parent;
  return cur && cur.parent?.type === 'module' ? cur : undefined;
}

export function isMainGuard(stmt: Node): boolean {
  return stmt.type === 'if_statement' && mainGuardPolarity(stmt.childForFieldName('condition')) === 1;
}

/**
 * `executionContext` for many nodes of one tree without walking parents (a search from the root in
 * web-tree-sitter): the bodies of functions, lambdas and classes and the guarded branches of main
 * guards as nested source intervals, the innermost one containing a node deciding.
 */
export class ContextIndex {
  private readonly nest: IntervalNest<ExecutionContext>;

  constructor(root: Node, source: string, defs: readonly Node[]) {
    const list: Interval<ExecutionContext>[] = [];
    for (const n of defs) {
      const body = n.childForFieldName('body');
      if (!body) continue;
      list.push({ start: body.startIndex, end: body.endIndex, value: n.type === 'function_definition' ? { at: 'function', def: n } : { at: 'deferred' } });
    }
    for (const branch of mainGuardBranches(root, source)) list.push({ start: branch.startIndex, end: branch.endIndex, value: { at: 'guarded' } });
    this.nest = new IntervalNest(list);
  }

  of(node: Node): ExecutionContext {
    return this.nest.innermost(node.startIndex, node.endIndex)?.value ?? { at: 'import' };
  }
}

/** The blocks a main guard runs only in the main module: the consequence of `== "__main__"`,
 * the `else` of `!= "__main__"`. Found from the few `__name__` occurrences in the text. */
function mainGuardBranches(root: Node, source: string): Node[] {
  const out: Node[] = [];
  const seen = new Set<number>();
  for (let i = source.indexOf('__name__'); i !== -1; i = source.indexOf('__name__', i + 8)) {
    let cur: Node | null = root.descendantForIndex(i);
    for (let depth = 0; cur && depth < 8 && cur.type !== 'if_statement'; depth++) cur = cur.parent;
    if (!cur || cur.type !== 'if_statement' || seen.has(cur.id)) continue;
    seen.add(cur.id);
    const polarity = mainGuardPolarity(cur.childForFieldName('condition'));
    if (polarity === 1) {
      const consequence = cur.childForFieldName('consequence');
      if (consequence) out.push(consequence);
    } else if (polarity === -1) {
      const alternative = cur.namedChildren.find((c) => c.type === 'else_clause');
      if (alternative) out.push(alternative);
    }
  }
  return out;
}
