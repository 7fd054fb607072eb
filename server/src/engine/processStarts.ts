/**
 * Whether a `Process(...)` the file builds is ever started: a process that is only built, or
 * bound to a name that is asserted, printed or compared, never pickles its target.
 */
import type { Node } from 'web-tree-sitter';
import type { Model } from './model';

/**
 * A `Process(...)` that is bound to a name that is never started nor handed elsewhere: nothing is
 * pickled. Anything else (started inline, stored in a list, passed on) counts as started.
 */
export function neverStarted(model: Model, creation: Node): boolean {
  const parent = creation.parent;
  if (parent?.type === 'expression_statement') return true; // `Process(target=...)` built and dropped
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== creation.id) return false;
  const left = parent.childForFieldName('left');
  if (left?.type !== 'identifier') return false;
  const scopeNode = model.enclosingDef(creation) ?? model.root;
  for (const id of scopeNode.descendantsOfType('identifier')) {
    if (id.text !== left.text || id.id === left.id) continue;
    const use = id.parent;
    if (use?.type === 'attribute' && use.childForFieldName('object')?.id === id.id) {
      if (use.childForFieldName('attribute')?.text === 'start') return false;
      continue;
    }
    if (inertUse(id)) continue;
    return false;
  }
  return true;
}

/** Calls that look at an object without keeping it or starting it (`self.assertTrue(p)`, `print(p)`). */
const INERT_CALLEES = /^(?:print|repr|str|bool|id|type|isinstance|hash|(?:self\.)?assert\w*)$/;

/** A use of a name that cannot start the process it holds: `assert p`, `print(p)`, `self.assertTrue(p)`. */
function inertUse(id: Node): boolean {
  const use = id.parent;
  if (use?.type === 'assert_statement') return true;
  if (use?.type !== 'argument_list') return false;
  const callee = use.parent?.type === 'call' ? use.parent.childForFieldName('function')?.text : undefined;
  return callee !== undefined && INERT_CALLEES.test(callee);
}
