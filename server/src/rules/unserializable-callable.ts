/**
 * ## What it does
 * Checks for lambdas, nested functions, locally defined classes (their instances and methods),
 * and `functools.partial`s of these, passed as a task, a `Process` target or an `initializer` to a
 * pickle-based pool: `multiprocessing.Pool` (also from a context), `ProcessPoolExecutor`, and
 * `multiprocessing.Process` unless it is explicitly started by `fork`. A module-level function
 * whose same-file decorator replaces it with a nested wrapper lacking `functools.wraps` counts
 * too: pickle looks the wrapper up as `decorator.<locals>.wrapper`. Names imported from the
 * project's own modules (`from tasks import work`, `tasks.work`, relative imports) are judged by
 * what those modules define, with the definition shown in the other file.
 *
 * ## Why is this bad?
 * These pools send the callable to the worker with `pickle`, which stores functions and classes
 * by their importable, module-level name. A lambda, a function defined inside another function or
 * a class defined inside a function has no such name, so the task fails before any worker runs
 * it: a module-level lambda with `PicklingError`, anything defined inside a function with
 * `AttributeError: Can't pickle local object` (`PicklingError` from Python 3.14). The parent
 * sees the error where it reads the result: `map` raises it, as do `get()`, `result()` and
 * iterating `imap` or `Executor.map` results. A `Process` target or a pool `initializer` is
 * pickled only under the spawn and forkserver start methods (the default on macOS and Windows,
 * and on Linux from Python 3.14): then `start()`, `Pool(...)` or an executor's first `submit()`
 * raises.
 *
 * In a notebook, functions defined in cells live in the kernel's `__main__`, which a spawned
 * worker cannot re-import: the worker dies loading the task, so a `Pool` hangs and an executor
 * breaks with `BrokenProcessPool`. The quick fix "Move `f` to `<notebook>_tasks.py`" moves the
 * function, with the imports and other notebook functions it uses, to a module beside the notebook
 * (the kernel's usual working directory) and imports it back; it is not offered when the function
 * reads other notebook variables (see [moving notebook functions](../notebook-move-fix.md)).
 *
 * Thread pools (`ThreadPoolExecutor`, `multiprocessing.dummy`, `ThreadPool`) do not pickle, and
 * joblib/loky, `multiprocess`, pathos, Ray and Dask use cloudpickle or dill, which handle these
 * objects: they are not flagged. Module-level functions, builtins and bound methods of module-level
 * classes pickle fine, unless the instance holds something that does not: a bound method is
 * pickled with its instance, so `pool.map(self.work, xs)` fails when `self` keeps the pool or
 * executor itself, a lock, an open file or a connection (a class with `__getstate__` or
 * `__reduce__` decides for itself). `multiprocessing` locks and queues held by the instance are
 * fine for a `Process` target or `initializer`, which are pickled while the process starts.
 *
 * Backends ([docs/backends.md](../backends.md)): pools of `torch.multiprocessing` and `billiard`
 * pickle like `multiprocessing`, and so does `torch.multiprocessing.spawn(fn, ...)`, whose `fn`
 * is pickled into each spawned process. `multiprocess` and `pathos` (dill), joblib, loky, Dask
 * and Ray (cloudpickle) send lambdas and nested functions by value, and mpire's forked workers
 * inherit the function: none of these is flagged.
 *
 * ## Example
 * ```python
 * from concurrent.futures import ProcessPoolExecutor
 *
 * def main():
 *     with ProcessPoolExecutor() as ex:
 *         print(list(ex.map(lambda x: x * x, range(10))))
 * ```
 *
 * Use instead:
 * ```python
 * from concurrent.futures import ProcessPoolExecutor
 *
 * def square(x):
 *     return x * x
 *
 * def main():
 *     with ProcessPoolExecutor() as ex:
 *         print(list(ex.map(square, range(10))))
 * ```
 *
 * ## References
 * - [Python docs: what can be pickled and unpickled?](https://docs.python.org/3/library/pickle.html#what-can-be-pickled-and-unpickled)
 * - [Python docs: multiprocessing programming guidelines](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines)
 */
import type { Node } from 'web-tree-sitter';
import { capturesLocals, NameAllocator, ownsItsLines, stringInteriorLines } from '../engine/fixes';
import { topLevelStatement } from '../engine/guards';
import { argumentNodes, type Model, type TaskCall, type Value } from '../engine/model';
import { canonical, traitsOf } from '../engine/names';
import { moveToModuleFix } from '../engine/moveToModule';
import { passedTasks } from '../engine/passedTasks';
import { neverStarted } from '../engine/processStarts';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { indentOf, indentUnit, nodeRange, pos } from '../engine/text';
import type { Fix, RelatedLocation, TextEdit } from '../engine/types';
import { RULE_DOCS } from './docs.generated';
import { pickleFailure, whereRaised } from './unserializable-argument';

const ID = 'unserializable-callable';

interface Problem {
  /** Names the object in the message's detail: "Nested function `inner`". */
  what: string;
  /** Names its kind in the message's head, briefly: "a nested function". */
  noun: string;
  /** The exception pickling raises, when every CPython raises the same one. */
  error?: string;
  /** Why pickle refuses it, in the detail. */
  why: string;
  /** What to do instead. */
  remedy: string;
  /** Where the unpicklable object is defined. */
  definedAt: Node;
  /** The lambda or nested def itself, when a fix may move it. */
  movable?: Node;
  relatedMessage?: string;
}

/** Whether the task's callable is pickled on its way to the worker. */
export function isPickledSubmission(model: Model, task: TaskCall): boolean {
  const kind = task.executor.kind;
  // dill (multiprocess, pathos) and cloudpickle (joblib, loky, Dask, Ray) pickle lambdas and
  // nested functions by value; mpire forks by default, so its workers inherit the function.
  const traits = traitsOf(task.executor.qname);
  if (traits.serializer !== 'pickle' || !traits.reimports) return false;
  const fork = task.executor.start === 'fork' || (task.executor.start === undefined && model.globalStart === 'fork');
  if (kind === 'processPool') return task.role === 'task' || !fork;
  if (kind === 'process' || kind === 'processGroup') return !fork;
  return false;
}

function nameOf(def: Node): string {
  return def.childForFieldName('name')?.text ?? '?';
}

// CPython 3.8-3.13 raise AttributeError for an object whose qualified name has `<locals>` in it,
// 3.14 PicklingError; both say "Can't pickle local object".
const LOCAL = 'pickle stores functions and classes by their module-level name';

/** Why pickle cannot find an object defined inside `outer`, by the kind of object. */
function localWhy(model: Model, node: Node, what: string): string {
  const outer = model.enclosingDef(node);
  const inside = outer?.type === 'function_definition' ? `\`${nameOf(outer)}\`` : 'a function';
  return `${LOCAL}, and ${what} defined inside ${inside} has none (AttributeError: Can't pickle local object; PicklingError from Python 3.14)`;
}

/** Why a value cannot be pickled by reference, if it cannot. */
function problemOf(model: Model, v: Value, spawning: boolean, depth = 0): Problem | undefined {
  // A value imported from another project module is judged by that module's model.
  const node = v.t === 'lambda' ? v.node : v.t === 'func' || v.t === 'method' || v.t === 'class' ? v.def : v.t === 'inst' ? v.cls : undefined;
  const owner = node && model.ownerOf(node);
  if (owner && owner !== model) return problemOf(owner, v, spawning, depth);
  switch (v.t) {
    case 'lambda':
      if (model.enclosingDef(v.node)) return { what: '`lambda`', noun: 'a lambda', why: localWhy(model, v.node, 'a lambda'), remedy: 'use a module-level function', definedAt: v.node, movable: v.node };
      // At module level the lookup of `<lambda>` in the module fails: PicklingError everywhere.
      return { what: '`lambda`', noun: 'a lambda', error: 'PicklingError', why: `${LOCAL}, and a lambda has none`, remedy: 'use a module-level function', definedAt: v.node, movable: v.node };
    case 'func': {
      if (model.enclosingDef(v.def)) return { what: `Nested function \`${nameOf(v.def)}\``, noun: 'a nested function', why: localWhy(model, v.def, 'a function'), remedy: 'define it at module level', definedAt: v.def, movable: v.def };
      const wrapper = unwrappedDecoration(model, v.def);
      if (!wrapper) return undefined;
      return {
        what: `\`${nameOf(v.def)}\``,
        noun: 'a decorated function',
        why: `its decorator \`${wrapper.decorator}\` replaces it with the nested function \`${nameOf(wrapper.def)}\` without \`functools.wraps\`, which pickle cannot find by name (AttributeError: Can't pickle local object; PicklingError from Python 3.14)`,
        remedy: `decorate \`${nameOf(wrapper.def)}\` with \`@functools.wraps(...)\``,
        definedAt: wrapper.def,
        relatedMessage: 'the wrapper that replaces the function, defined here',
      };
    }
    case 'class':
      if (model.enclosingDef(v.def)) return { what: `Locally defined class \`${nameOf(v.def)}\``, noun: 'a local class', why: localWhy(model, v.def, 'a class'), remedy: 'define the class at module level', definedAt: v.def };
      return undefined;
    case 'inst':
      if (model.enclosingDef(v.cls)) return { what: `Instance of locally defined class \`${nameOf(v.cls)}\``, noun: 'a local class\'s instance', why: `an instance is pickled with a reference to its class; ${localWhy(model, v.cls, 'a class')}`, remedy: 'define the class at module level', definedAt: v.cls };
      return undefined;
    case 'method': {
      if (model.enclosingDef(v.cls)) return { what: `Method \`${nameOf(v.cls)}.${nameOf(v.def)}\` of a locally defined class`, noun: 'a local class\'s method', why: `a method is pickled with a reference to its class; ${localWhy(model, v.cls, 'a class')}`, remedy: 'define the class at module level', definedAt: v.cls };
      if (!v.bound) return undefined;
      // A bound method pickles its instance, and with it every attribute.
      const held = model.selfAttributeOfKind(v.cls, UNPICKLABLE_ATTRIBUTE, spawning ? inheritable : undefined);
      if (!held) return undefined;
      const failure = pickleFailure(held.value);
      return {
        what: `Bound method \`${nameOf(v.cls)}.${nameOf(v.def)}\``,
        noun: 'a bound method',
        ...(failure?.error ? { error: failure.error } : {}),
        why: `pickling it pickles the instance, whose \`${held.name}\` attribute is ${failure?.what ?? 'an object that cannot be pickled'}`,
        remedy: `leave \`${held.name}\` out of the pickled state (\`__getstate__\`), or pass a module-level function`,
        definedAt: held.at,
        relatedMessage: `\`self.${held.name}\` is assigned here`,
      };
    }
    case 'partial': {
      if (depth > 3) return undefined;
      for (const inner of [v.func, ...v.args, ...v.keywords.values()]) {
        if (!inner) continue;
        for (const iv of model.eval(inner)) {
          const p = problemOf(model, iv, spawning, depth + 1);
          if (p) return { ...p, noun: `a \`partial\` of ${p.noun}`, what: `\`functools.partial\` of ${p.what.charAt(0).toLowerCase()}${p.what.slice(1)}`.replace('of `lambda`', 'of a `lambda`'), movable: undefined };
        }
      }
      return undefined;
    }
    default: return undefined;
  }
}

/** Objects whose presence in an instance's attributes makes the instance unpicklable. */
const UNPICKLABLE_ATTRIBUTE: ReadonlySet<string> = new Set(['processPool', 'threadPool', 'cluster', 'lock', 'mpQueue', 'file', 'db', 'generator', 'value', 'array']);

/** `multiprocessing` locks, queues and shared values pickle while a process is being started
 * (a `Process` target, an `initializer`): that is how they are inherited. */
function inheritable(v: Extract<Value, { t: 'obj' }>): boolean {
  return ['lock', 'mpQueue', 'value', 'array'].includes(v.kind) && !canonical(v.qname).startsWith('threading.');
}

/**
 * A same-file decorator on a module-level function that returns one of its own nested functions
 * without `functools.wraps`: the module name then holds `decorator.<locals>.wrapper`.
 */
function unwrappedDecoration(model: Model, def: Node): { decorator: string; def: Node } | undefined {
  const decorated = def.parent?.type === 'decorated_definition' ? def.parent : undefined;
  if (!decorated) return undefined;
  for (const decorator of decorated.namedChildren.filter((c) => c.type === 'decorator')) {
    const expr = decorator.namedChildren[0];
    if (!expr) continue;
    // `@logged` is the decorator; `@retry(3)` returns it.
    const factory = expr.type === 'call';
    for (const v of model.eval(factory ? expr.childForFieldName('function') : expr)) {
      if (v.t !== 'func') continue;
      const decoratorDef = factory ? returnedNestedDef(model, v.def) : v.def;
      const wrapper = decoratorDef && returnedNestedDef(model, decoratorDef);
      if (wrapper && !copiesIdentity(model, wrapper, decoratorDef)) return { decorator: model.text(expr), def: wrapper };
    }
  }
  return undefined;
}

/** The nested function `def` returns by name (`return wrapper`), if any. */
function returnedNestedDef(model: Model, def: Node): Node | undefined {
  const body = def.childForFieldName('body');
  if (!body) return undefined;
  for (const ret of body.descendantsOfType('return_statement')) {
    if (model.enclosingDef(ret)?.id !== def.id) continue;
    const value = ret.namedChildren[0];
    if (value?.type !== 'identifier') continue;
    for (const v of model.eval(value)) {
      if (v.t === 'func' && model.enclosingDef(v.def)?.id === def.id) return v.def;
    }
  }
  return undefined;
}

/** `@functools.wraps(fn)` on the wrapper, or `functools.update_wrapper(wrapper, fn)` in the decorator. */
function copiesIdentity(model: Model, wrapper: Node, decoratorDef: Node): boolean {
  const decorated = wrapper.parent?.type === 'decorated_definition' ? wrapper.parent : undefined;
  if (decorated?.namedChildren.some((c) => c.type === 'decorator' && /\bwraps\s*\(/.test(model.text(c)))) return true;
  return /\bupdate_wrapper\s*\(/.test(model.text(decoratorDef)) || /\.__qualname__\s*=/.test(model.text(decoratorDef));
}

function poolName(task: TaskCall): string {
  const q = canonical(task.executor.qname);
  return q.slice(q.lastIndexOf('.') + 1);
}

/**
 * Consequence first, in a head that names no user code so the Problems panel shows it whole:
 * a task fails where its result is read; a `Process` target or a pool initializer fails only
 * under spawn and forkserver, when the process starts.
 */
function message(model: Model, task: TaskCall, problem: Problem): string {
  const error = problem.error ? ` (${problem.error})` : '';
  if (task.role === 'task') {
    return `Task fails before it runs: ${problem.noun} cannot be pickled${error}. ${problem.what} is passed to \`${poolName(task)}.${task.method}\`, and ${whereRaised(task)}: ${problem.why}. Instead, ${problem.remedy}.`;
  }
  const start = explicitStart(model, task);
  const when = start === 'spawn' || start === 'forkserver' ? '' : ' under spawn and forkserver';
  const fails = task.role === 'target'
    ? task.executor.kind === 'processGroup' ? `\`${task.method}()\` fails${when}: the function` : `\`start()\` fails${when}: the target`
    : poolName(task).endsWith('Executor') ? `The first \`submit()\` fails${when}: the initializer` : `Creating the pool fails${when}: the initializer`;
  const defaults = when ? ' Spawn is the default on macOS and Windows, and forkserver on Linux from Python 3.14.' : '';
  return `${fails} cannot be pickled${error}. ${problem.what} is sent to the new process pickled: ${problem.why}. Instead, ${problem.remedy}.${defaults}`;
}

function check({ model, report, file, notebook }: RuleContext): void {
  if (isNotebook(file)) checkNotebook(model, report, (def) => moveToModuleFix(model, def, file, notebook));
  let names: NameAllocator | undefined;
  const movedDefs = new Map<number, Fix | null>();
  const claimed = new Set<string>();
  for (const task of model.tasks()) {
    if (!isPickledSubmission(model, task)) continue;
    if (task.role === 'target' && task.executor.kind === 'process' && neverStarted(model, task.site)) continue;
    let problem: Problem | undefined;
    for (const v of model.eval(task.callable)) {
      problem = problemOf(model, v, task.role !== 'task');
      if (problem) break;
    }
    if (!problem) continue;
    const related: RelatedLocation[] = [];
    // Defined in another project module: the related location is in that file, and no fix edits it.
    const elsewhere = model.fileOf(problem.definedAt);
    const inside = !elsewhere && problem.definedAt.startIndex >= task.callable.startIndex && problem.definedAt.endIndex <= task.callable.endIndex;
    if (!inside) related.push({ ...(elsewhere ? { file: elsewhere } : {}), range: nodeRange(problem.definedAt.childForFieldName('name') ?? problem.definedAt), message: problem.relatedMessage ?? (elsewhere && !model.enclosingDef(problem.definedAt) ? 'defined here' : 'defined here, inside a function') });
    const fixes: Fix[] = [];
    const movable = elsewhere ? undefined : problem.movable;
    if (movable?.type === 'lambda' && movable.id === task.callable.id) {
      names ??= new NameAllocator(model);
      const fix = lambdaFix(model, movable, names);
      if (fix) fixes.push(fix);
    } else if (movable?.type === 'function_definition') {
      let fix = movedDefs.get(movable.id);
      if (fix === undefined) {
        names ??= new NameAllocator(model);
        fix = nestedDefFix(model, movable, claimed) ?? null;
        movedDefs.set(movable.id, fix);
      }
      if (fix) fixes.push(fix);
    }
    report({ message: message(model, task, problem), range: nodeRange(task.callable), related, fixes });
  }
  // Passed here to another module's function that submits it there: judged at the argument.
  for (const { task, owner, argument } of passedTasks(model)) {
    const problem = isPickledSubmission(owner, task) ? model.eval(argument).map((v) => problemOf(model, v, task.role !== 'task')).find((p) => p) : undefined;
    if (!problem) continue;
    const elsewhere = model.fileOf(problem.definedAt);
    const related: RelatedLocation[] = [{ file: model.fileOf(task.site)!, range: nodeRange(task.site), message: task.role === 'task' ? 'submitted to the pool here' : 'the process is created here' }];
    if (elsewhere || problem.definedAt.startIndex < argument.startIndex || problem.definedAt.endIndex > argument.endIndex) related.push({ ...(elsewhere ? { file: elsewhere } : {}), range: nodeRange(problem.definedAt.childForFieldName('name') ?? problem.definedAt), message: 'defined here' });
    const fix = !elsewhere && problem.movable?.id === argument.id && argument.type === 'lambda' ? lambdaFix(model, argument, (names ??= new NameAllocator(model))) : undefined;
    report({ message: message(model, task, problem), range: nodeRange(argument), related, fixes: fix ? [fix] : [] });
  }
}

/** Whether the analysed source is a notebook's code cells (an `.ipynb` file or its cells). */
function isNotebook(file: string): boolean {
  return /\.ipynb$/i.test(file) || file.startsWith('vscode-notebook-cell:');
}

/** The start method a task's workers are created by, when the program says so explicitly. */
export function explicitStart(model: Model, task: TaskCall): string | undefined {
  if (task.executor.start) return task.executor.start;
  const mpContext = task.executor.node.type === 'call' ? argumentNodes(task.executor.node).keywords.get('mp_context') : undefined;
  for (const v of model.eval(mpContext)) if (v.t === 'obj' && v.kind === 'context' && v.start) return v.start;
  return model.globalStart;
}

/**
 * In a notebook, module-level functions and classes live in the kernel's `__main__`: under spawn
 * and forkserver a worker re-imports `__main__`, which there is the kernel, not the notebook.
 */
function checkNotebook(model: Model, report: RuleContext['report'], moveFix: (def: Node) => Fix | undefined): void {
  for (const task of model.tasks()) {
    if (!isPickledSubmission(model, task)) continue;
    const start = explicitStart(model, task);
    if (start !== 'spawn' && start !== 'forkserver') continue;
    for (const v of model.eval(task.callable)) {
      const def = v.t === 'func' || v.t === 'class' ? v.def : v.t === 'method' || v.t === 'inst' ? v.cls : undefined;
      // Imported from a module beside the notebook (the move fix's, read as the editor holds it): not the kernel's.
      if (!def || model.fileOf(def) || model.enclosingDef(def)) continue;
      const name = def.childForFieldName('name')?.text ?? '?';
      report({
        message: `${notebookConsequence(task, start)}. \`${name}\` is defined in the notebook, that is in the kernel's \`__main__\`: each worker re-imports \`__main__\` from the parent's main script, and a notebook has none, so the worker cannot find \`${name}\` (AttributeError: Can't get attribute '${name}' on <module '__main__'>). macOS and Windows default to spawn, and Linux to forkserver from Python 3.14. Move \`${name}\` into a .py module and import it.`,
        range: nodeRange(task.callable),
        related: [{ range: nodeRange(def.childForFieldName('name') ?? def), message: 'defined in a notebook cell' }],
        fixes: [moveFix(def)].filter((f): f is Fix => f !== undefined),
      });
      break;
    }
  }
}

/**
 * What happens to a notebook function sent to spawned workers (CPython 3.8-3.13): a `Pool`'s
 * worker dies unpickling the task (or its initializer) and the pool, which replaces workers but
 * not lost tasks, never returns; an executor breaks; a `Process` child exits with an error.
 */
function notebookConsequence(task: TaskCall, start: string): string {
  const executor = poolName(task).endsWith('Executor');
  if (task.role === 'target') return `Child process dies at start: a ${start} child cannot load a function defined in a notebook`;
  if (task.role === 'initializer') {
    return executor
      ? `Executor breaks (BrokenProcessPool): its ${start} workers cannot load their initializer`
      : `Pool hangs: its ${start} workers die loading an initializer defined in a notebook`;
  }
  return executor
    ? `Executor breaks (BrokenProcessPool): its ${start} workers cannot load notebook functions`
    : `Pool hangs: its ${start} workers die loading a task defined in a notebook`;
}

/**
 * `lambda x: expr` → a module-level `def` inserted before the enclosing top-level statement (and
 * the comments that lead into it), with the blank lines a formatter keeps around a function: two
 * before it unless it opens the file, two after it.
 */
function lambdaFix(model: Model, lambda: Node, names: NameAllocator): Fix | undefined {
  if (capturesLocals(model, lambda)) return undefined;
  const top = topLevelStatement(lambda);
  const body = lambda.childForFieldName('body');
  if (!top || !body || top.startPosition.column !== 0 || lambda.hasError) return undefined;
  const name = names.allocate(lambdaName(lambda));
  const params = lambda.childForFieldName('parameters');
  const bodyText = model.text(body);
  const unit = indentUnit(model.lines);
  const returned = bodyText.includes('\n') && body.type !== 'parenthesized_expression' ? `(${bodyText})` : bodyText;
  const at = leadingCommentStart(model, top.startPosition.row);
  let blankAbove = 0;
  while (at - blankAbove - 1 >= 0 && model.lines.line(at - blankAbove - 1).trim() === '') blankAbove++;
  const before = at === blankAbove ? '' : '\n'.repeat(Math.max(0, 2 - blankAbove));
  const def = `${before}def ${name}(${params ? model.text(params) : ''}):\n${unit}return ${returned}\n\n\n`;
  return {
    title: `Turn the lambda into a module-level function \`${name}\``,
    isPreferred: true,
    edits: [
      { range: { start: pos(at, 0), end: pos(at, 0) }, newText: def },
      { range: nodeRange(lambda), newText: name },
    ],
  };
}

/** The first line of the comment lines directly above `row` (they introduce that statement). */
function leadingCommentStart(model: Model, row: number): number {
  let at = row;
  while (at > 0 && model.lines.line(at - 1).startsWith('#')) at--;
  return at;
}

/**
 * A name for the function a lambda becomes, from what it does: the function or method its body
 * calls, then its single parameter when that says more than a letter (`lambda row: parse(row)` →
 * `_parse_row`, `lambda line: line.strip()` → `_strip_line`); `_task` when nothing says more.
 */
function lambdaName(lambda: Node): string {
  const body = lambda.childForFieldName('body');
  const callee = body?.type === 'call' ? body.childForFieldName('function') : null;
  const verb = callee?.type === 'identifier' ? callee.text : callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  const params = (lambda.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type === 'identifier');
  const noun = params.length === 1 && params[0]!.text.length > 1 ? params[0]!.text : undefined;
  const words = [verb, noun].filter((w): w is string => !!w && /^[A-Za-z_][A-Za-z0-9_]*$/.test(w)).map((w) => snakeCase(w).replace(/^_+/, ''));
  const unique = words.filter((w, i) => w && words.indexOf(w) === i && !(i > 0 && words[0]!.endsWith(w)));
  return unique.length > 0 ? `_${unique.join('_')}` : '_task';
}

function snakeCase(word: string): string {
  return word.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Moves a nested `def` that captures nothing out of its function, before the top-level statement. */
function nestedDefFix(model: Model, def: Node, claimed: Set<string>): Fix | undefined {
  const block = def.parent;
  const outer = block?.parent;
  if (block?.type !== 'block' || outer?.type !== 'function_definition') return undefined;
  if (block.namedChildren.filter((c) => c.type !== 'comment').length < 2) return undefined;
  if (def.hasError || !ownsItsLines(model, def) || capturesLocals(model, def)) return undefined;
  const name = nameOf(def);
  if (model.scopes.module.bindings.has(name) || claimed.has(name)) return undefined;
  const outerBindings = model.scopes.scopeFor(outer).bindings.get(name) ?? [];
  if (outerBindings.length !== 1) return undefined;
  const top = topLevelStatement(def);
  if (!top || top.startPosition.column !== 0) return undefined;
  const firstLine = def.startPosition.row;
  const lastLine = def.endPosition.row;
  const indent = indentOf(model.lines.line(firstLine));
  const interior = stringInteriorLines(def);
  const moved: string[] = [];
  for (let l = firstLine; l <= lastLine; l++) {
    const text = model.lines.line(l);
    moved.push(interior.has(l) || !text.startsWith(indent) ? text : text.slice(indent.length));
  }
  const deleteEnd = lastLine + 1 < model.lines.lineCount ? pos(lastLine + 1, 0) : pos(lastLine, model.lines.line(lastLine).length);
  const edits: TextEdit[] = [
    { range: { start: pos(top.startPosition.row, 0), end: pos(top.startPosition.row, 0) }, newText: `${moved.join('\n')}\n\n\n` },
    { range: { start: pos(firstLine, 0), end: deleteEnd }, newText: '' },
  ];
  claimed.add(name);
  return { title: `Move \`${name}\` to module level`, isPreferred: true, edits };
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'error',
    summary: 'A lambda, nested function, local class or partial of one is sent to a pickle-based pool or Process.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
