/**
 * Where a bound name is used again: the identifiers of a scope (nested functions included) that
 * resolve to a given binding list, and small syntactic questions about those uses. Shared by the
 * rules that follow one pool, future, iterator or queue through a function body.
 */
import type { Node } from 'web-tree-sitter';
import type { Model } from './model';
import type { Scope } from './scopes';
import { unparen } from './scopes';

/** Whether `id` names something here (not `x.<id>` nor `f(<id>=...)`). */
export function isNameUse(id: Node): boolean {
  const parent = id.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) return false;
  if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id) return false;
  return true;
}

const IDENTIFIER_CHAR = /[\p{L}\p{N}_]/u;

/**
 * Identifier nodes spelled `name` inside `within`. The source text is searched first and only the
 * matches are looked up in the tree: listing every identifier of a large scope costs far more.
 */
export function identifiersNamed(model: Model, name: string, within: Node): Node[] {
  const out: Node[] = [];
  // An empty name (a MISSING node's text) would match everywhere, at every offset, forever.
  if (name === '') return out;
  const end = within.endIndex;
  for (let at = model.source.indexOf(name, within.startIndex); at !== -1 && at + name.length <= end; at = model.source.indexOf(name, at + name.length)) {
    const before = at > 0 ? model.source[at - 1]! : '';
    const after = model.source[at + name.length] ?? '';
    if (IDENTIFIER_CHAR.test(before) || IDENTIFIER_CHAR.test(after)) continue;
    const node = within.descendantForIndex(at, at + name.length);
    if (node?.type === 'identifier' && node.startIndex === at && node.endIndex === at + name.length) out.push(node);
  }
  return out;
}

/** Identifiers under `within` named `name` that resolve to a binding of `scope`. */
export function referencesTo(model: Model, scope: Scope, name: string, within: Node = scope.node): Node[] {
  const own = scope.bindings.get(name);
  if (!own || own.length === 0) return [];
  const out: Node[] = [];
  for (const id of identifiersNamed(model, name, within)) {
    if (!isNameUse(id)) continue;
    const found = model.lookup(id);
    if (found && found.some((b) => own.includes(b))) out.push(id);
  }
  return out;
}

/** The expression `node` stands for once wrapping parentheses are climbed out of. */
export function outermostParen(node: Node): Node {
  let cur = node;
  while (cur.parent?.type === 'parenthesized_expression') cur = cur.parent;
  return cur;
}

/** The statement directly inside a block (or the module) that contains `node`. */
export function enclosingStatement(node: Node): Node | undefined {
  let cur: Node | null = node;
  while (cur && cur.parent && cur.parent.type !== 'block' && cur.parent.type !== 'module') cur = cur.parent;
  return cur && cur.parent ? cur : undefined;
}

/**
 * The index of the last statement in `siblings`, after index `after`, that holds one of `nodes`;
 * -1 when some node lies in none of them (the fixes that move code within a block need all).
 */
export function lastSiblingHolding(siblings: readonly Node[], after: number, nodes: readonly Node[]): number {
  let last = -1;
  for (const node of nodes) {
    const i = siblings.findIndex((s, k) => k > after && contains(s, node));
    if (i === -1) return -1;
    last = Math.max(last, i);
  }
  return last;
}

/** Whether `inner` lies within `outer` (or is it). */
export function contains(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** The nearest `def`, lambda or class around `node`, or null at module level. */
export function enclosingScopeNode(node: Node): Node | null {
  for (let cur = node.parent; cur; cur = cur.parent) {
    if (cur.type === 'function_definition' || cur.type === 'lambda' || cur.type === 'class_definition') return cur;
  }
  return null;
}

/** The receiver of a method call `x.m(...)` and the method name, if `call` is one. */
export function methodCall(call: Node): { receiver: Node; method: string } | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute') return undefined;
  const receiver = fn.childForFieldName('object');
  const method = fn.childForFieldName('attribute')?.text;
  return receiver && method ? { receiver: unparen(receiver), method } : undefined;
}

/** Whether `body` holds a `break`, `return` or `raise` that leaves the loop it is part of (nested defs aside). */
export function exitsLoop(body: Node): boolean {
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'return_statement' || n.type === 'raise_statement' || n.type === 'break_statement') return true;
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') continue;
    if (n !== body && (n.type === 'while_statement' || n.type === 'for_statement')) {
      // A break inside a nested loop only leaves that loop; returns and raises still count.
      for (const d of n.descendantsOfType(['return_statement', 'raise_statement'])) if (d) return true;
      continue;
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return false;
}
