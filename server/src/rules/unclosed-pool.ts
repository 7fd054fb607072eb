/**
 * ## What it does
 * Checks for `multiprocessing` pools (`Pool`, `ThreadPool`, also from a context) and
 * `concurrent.futures` executors that are created and used but never closed, joined, terminated
 * or shut down, and are not used as a context manager. A pool that is returned, stored on an
 * object or in a container, passed to another function, or a module-level executor that
 * functions keep using is considered managed elsewhere and is not flagged.
 *
 * ## Why is this bad?
 * A pool owns worker processes or threads and the helper threads that feed them. Left open, the
 * workers live on after their work is done; `multiprocessing` only cleans a pool up when the
 * garbage collector finalizes it (with a `ResourceWarning`), and the documentation warns that
 * relying on this "can lead to the process hanging on finalization". An executor that is never
 * shut down keeps its workers until it is garbage-collected; one that stays referenced keeps
 * them until the interpreter exits, and exit then waits for them.
 *
 * Backends ([docs/backends.md](../backends.md)): pools of `torch.multiprocessing`, `billiard`,
 * `multiprocess` and loky's `ProcessPoolExecutor` are flagged like `multiprocessing`'s. pathos
 * pools are cached and reused by design (their `with` closes nothing), joblib's `Parallel` has
 * nothing to close, and a Dask `Client` left open is closed at exit (checked: the program exits
 * normally): none of these is flagged.
 *
 * ## Example
 * ```python
 * from multiprocessing import Pool
 *
 * def main(paths):
 *     pool = Pool(4)
 *     sizes = pool.map(measure, paths)
 *     print(sum(sizes))
 * ```
 *
 * Use instead:
 * ```python
 * from multiprocessing import Pool
 *
 * def main(paths):
 *     with Pool(4) as pool:
 *         sizes = pool.map(measure, paths)
 *     print(sum(sizes))
 * ```
 *
 * ## References
 * - [Python docs: `multiprocessing.pool.Pool` (the warning about finalization)](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool)
 * - [Python docs: `Executor.shutdown`](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Executor.shutdown)
 */
import type { Node } from 'web-tree-sitter';
import { ownsItsLines, stringInteriorLines } from '../engine/fixes';
import type { Model, Value } from '../engine/model';
import { enclosingScopeNode, isNameUse, lastSiblingHolding, outermostParen, referencesTo } from '../engine/references';
import { backendOf, traitsOf } from '../engine/names';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { indentUnit, nodeRange, pos } from '../engine/text';
import type { Fix, TextEdit } from '../engine/types';
import { RULE_DOCS } from './docs.generated';

const ID = 'unclosed-pool';

type Obj = Extract<Value, { t: 'obj' }>;

/** Methods that close a pool, or hand its lifetime to a `with`. */
const CLOSERS = new Set(['close', 'join', 'terminate', 'shutdown', '__exit__', '__enter__']);
/** Builtins that certainly do not close what they are given. */
const INERT_CALLS = new Set(['print', 'len', 'repr', 'str', 'id', 'type', 'isinstance', 'hasattr', 'bool', 'format', 'vars', 'dir']);
/** Pool methods that return only once their tasks are done: a `with` block may end right after them. */
const BLOCKING = new Set(['map', 'starmap', 'apply']);
/** Pool methods whose results arrive later: safe inside a `with` only when consumed in the same statement. */
const LAZY = new Set(['imap', 'imap_unordered', 'map_async', 'starmap_async', 'apply_async']);

type Verdict = { flag: false } | { flag: true; assignment?: Node; name?: string; uses: Node[] };

function check({ model, report, file }: RuleContext): void {
  // Notebook cells run at module level, yet each re-run leaks another pool: no import-time pass.
  const notebook = /\.ipynb$/i.test(file) || file.startsWith('vscode-notebook-cell:');
  for (const call of model.callsNamed(...model.creationCallNames())) {
    if (!model.mayCreateWorkers(call)) continue;
    // pathos caches its pools and its `with` closes nothing; joblib, Dask, Ray and mpire manage
    // their workers themselves (docs/backends.md).
    const pool = model.eval(call).find((v): v is Obj => v.t === 'obj' && (v.kind === 'processPool' || v.kind === 'threadPool') && traitsOf(v.qname).closes && backendOf(v.qname) !== 'pathos');
    if (!pool) continue;
    // A pool created at import time is a module-level resource whose lifetime is the program's
    // (and starting it there is unguarded-entry-point's finding). Under the main guard a pool is
    // the script's own work, and leaving it open is the classic leak this rule is about.
    const at = model.executionContext(call).at;
    if (!notebook && at === 'import') continue;
    const verdict = judge(model, call);
    if (!verdict.flag) continue;
    const short = pool.qname.slice(pool.qname.lastIndexOf('.') + 1);
    const isExecutor = short.endsWith('Executor');
    const how = isExecutor ? '`shutdown()`' : '`close()` and `join()`';
    // Consequence first, in a sentence the Problems panel shows whole; what is true of each:
    // an executor's workers leave when it is collected, a pool's only through its finalizer.
    const message = isExecutor
      ? `Executor left open: its workers linger until it is garbage-collected. \`${short}\` is never shut down nor used as a context manager; use \`with ${short}(...) as ...:\` or call ${how}.`
      : `Pool left open: its workers outlive their work and the program may hang at exit. \`${short}\` is never closed, joined or terminated, nor used as a context manager; use \`with ${short}(...) as ...:\` or call ${how}.`;
    const fix = verdict.assignment && verdict.name ? withFix(model, call, verdict.assignment, verdict.name, verdict.uses, isExecutor) : undefined;
    report({ message, range: nodeRange(call), fixes: fix ? [fix] : [] });
  }
}

/** Whether the pool created by `call` is left open; for `name = Pool()`, the later uses of the name. */
function judge(model: Model, call: Node): Verdict {
  if (model.enclosingDef(call, true)?.type === 'lambda') return { flag: false };
  let node = outermostParen(call);
  // `Pool() if n > 1 else None`, `pool or Pool()`: follow the value outwards.
  while (node.parent && (node.parent.type === 'conditional_expression' || node.parent.type === 'boolean_operator')) {
    if (node.parent.type === 'conditional_expression' && node.parent.namedChildren[1]?.id === node.id) return { flag: false };
    node = outermostParen(node.parent);
  }
  const parent = node.parent;
  if (!parent) return { flag: false };
  switch (parent.type) {
    // A bare `Pool(...)` statement keeps nothing to close: in practice a test that the constructor raises.
    case 'expression_statement': return { flag: false };
    case 'attribute': {
      // `Pool().map(...)`: used once and dropped, unless the attribute closes it.
      const attr = parent.childForFieldName('attribute')?.text ?? '';
      return CLOSERS.has(attr) ? { flag: false } : { flag: true, uses: [] };
    }
    case 'assignment': {
      if (parent.childForFieldName('right')?.id !== node.id) return { flag: false };
      const left = parent.childForFieldName('left');
      if (left?.type !== 'identifier') return { flag: false }; // stored on an object, in a container, or unpacked
      return judgeName(model, left, parent);
    }
    default:
      // Passed to a call, returned, yielded, a `with` item, an element of a container, a default value...
      return { flag: false };
  }
}

function judgeName(model: Model, left: Node, assignment: Node): Verdict {
  const name = left.text;
  const scope = model.scopes.scopeOf(left);
  if (scope.kind === 'class' || scope.globals.has(name) || scope.nonlocals.has(name)) return { flag: false };
  const uses = referencesTo(model, scope, name).filter((id) => id.id !== left.id);
  const defAt = enclosingScopeNode(left);
  for (const use of uses) {
    // A module-level pool that functions use is a long-lived pool: its lifetime is the program's.
    if (scope.kind === 'module' && enclosingScopeNode(use) !== null) return { flag: false };
    if (scope.kind !== 'module' && enclosingScopeNode(use)?.id !== defAt?.id) return { flag: false }; // captured by a closure
    if (managesLifetime(use)) return { flag: false };
  }
  if (scope.kind === 'module' && uses.length === 0) return { flag: false }; // exported for other modules
  return { flag: true, assignment, name, uses };
}

/** Whether this use of the pool's name closes it or hands it to code that may. */
function managesLifetime(use: Node): boolean {
  const node = outermostParen(use);
  const parent = node.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'attribute':
      return parent.childForFieldName('object')?.id === node.id && CLOSERS.has(parent.childForFieldName('attribute')?.text ?? '');
    case 'with_item': case 'as_pattern': return true;
    case 'argument_list': {
      const callee = parent.parent?.childForFieldName('function');
      return !(callee?.type === 'identifier' && INERT_CALLS.has(callee.text));
    }
    case 'keyword_argument': return parent.childForFieldName('value')?.id === node.id;
    case 'return_statement': case 'yield': case 'list': case 'tuple': case 'set': case 'pair': case 'dictionary':
    case 'expression_list': case 'conditional_expression': case 'boolean_operator': case 'lambda':
      return true;
    case 'assignment': return parent.childForFieldName('right')?.id === node.id; // aliased or stored
    case 'global_statement': case 'nonlocal_statement': return true;
    case 'delete_statement': return true; // an explicit hand-over to finalization
    default: return false;
  }
}

/**
 * `pool = Pool(4)` followed by statements that use it → `with Pool(4) as pool:` over those
 * statements. Offered only when every use follows in the same block and, for a
 * `multiprocessing` pool (whose `with` terminates it), every use waits for its results.
 */
function withFix(model: Model, call: Node, assignment: Node, name: string, uses: Node[], isExecutor: boolean): Fix | undefined {
  const stmt = assignment.parent;
  const block = stmt?.parent;
  if (stmt?.type !== 'expression_statement' || !block || (block.type !== 'block' && block.type !== 'module')) return undefined;
  if (!ownsItsLines(model, stmt) || stmt.hasError || uses.length === 0) return undefined;
  const siblings = block.namedChildren;
  const at = siblings.findIndex((s) => s.id === stmt.id);
  if (!isExecutor && !uses.every((use) => waitsForResults(use))) return undefined;
  const last = lastSiblingHolding(siblings, at, uses);
  if (last === -1) return undefined;
  const lastStmt = siblings[last]!;
  const interior = stringInteriorLines(block);
  const unit = indentUnit(model.lines);
  const edits: TextEdit[] = [{ range: nodeRange(stmt), newText: `with ${model.text(call)} as ${name}:` }];
  for (let l = stmt.endPosition.row + 1; l <= lastStmt.endPosition.row; l++) {
    if (interior.has(l) || model.lines.line(l).trim() === '') continue;
    edits.push({ range: { start: pos(l, 0), end: pos(l, 0) }, newText: unit });
  }
  return { title: `Use \`with ${model.text(call).split('(')[0]}(...) as ${name}:\``, isPreferred: true, edits };
}

/** `pool.map(...)`, `list(pool.imap(...))`, `pool.map_async(...).get()`: the results are complete when the statement ends. */
function waitsForResults(use: Node): boolean {
  if (!isNameUse(use)) return false;
  const attr = use.parent;
  if (attr?.type !== 'attribute' || attr.childForFieldName('object')?.id !== use.id) return false;
  const method = attr.childForFieldName('attribute')?.text ?? '';
  const call = attr.parent;
  if (call?.type !== 'call') return false;
  if (BLOCKING.has(method)) return true;
  if (!LAZY.has(method)) return false;
  const outer = outermostParen(call);
  const parent = outer.parent;
  if (parent?.type === 'for_statement' && parent.childForFieldName('right')?.id === outer.id) return true;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'get') return true;
  const consumer = parent?.type === 'argument_list' ? parent.parent : undefined;
  const fn = consumer?.type === 'call' ? consumer.childForFieldName('function')?.text : undefined;
  return fn === 'list' || fn === 'sorted' || fn === 'tuple' || fn === 'set' || fn === 'sum' || fn === 'dict';
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'A multiprocessing pool or executor is never closed, joined, shut down nor used as a context manager.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
