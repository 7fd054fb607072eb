/**
 * ## What it does
 * Checks for locks, `multiprocessing` queues, shared `Value`/`Array` (and `RawValue`/`RawArray`)
 * objects, open files, generators, database connections, pools and executors passed as task
 * arguments of a pickle-based pool (`multiprocessing.Pool`, `ProcessPoolExecutor`): elements of a
 * `map`/`starmap` iterable, `apply_async` args, `submit` arguments, or the bound arguments of a
 * `functools.partial` used as the task.
 *
 * ## Why is this bad?
 * Task arguments travel to the workers through `pickle`, and these objects refuse it, so the task
 * never runs. `multiprocessing` locks, queues (`Queue`, `JoinableQueue`, `SimpleQueue`) and shared
 * ctypes raise `RuntimeError: ... objects should only be shared between processes through
 * inheritance`; `threading` locks, events and semaphores, open files, generators, `sqlite3`
 * connections and executors raise `TypeError: cannot pickle ...`; a `Pool` or `ThreadPool` raises
 * `NotImplementedError`. The error is raised in the parent where the task's result is read: by
 * `map` itself, by `get()` or `result()`, or while iterating `imap` or `Executor.map` results; a
 * result nobody reads hides it.
 *
 * Passing these objects to `Process(args=...)` or through the pool's `initializer=`/`initargs=`
 * is fine for `multiprocessing` locks, queues and shared values: that is inheritance. A
 * `Manager().Queue()` or `Manager().Lock()` is a picklable proxy. Sockets are fine too:
 * `multiprocessing` registers a reducer that duplicates their descriptor.
 *
 * Backends ([docs/backends.md](../backends.md)): `torch.multiprocessing`, `billiard` and
 * `ray.util.multiprocessing.Pool` tasks are checked like `multiprocessing` ones. `multiprocess`
 * and `pathos` use dill, which copies `threading` locks (as new, unrelated locks) and reopens
 * files by name, so those two are not flagged there. joblib (`Parallel(...)(delayed(f)(x) ...)`)
 * and Dask (`Client.submit`/`map`) use cloudpickle, which sends a file open for reading text as a
 * copy of its contents and refuses files opened otherwise; Dask also refuses sockets. An argument
 * that is an instance of a class of the file is followed through its `self.` attributes, and the
 * message names the path (`loader.session._lock`). mpire is not checked.
 *
 * ## Example
 * ```python
 * import multiprocessing as mp
 *
 * def work(q, x):
 *     q.put(x * x)
 *
 * if __name__ == "__main__":
 *     q = mp.Queue()
 *     with mp.Pool() as pool:
 *         pool.starmap(work, [(q, x) for x in range(10)])
 * ```
 *
 * Use instead:
 * ```python
 * import multiprocessing as mp
 *
 * def work(q, x):
 *     q.put(x * x)
 *
 * if __name__ == "__main__":
 *     q = mp.Manager().Queue()
 *     with mp.Pool() as pool:
 *         pool.starmap(work, [(q, x) for x in range(10)])
 * ```
 *
 * ## References
 * - [Python docs: multiprocessing programming guidelines, "Explicitly pass resources to child processes"](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines)
 * - [Python docs: managers](https://docs.python.org/3/library/multiprocessing.html#managers)
 * - [Python docs: what can be pickled and unpickled?](https://docs.python.org/3/library/pickle.html#what-can-be-pickled-and-unpickled)
 */
import type { Node } from 'web-tree-sitter';
import { stringValue } from '../engine/arguments';
import { type ArgPack, argumentNodes, type Model, type TaskCall, type Value } from '../engine/model';
import { type Backend, backendOf, canonical, forkRoot, type Serializer, traitsOf } from '../engine/names';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { referencesTo } from '../engine/references';
import { nodeRange, pos } from '../engine/text';
import type { Fix, TextEdit } from '../engine/types';
import { RULE_DOCS } from './docs.generated';

const ID = 'unserializable-argument';

type Obj = Extract<Value, { t: 'obj' }>;

/** Why an object cannot travel to a worker as a task argument, as CPython 3.8-3.13 reports it. */
export interface PickleFailure {
  /** The object, for the head: "a `multiprocessing.Lock`". */
  what: string;
  /** The exception pickling raises, when it is the same for every object of the kind. */
  error?: string;
  /** Why, and what to do instead: a sentence without its final period. */
  remedy: string;
}

const INHERIT = '`multiprocessing` locks, queues and shared memory reach a worker process only by inheritance';

/**
 * Why `v` cannot travel to a worker with the given serialiser. dill (multiprocess, pathos) copies
 * `threading` locks and reopens files by name; cloudpickle (joblib, loky, Dask, Ray) sends a file
 * opened for reading as a copy of its contents; neither knows sockets, which only
 * `multiprocessing`'s reducer duplicates. Checked with dill 0.3.6, joblib 1.2 and distributed
 * 2022.12 (docs/backends.md).
 */
export function pickleFailure(v: Obj, serializer: Serializer = 'pickle', backend: Backend = 'multiprocessing'): PickleFailure | undefined {
  const name = canonical(v.qname);
  const short = name.slice(name.lastIndexOf('.') + 1);
  const family = forkRoot(name);
  const viaManager = (proxy: string): string => backend === 'dask' ? `use \`distributed.${DASK_SHARED[proxy] ?? 'Lock'}\`, which Dask shares between workers` : `use a \`Manager().${proxy}()\` proxy`;
  switch (v.kind) {
    case 'lock':
      // A threading lock pickles as `_thread.lock`, which refuses; a multiprocessing one asserts
      // that a process is being spawned (RuntimeError).
      if (name.startsWith('threading.')) {
        if (serializer === 'dill') return undefined; // dill sends a new, unrelated lock
        return { what: `a \`threading.${short}\``, error: 'TypeError', remedy: `a thread lock cannot coordinate processes anyway: ${viaManager(short)}` };
      }
      if (serializer === 'cloudpickle') return { what: `a \`${family}.${short}\``, ...daskError(backend), remedy: `it reaches another process only by inheritance, which ${backendName(backend)} workers do not share: ${viaManager(short)}` };
      return { what: `a \`${family}.${short}\``, error: 'RuntimeError', remedy: `${INHERIT}: pass it through the pool's \`initializer\`/\`initargs\`, or ${viaManager(short)}` };
    case 'mpQueue': {
      const proxy = short === 'JoinableQueue' ? 'JoinableQueue' : 'Queue';
      if (serializer === 'cloudpickle') return { what: `a \`${family}.${short}\``, ...daskError(backend), remedy: `it reaches another process only by inheritance, which ${backendName(backend)} workers do not share: ${viaManager(proxy)}` };
      return { what: `a \`${family}.${short}\``, error: 'RuntimeError', remedy: `${INHERIT}: pass it through the pool's \`initializer\`/\`initargs\`, or use a \`Manager().${proxy}()\` proxy` };
    }
    case 'value': case 'array': case 'rawValue': case 'rawArray':
      if (serializer === 'cloudpickle') return { what: `a shared \`${family}.${short}\``, ...daskError(backend), remedy: `shared memory reaches another process only by inheritance, which ${backendName(backend)} workers do not share: send the data and return results` };
      return { what: `a shared \`${family}.${short}\``, error: 'RuntimeError', remedy: `${INHERIT}: pass it through the pool's \`initializer\`/\`initargs\`` };
    case 'file':
      if (serializer === 'dill') return undefined; // reopened by name in the worker
      if (serializer === 'cloudpickle') return readable(v) ? undefined : { what: 'a file not open for reading text', remedy: 'cloudpickle sends only text files open for reading (as a copy of their contents): pass the path and open the file in the worker' };
      return { what: 'an open file', error: 'TypeError', remedy: 'file objects cannot be pickled: pass the path and open the file in the worker' };
    case 'socket':
      // multiprocessing (and so multiprocess, billiard) and loky register a reducer that duplicates the descriptor.
      if (backend !== 'dask' && backend !== 'ray') return undefined;
      return { what: 'a socket', error: 'TypeError', remedy: 'sockets cannot be pickled: connect inside the worker' };
    case 'db':
      // sqlite3 is the connection checked on every CPython; other drivers fail in their own ways.
      return name.startsWith('sqlite3.')
        ? { what: 'a `sqlite3` connection', error: 'TypeError', remedy: 'connections cannot be pickled: connect inside the worker (for example in the pool\'s `initializer`)' }
        : { what: 'a database connection', remedy: 'connections cannot be pickled: connect inside the worker (for example in the pool\'s `initializer`)' };
    case 'generator': return { what: 'a generator', error: 'TypeError', remedy: 'generators cannot be pickled: pass a list' };
    case 'processPool': case 'threadPool': case 'cluster':
      if (v.kind === 'cluster') return { what: `a Dask \`${short}\``, remedy: 'a client holds its connections and event loop: inside a task, use `distributed.get_client()`' };
      // `Pool.__reduce__` refuses outright; an executor fails on the thread lock it holds.
      return short.endsWith('Executor')
        ? { what: `a \`${short}\``, error: 'TypeError', remedy: 'an executor holds thread locks and queues that cannot be pickled: submit follow-up work from the parent' }
        : { what: `a \`${short}\``, error: 'NotImplementedError', remedy: 'pools refuse to be pickled: submit follow-up work from the parent' };
    default: return undefined;
  }
}

/** Dask's own coordination objects, by the multiprocessing object they replace. */
const DASK_SHARED: Record<string, string> = { Queue: 'Queue', JoinableQueue: 'Queue', Semaphore: 'Semaphore', BoundedSemaphore: 'Semaphore', Event: 'Event' };

/** The exception class distributed 2022.12 raises; joblib wraps every failure in a PicklingError. */
function daskError(backend: Backend): { error?: string } {
  return backend === 'dask' ? { error: 'RuntimeError' } : {};
}

function backendName(backend: Backend): string {
  return backend === 'dask' ? 'Dask' : backend === 'joblib' ? 'joblib' : backend === 'ray' ? 'Ray' : backend;
}

/** `open(path)` / `open(path, "r")`: a file cloudpickle can send (as a copy of its contents). */
function readable(v: Obj): boolean {
  if (v.node.type !== 'call' || !v.qname.endsWith('open')) return false;
  const args = argumentNodes(v.node);
  const mode = args.positional[1] ?? args.keywords.get('mode');
  if (!mode) return true;
  const text = stringValue(mode);
  return text !== undefined && !text.includes('b') && (text.includes('r') || text.includes('+'));
}

/** Where a task's pickling error surfaces in the parent, for a pool or executor method. */
export function whereRaised(task: TaskCall): string {
  const executor = task.executor.qname.endsWith('Executor');
  if (task.executor.kind === 'cluster') return `\`${task.method}\` raises it`; // distributed serialises at submission
  // Run with billiard 4.1 (Debian): `apply_async(...).get(timeout=...)` and `map_async` timed out
  // instead of raising, and nothing was printed.
  if (backendOf(task.executor.qname) === 'billiard') return 'billiard (4.1) may never deliver its result: `get()` and `map` then wait forever, printing nothing';
  switch (task.method) {
    case 'delayed': return 'the `Parallel(...)` call raises it (PicklingError: Could not pickle the task to send it to the workers)';
    case 'amap': case 'apipe': return '`get()` raises it';
    case 'uimap': return 'iterating the results raises it';
    case 'submit': return 'the Future\'s `result()` raises it';
    case 'run_in_executor': return 'awaiting the result raises it';
    case 'imap': case 'imap_unordered': return 'iterating the results raises it';
    case 'map': return executor ? 'iterating the results raises it' : '`map` raises it';
    case 'apply_async': case 'map_async': case 'starmap_async': return '`get()` raises it';
    default: return `\`${task.method}\` raises it`;
  }
}

const MANAGER_CAPABLE = new Set(['Queue', 'JoinableQueue', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event', 'Barrier']);

const TASK_KINDS: ReadonlySet<string> = new Set(['processPool', 'cluster', 'parallel']);

/** An object that fails to pickle, reached from an argument directly or through instance attributes (`loader.session._lock`). */
interface Held { v: Obj; path: string[] }

function heldFailure(model: Model, v: Value, serializer: Serializer, backend: Backend, depth = 0): { held: Held; failure: PickleFailure } | undefined {
  if (v.t === 'obj') {
    const failure = pickleFailure(v, serializer, backend);
    return failure ? { held: { v, path: [] }, failure } : undefined;
  }
  if (v.t !== 'inst' || depth > 2) return undefined;
  for (const [name, rights] of model.pickledAttributes(v.cls)) {
    for (const right of rights) {
      for (const inner of model.eval(right)) {
        const found = heldFailure(model, inner, serializer, backend, depth + 1);
        if (found) return { held: { v: found.held.v, path: [name, ...found.held.path] }, failure: found.failure };
      }
    }
  }
  return undefined;
}

function check({ model, report }: RuleContext): void {
  for (const task of model.tasks()) {
    if (!TASK_KINDS.has(task.executor.kind) || task.role !== 'task') continue;
    const { serializer } = traitsOf(task.executor.qname);
    const backend = backendOf(task.executor.qname);
    // mpire pickles arguments through its queues' feeder threads: where that error surfaces is unchecked.
    if (backend === 'mpire') continue;
    for (const { arg, at } of taskArguments(model, task)) {
      for (const value of model.eval(arg)) {
        const found = heldFailure(model, value, serializer, backend);
        if (!found) continue;
        const { held: { v, path }, failure: d } = found;
        const pool = task.method === 'delayed' ? 'Parallel' : canonical(task.executor.qname).slice(canonical(task.executor.qname).lastIndexOf('.') + 1);
        const inside = v.node.startIndex >= task.site.startIndex && v.node.endIndex <= task.site.endIndex;
        // A stdlib Manager proxy is only known to work for the stdlib's own workers (and joblib's, by hand).
        const fix = path.length === 0 && (backend === 'multiprocessing' || backend === 'torch') ? managerFix(model, v) : undefined;
        const how = serializer === 'pickle' ? 'pickled' : `pickled by ${serializer}`;
        const argText = model.text(at);
        const holder = path.length > 0 ? `, which holds it at \`${argText}.${path.join('.')}\`,` : '';
        const method = task.method === 'delayed' ? 'Parallel(...)(delayed(...)(...))' : `${pool}.${task.method}`;
        // Consequence first, in a head with no user text so the Problems panel shows it whole.
        report({
          message: `Task fails before it runs: ${d.what} cannot be ${how}${d.error ? ` (${d.error})` : ''}. \`${argText}\`${holder} is passed to \`${method}\`, and ${whereRaised(task)}; ${d.remedy}.`,
          range: nodeRange(at),
          related: inside ? [] : [{ range: nodeRange(v.node), message: 'created here' }],
          fixes: fix ? [fix] : [],
        });
        break;
      }
    }
  }
}

/** Every argument expression a task's invocation receives, with the node to report at the call site. */
function taskArguments(model: Model, task: TaskCall): { arg: Node; at: Node }[] {
  const out: { arg: Node; at: Node }[] = [];
  const seen = new Set<number>();
  const add = (arg: Node | undefined, pack: ArgPack | undefined): void => {
    if (!arg || seen.has(arg.id)) return;
    seen.add(arg.id);
    const inCall = arg.startIndex >= task.site.startIndex && arg.endIndex <= task.site.endIndex;
    out.push({ arg, at: inCall ? arg : pack?.site ?? task.callable });
  };
  for (const pack of task.packs) {
    for (const arg of pack.positional) add(arg, pack);
    for (const arg of pack.keywords.values()) add(arg, pack);
  }
  for (const v of model.eval(task.callable)) {
    if (v.t !== 'partial') continue;
    for (const arg of v.args) add(arg, undefined);
    for (const arg of v.keywords.values()) add(arg, undefined);
  }
  return out;
}

/** `mp.Queue()` → `mp.Manager().Queue()`, when the creation runs in the parent and can name `Manager`. */
function managerFix(model: Model, v: Obj): Fix | undefined {
  if (v.kind !== 'lock' && v.kind !== 'mpQueue') return undefined;
  const short = canonical(v.qname).slice(canonical(v.qname).lastIndexOf('.') + 1);
  if (!MANAGER_CAPABLE.has(short) || !canonical(v.qname).startsWith('multiprocessing.')) return undefined;
  if (v.node.type !== 'call' || model.executionContext(v.node).at === 'import') return undefined;
  const fn = v.node.childForFieldName('function');
  if (!fn) return undefined;
  let replacement: string | undefined;
  if (fn.type === 'attribute') {
    const object = fn.childForFieldName('object');
    const attr = fn.childForFieldName('attribute')?.text;
    if (!object || attr !== short) return undefined;
    const isModule = model.eval(object).some((o) => (o.t === 'ref' && o.qname === 'multiprocessing') || (o.t === 'obj' && o.kind === 'context'));
    if (isModule) replacement = `${model.text(object)}.Manager().${short}`;
  } else if (fn.type === 'identifier') {
    for (const [name, bindings] of model.scopes.module.bindings) {
      const qname = bindings.length === 1 && bindings[0]?.k === 'import' ? bindings[0].qname : undefined;
      if (qname === 'multiprocessing.Manager') { replacement = `${name}().${short}`; break; }
      if (qname === 'multiprocessing') replacement ??= `${name}.Manager().${short}`;
    }
  }
  if (!replacement) return undefined;
  return {
    title: `Create it with \`${replacement}()\` (a picklable proxy)`,
    isPreferred: true,
    edits: [{ range: nodeRange(fn), newText: replacement }, ...dropLastUse(model, fn)],
  };
}

/**
 * `from multiprocessing import Lock, Manager`: when the call being replaced was the imported
 * name's only use, the name leaves the import too, so the fix leaves no unused import behind.
 */
function dropLastUse(model: Model, fn: Node): TextEdit[] {
  if (fn.type !== 'identifier') return [];
  const bindings = model.lookup(fn);
  const binding = bindings?.length === 1 ? bindings[0] : undefined;
  // The binding is the name's identifier, inside the dotted name listed by the statement.
  const item = binding?.k === 'import' ? binding.node.parent : undefined;
  const statement = item?.parent;
  if (!item || item.type !== 'dotted_name' || statement?.type !== 'import_from_statement') return [];
  const uses = referencesTo(model, model.scopes.module, fn.text).filter((id) => id.id !== binding?.node.id);
  if (uses.length !== 1) return [];
  const names = statement.childrenForFieldName('name').filter((n): n is Node => n !== null);
  const at = names.findIndex((n) => n.id === item.id);
  if (at < 0) return [];
  if (names.length === 1) {
    // The whole statement goes, with its line.
    return [{ range: { start: pos(statement.startPosition.row, 0), end: pos(statement.endPosition.row + 1, 0) }, newText: '' }];
  }
  const [start, end] = at + 1 < names.length ? [item.startPosition, names[at + 1]!.startPosition] : [names[at - 1]!.endPosition, item.endPosition];
  return [{ range: { start: pos(start.row, start.column), end: pos(end.row, end.column) }, newText: '' }];
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'error',
    summary: 'A lock, multiprocessing Queue, shared Value, open file, generator or connection is passed as a pool task argument.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
