/**
 * ## What it does
 * Checks for results of `imap`, `imap_unordered`, `map_async`, `starmap_async` or `apply_async`
 * obtained inside a `with Pool(...) as pool:` block (also `ThreadPool` and pools from a context)
 * and consumed after the block: iterated, passed on, or asked for `.get()`; or returned out of
 * the block unconsumed.
 *
 * Consuming the results inside the block (`for r in pool.imap(...)`, `list(pool.imap(...))`,
 * `pool.map_async(...).get()`) is fine, and so is a block that calls `pool.close()` and
 * `pool.join()` after starting the tasks (every result has arrived by then). `concurrent.futures`
 * executors are not concerned: their `with` waits for every task.
 *
 * ## Why is this bad?
 * Leaving a `with Pool()` block calls `terminate()`, not `close()` and `join()`: the worker
 * processes are killed at once (a `ThreadPool`'s threads cannot be killed: they finish the task
 * they are running, and the tasks not yet started are dropped) and the pool's result handler
 * stops. Results not yet delivered never arrive, so iterating the `imap` iterator or calling
 * `get()` on the `AsyncResult` afterwards blocks forever (or until the `get()` timeout),
 * depending on how far the workers had got: a timing-dependent hang.
 *
 * Backends ([docs/backends.md](../backends.md)): pools of `torch.multiprocessing`, `billiard` and
 * `multiprocess` are checked like `multiprocessing`'s; pathos pools (cached, closed by nobody's
 * `with`) and the other libraries are not.
 *
 * ## Example
 * ```python
 * from multiprocessing import Pool
 *
 * def main(paths):
 *     with Pool() as pool:
 *         sizes = pool.imap(measure, paths)
 *     for size in sizes:
 *         print(size)
 * ```
 *
 * Use instead:
 * ```python
 * from multiprocessing import Pool
 *
 * def main(paths):
 *     with Pool() as pool:
 *         sizes = pool.imap(measure, paths)
 *         for size in sizes:
 *             print(size)
 * ```
 *
 * ## References
 * - [Python docs: `multiprocessing.pool.Pool` (`__exit__` calls `terminate()`)](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool)
 * - [Python docs: `Pool.imap`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool.imap)
 */
import type { Node } from 'web-tree-sitter';
import { stringInteriorLines } from '../engine/fixes';
import type { Model, Value } from '../engine/model';
import { contains, enclosingStatement, methodCall, outermostParen, referencesTo } from '../engine/references';
import { backendOf, traitsOf } from '../engine/names';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { indentOf, nodeRange, pos } from '../engine/text';
import type { Fix, TextEdit } from '../engine/types';
import { RULE_DOCS } from './docs.generated';

const ID = 'iterator-outlives-pool';

const LAZY = new Set(['imap', 'imap_unordered', 'map_async', 'starmap_async', 'apply_async']);

type Obj = Extract<Value, { t: 'obj' }>;

/** The `with` statements around the given calls, outermost first (found by walking up, not by scanning the tree). */
function enclosingWithStatements(calls: readonly Node[]): Node[] {
  const found = new Map<number, Node>();
  for (const call of calls) {
    for (let cur = call.parent; cur; cur = cur.parent) if (cur.type === 'with_statement') found.set(cur.id, cur);
  }
  return [...found.values()].sort((a, b) => a.startIndex - b.startIndex);
}

function check({ model, report }: RuleContext): void {
  const lazyCalls = model.callsNamed(...LAZY);
  if (lazyCalls.length === 0) return;
  for (const withStmt of enclosingWithStatements(lazyCalls)) {
    const pools = poolsOf(model, withStmt);
    if (pools.length === 0) continue;
    const body = withStmt.childForFieldName('body');
    if (!body) continue;
    const joins = model.callsNamedWithin(body, 'join');
    for (const call of lazyCalls) {
      if (call.startIndex < body.startIndex || call.endIndex > body.endIndex) continue;
      const m = methodCall(call);
      if (!m || !LAZY.has(m.method)) continue;
      const pool = model.eval(m.receiver).find((v): v is Obj => v.t === 'obj' && pools.some((p) => p.node.id === v.node.id));
      if (!pool) continue;
      if (model.enclosingDef(call)?.id !== model.enclosingDef(withStmt)?.id) continue;
      if (joinedAfter(model, joins, pool, call)) continue;
      const kind = m.method.startsWith('imap') ? 'iterator' : 'AsyncResult';
      const what = `\`${model.text(m.receiver)}.${m.method}(...)\``;
      // What the `with` exit's terminate() does differs (CPython 3.8-3.13): a process pool's
      // workers are killed; a ThreadPool's threads finish the task they run, the rest is dropped.
      // Either way the result handler stops, so results not yet delivered never arrive.
      const ends = pool.kind === 'threadPool'
        ? 'the thread pool drops the tasks not yet started, and no further result is delivered'
        : 'the worker processes are killed, and results not yet delivered never arrive';
      const waits = kind === 'iterator' ? 'iterating it then blocks forever' : '`get()` then blocks forever (or until its timeout)';
      const outer = escapeTarget(call);
      if (outer?.type === 'return_statement') {
        report({
          message: `May block forever: the results leave the \`with\` block that terminates the pool. The ${kind} from ${what} leaves the block unconsumed; on the way out ${ends}, so ${waits}. Consume it inside the block (e.g. \`list(...)\`, or \`.get()\`).`,
          range: nodeRange(call),
        });
        continue;
      }
      if (outer?.type !== 'identifier') continue;
      const use = useAfter(model, outer, withStmt);
      if (!use) continue;
      const fix = moveInsideFix(model, withStmt, body, use);
      report({
        message: `May block forever: these results are read after the \`with\` block that terminated the pool. \`${outer.text}\` (the ${kind} from ${what}) is used after the block; at its exit ${ends}, so ${waits}. Consume it inside the \`with\` block.`,
        range: nodeRange(use),
        related: [{ range: nodeRange(call), message: 'created inside the with block here' }],
        fixes: fix ? [fix] : [],
      });
    }
  }
}

/** `pool.join()` after the call, in the same function: every task has finished and its result
 * has been delivered before the `with` block terminates the pool. */
function joinedAfter(model: Model, joins: readonly Node[], pool: Obj, call: Node): boolean {
  const def = model.enclosingDef(call)?.id;
  return joins.some((j) => {
    if (j.startIndex < call.endIndex || model.enclosingDef(j)?.id !== def) return false;
    const m = methodCall(j);
    return !!m && m.method === 'join' && model.eval(m.receiver).some((v) => v.t === 'obj' && v.node.id === pool.node.id);
  });
}

/** `multiprocessing` pools (not executors) managed by this `with` statement. */
function poolsOf(model: Model, withStmt: Node): Obj[] {
  const out: Obj[] = [];
  for (const item of withStmt.descendantsOfType('with_item')) {
    if (item.parent?.parent?.id !== withStmt.id && item.parent?.id !== withStmt.id) continue;
    const value = item.childForFieldName('value');
    const expr = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
    for (const v of model.eval(expr)) {
      if (v.t === 'obj' && (v.kind === 'processPool' || v.kind === 'threadPool') && !v.qname.endsWith('Executor') && traitsOf(v.qname).closes && backendOf(v.qname) !== 'pathos') out.push(v);
    }
  }
  return out;
}

/** Where the lazy result goes: the name it is bound to, a `return`, or nothing we follow. */
function escapeTarget(call: Node): Node | undefined {
  let node = outermostParen(call);
  let parent = node.parent;
  // A list of AsyncResults: `[pool.apply_async(f, (x,)) for x in xs]`.
  if (parent?.type === 'list_comprehension' && parent.childForFieldName('body')?.id === node.id) {
    node = outermostParen(parent);
    parent = node.parent;
  }
  if (parent?.type === 'return_statement') return parent;
  // `pending.append(pool.apply_async(...))`: the results live in `pending`.
  if (parent?.type === 'argument_list' && parent.namedChildren.length === 1) {
    const call = parent.parent;
    const fn = call?.type === 'call' ? call.childForFieldName('function') : null;
    const receiver = fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'append' ? fn.childForFieldName('object') : null;
    if (receiver?.type === 'identifier') return receiver;
  }
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === node.id) {
    const left = parent.childForFieldName('left');
    return left?.type === 'identifier' ? left : undefined;
  }
  return undefined;
}

/** The first read of `name` after the `with` statement, unless it is rebound (consumed) inside it first. */
function useAfter(model: Model, name: Node, withStmt: Node): Node | undefined {
  const scope = model.scopes.scopeOf(name);
  const refs = referencesTo(model, scope, name.text).filter((r) => r.id !== name.id);
  const appended = isAppendReceiver(name);
  for (const r of refs) {
    // Rebound inside the block (e.g. `it = list(it)`): what survives is no longer lazy.
    if (contains(withStmt, r) && r.startIndex > name.startIndex && isRebound(r)) return undefined;
    // A list of results read inside the block too (beyond more appends): taken as consumed there.
    if (appended && contains(withStmt, r) && !isAppendReceiver(r) && !isLengthOnly(r)) return undefined;
  }
  return refs.find((r) => r.startIndex >= withStmt.endIndex && !isRebound(r));
}

/** `len(pending)`: counting the results reads none of them. */
function isLengthOnly(id: Node): boolean {
  const call = id.parent?.type === 'argument_list' ? id.parent.parent : null;
  return call?.type === 'call' && call.childForFieldName('function')?.text === 'len';
}

function isAppendReceiver(id: Node): boolean {
  const parent = id.parent;
  return parent?.type === 'attribute' && parent.childForFieldName('object')?.id === id.id && parent.childForFieldName('attribute')?.text === 'append';
}

function isRebound(id: Node): boolean {
  const parent = id.parent;
  return parent?.type === 'assignment' && parent.childForFieldName('left')?.id === id.id;
}

/** Indents the statements from the end of the `with` through the one using the result into the block. */
function moveInsideFix(model: Model, withStmt: Node, body: Node, use: Node): Fix | undefined {
  const block = withStmt.parent;
  const useStmt = enclosingStatement(use);
  if (!block || !useStmt || useStmt.parent?.id !== block.id) return undefined;
  const firstBodyLine = body.namedChildren[0]?.startPosition.row;
  if (firstBodyLine === undefined || firstBodyLine === withStmt.startPosition.row) return undefined;
  const withIndent = indentOf(model.lines.line(withStmt.startPosition.row));
  const bodyIndent = indentOf(model.lines.line(firstBodyLine));
  if (!bodyIndent.startsWith(withIndent) || bodyIndent === withIndent) return undefined;
  const unit = bodyIndent.slice(withIndent.length);
  // Everything between the block and the use moves too; so must the uses of the name after it.
  const siblings = block.namedChildren;
  const from = siblings.findIndex((s) => s.id === withStmt.id);
  const to = siblings.findIndex((s) => s.id === useStmt.id);
  if (from === -1 || to <= from) return undefined;
  const interior = stringInteriorLines(block);
  const edits: TextEdit[] = [];
  for (let l = withStmt.endPosition.row + 1; l <= useStmt.endPosition.row; l++) {
    if (interior.has(l) || model.lines.line(l).trim() === '') continue;
    edits.push({ range: { start: pos(l, 0), end: pos(l, 0) }, newText: unit });
  }
  return { title: 'Consume the results inside the `with` block', isPreferred: true, edits };
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'imap/map_async/apply_async results are consumed after the with Pool() block that terminates the pool.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
