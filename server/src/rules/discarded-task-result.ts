/**
 * ## What it does
 * Checks for `apply_async`, `map_async` and `starmap_async` calls on a `multiprocessing` pool
 * and `submit` calls on an executor whose result (`AsyncResult`/`Future`) is dropped, and for
 * `imap`/`imap_unordered` iterators (of process and thread pools) that are never iterated: the call
 * is a statement of its own, or its result is bound to a name that is never read again, and no
 * `error_callback` is given. Results that are kept, returned, collected in a list, passed to
 * `as_completed`/`wait`, or given a done callback are not flagged.
 *
 * ## Why is this bad?
 * A task's exception does not propagate to the caller: it is stored in the `AsyncResult` or
 * `Future`, and is raised only by `get()`/`result()`. When nobody keeps the result, the failure
 * is silently lost; the program carries on as if the task had succeeded, with missing output
 * and no traceback anywhere. This holds for process and thread pools alike: neither prints the
 * exception when the pool shuts down or when the dropped result is garbage-collected.
 *
 * Backends ([docs/backends.md](../backends.md)): `torch.multiprocessing`, `billiard`,
 * `multiprocess` and loky pools behave as above; pathos's `amap`, `apipe`, `imap` and `uimap`
 * results too. A dropped Dask `Future` is worse: Dask releases a task when its last Future goes,
 * so a task still queued never runs, and one that raises shows only in the worker's log ("Compute
 * Failed"); `fire_and_forget` is the way to run a task unobserved. joblib's `Parallel(...)(...)`
 * returns its results or raises, and Ray logs the error of an unread result: neither is flagged.
 *
 * ## Example
 * ```python
 * from multiprocessing import Pool
 *
 * def main(paths):
 *     with Pool() as pool:
 *         for path in paths:
 *             pool.apply_async(convert, (path,))
 *         pool.close()
 *         pool.join()
 * ```
 *
 * Use instead:
 * ```python
 * from multiprocessing import Pool
 *
 * def main(paths):
 *     with Pool() as pool:
 *         results = [pool.apply_async(convert, (path,)) for path in paths]
 *         for result in results:
 *             result.get()  # re-raises the task's exception here
 * ```
 *
 * ## References
 * - [Python docs: `Pool.apply_async` and `error_callback`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool.apply_async)
 * - [Python docs: `Future.result` and `Future.exception`](https://docs.python.org/3/library/concurrent.futures.html#future-objects)
 */
import type { Node } from 'web-tree-sitter';
import type { Model } from '../engine/model';
import { traitsOf } from '../engine/names';
import { outermostParen, referencesTo } from '../engine/references';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { nodeRange } from '../engine/text';
import type { Fix } from '../engine/types';
import { RULE_DOCS } from './docs.generated';

const ID = 'discarded-task-result';

const METHODS = new Set(['apply_async', 'map_async', 'starmap_async', 'submit', 'imap', 'imap_unordered', 'uimap', 'amap', 'apipe']);

/** Methods returning a lazy iterator of results: dropped, none of the tasks' exceptions is ever raised. */
const ITERATORS = new Set(['imap', 'imap_unordered', 'uimap']);

function check({ model, report }: RuleContext): void {
  const seen = new Set<number>();
  for (const task of model.tasks()) {
    if (task.role !== 'task' || !METHODS.has(task.method) || seen.has(task.site.id)) continue;
    const kind = task.executor.kind;
    if (kind !== 'processPool' && kind !== 'threadPool' && kind !== 'cluster') continue;
    if (!traitsOf(task.executor.qname).keepResult) continue;
    // An executor's `submit` is the only method of these an executor has; Dask's `map` returns futures.
    if (ITERATORS.has(task.method) && (task.executor.qname.endsWith('Executor') || kind === 'cluster')) continue;
    seen.add(task.site.id);
    const args = task.site.childForFieldName('arguments');
    if (!args || args.namedChildren.some((a) => a.type === 'dictionary_splat')) continue;
    const isFuture = task.method === 'submit';
    const isIterator = ITERATORS.has(task.method);
    if (!isFuture && !isIterator && args.namedChildren.some((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'error_callback')) continue;
    const dropped = isDiscarded(model, task.site);
    if (!dropped || expectedToRaise(task.site)) continue;
    const fn = model.text(task.callable);
    const receiver = task.site.childForFieldName('function')?.childForFieldName('object');
    const call = `${receiver ? model.text(receiver) : 'pool'}.${task.method}`;
    // Verified on CPython 3.8-3.13 for Pool, ThreadPool and both executors: the exception stays in
    // the dropped result; nothing is printed, not at shutdown nor when the result is collected.
    const message = kind === 'cluster' && dropped.name !== undefined
      // A Future kept in a local that is never read still holds its task until the name lets go.
      ? `Failures of this task are lost: its Dask \`Future\` \`${dropped.name}\` is never read. If \`${fn}\` raises in \`${call}(...)\`, only the worker's log says so ("Compute Failed"), and Dask cancels the task if it has not finished once \`${dropped.name}\` no longer holds it (rebound, or the function returned): it releases a task when its last Future goes. Call \`${dropped.name}.result()\` (or \`distributed.wait\`), or use \`fire_and_forget\` if it is meant to run unobserved.`
      : kind === 'cluster'
      ? `Task may never run and its failure is lost: its Dask \`Future\` is dropped. Dask releases a task when its last Future goes, so \`${fn}\` in \`${call}(...)\` is cancelled if it has not started, and if it raises only the worker's log says so ("Compute Failed"). Keep the Future and call \`result()\` (or \`distributed.wait\`), or use \`fire_and_forget\` if it is meant to run unobserved.`
      : isIterator
      ? `Failures of these tasks are lost: the iterator \`${task.method}\` returns is never iterated. An exception raised by \`${fn}\` in \`${call}(...)\` is only raised while iterating the results, which nobody does: nothing is printed and the program carries on. Iterate the results (\`for _ in ${call}(...): pass\`), or use \`map\`.`
      : task.method === 'amap' || task.method === 'apipe'
      ? `Failures of this task are lost: the result of \`${call}(...)\` is dropped. If \`${fn}\` raises, the exception is stored in that result, which nobody reads: nothing is printed and the program carries on. Keep the result and call \`get()\`.`
      : isFuture
      ? `Failures of this task are lost: its \`Future\` is dropped. If \`${fn}\` raises in \`${call}(...)\`, the exception is stored in the Future, which nobody reads: nothing is printed and the program carries on. Keep the Future and call \`result()\`, or add a done callback that checks \`exception()\`.`
      : `Failures of this task are lost: its \`AsyncResult\` is dropped and there is no \`error_callback\`. If \`${fn}\` raises in \`${call}(...)\`, the exception is stored in the result, which nobody reads: nothing is printed and the program carries on. Keep the result and call \`get()\`, or pass \`error_callback=\`.`;
    const fix = isFuture || isIterator || kind === 'cluster' || task.method === 'amap' || task.method === 'apipe' ? undefined : errorCallbackFix(args);
    report({ message, range: nodeRange(task.site), fixes: fix ? [fix] : [] });
  }
}

/** Inside `with pytest.raises(...)` or `with self.assertRaises(...)`: the submission itself is expected to fail. */
function expectedToRaise(call: Node): boolean {
  for (let up = call.parent; up && up.type !== 'function_definition'; up = up.parent) {
    if (up.type === 'with_statement' && /\b(raises|assertRaises\w*)\s*\(/.test(up.namedChildren.find((c) => c.type === 'with_clause')?.text ?? '')) return true;
  }
  return false;
}

/**
 * Whether the value of `call` is dropped: a bare statement or a bare comprehension of it (no
 * name), or a local that is never read (its name); false otherwise.
 */
function isDiscarded(model: Model, call: Node): { name?: string } | false {
  let node = outermostParen(call);
  let parent = node.parent;
  // `[pool.apply_async(f, (x,)) for x in xs]` as a statement drops every result.
  if (parent && (parent.type === 'list_comprehension' || parent.type === 'generator_expression' || parent.type === 'set_comprehension') && parent.childForFieldName('body')?.id === node.id) {
    node = outermostParen(parent);
    parent = node.parent;
  }
  if (!parent) return false;
  if (parent.type === 'expression_statement') return {};
  if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === node.id && parent.parent?.type === 'expression_statement') {
    const left = parent.childForFieldName('left');
    if (left?.type !== 'identifier') return false;
    const scope = model.scopes.scopeOf(left);
    if (scope.kind === 'module' || scope.kind === 'class' || scope.globals.has(left.text) || scope.nonlocals.has(left.text)) return false;
    return referencesTo(model, scope, left.text).every((id) => isAssignedTarget(id)) ? { name: left.text } : false;
  }
  return false;
}

function isAssignedTarget(id: Node): boolean {
  const parent = id.parent;
  return (parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.id === id.id && parent.type === 'assignment';
}

/** Adds `error_callback=print` to the call: the task's exception is then at least reported. */
function errorCallbackFix(args: Node): Fix | undefined {
  const items = args.namedChildren.filter((c) => c.type !== 'comment');
  const last = items[items.length - 1];
  if (!last || args.hasError) return undefined;
  const at = nodeRange(last).end;
  return {
    title: 'Add `error_callback=print` so that the task\'s exception is reported',
    isPreferred: true,
    edits: [{ range: { start: at, end: at }, newText: ', error_callback=print' }],
  };
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'The AsyncResult or Future of apply_async/submit is dropped without an error_callback: the task\'s exception is lost.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
