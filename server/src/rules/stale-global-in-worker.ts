/**
 * ## What it does
 * Checks for module globals read by a process pool's task function or a `Process` target (or a
 * same-file function they call) that the parent process only sets at run time: assigned under the
 * `if __name__ == "__main__":` guard or inside a function run in the parent (through `global`),
 * or, under the `fork` start method, reassigned after the pool started its workers (a `Pool` when
 * it is created, a `ProcessPoolExecutor` at its first submission). A global container
 * changed in place at run time (`SETTINGS.update(...)`, `SETTINGS["k"] = v`) is stale the same way.
 * So is an attribute of one of the project's modules (`config.SETTING`) that the task reads — in
 * this file, or in the module it is imported from — when this file rebinds it at run time
 * (`config.SETTING = 10` under the main guard): the workers re-import `config` and see its
 * import-time value.
 *
 * Constants set at import time, globals the pool's `initializer` (or the task itself) sets in the
 * worker, thread pools, and cloudpickle-based pools (joblib/loky, Ray, Dask) are not flagged.
 *
 * ## Why is this bad?
 * Worker processes do not share the parent's memory. Under the `spawn` start method (the default
 * on Windows and macOS) and `forkserver` (the Linux default from Python 3.14), each worker starts
 * a fresh interpreter and re-imports the main module without running the main guard: it sees the
 * import-time value of the global, or none at all (`NameError`). Under `fork`, a worker copies the
 * parent's memory once, when the pool starts its workers (a `Pool` when it is created, a
 * `ProcessPoolExecutor` at its first `submit()` or `map()`): assignments made afterwards never
 * reach it. Either way the task silently computes with stale configuration, or fails only on some
 * platforms.
 *
 * Backends ([docs/backends.md](../backends.md)): `torch.multiprocessing` and `billiard` behave
 * like `multiprocessing`. dill (`multiprocess`, `pathos`) and cloudpickle (joblib, loky, Dask,
 * Ray) send functions of the main module by value, so what a worker sees differs and they are not
 * checked.
 *
 * ## Example
 * ```python
 * from multiprocessing import Pool
 *
 * SCALE = 1
 *
 * def work(x):
 *     return x * SCALE
 *
 * if __name__ == "__main__":
 *     SCALE = 10
 *     with Pool() as pool:
 *         print(pool.map(work, range(5)))  # [0, 1, 2, 3, 4] on macOS and Windows
 * ```
 *
 * Use instead:
 * ```python
 * from functools import partial
 * from multiprocessing import Pool
 *
 * def work(x, scale):
 *     return x * scale
 *
 * if __name__ == "__main__":
 *     with Pool() as pool:
 *         print(pool.map(partial(work, scale=10), range(5)))
 * ```
 *
 * Or set the global in each worker with the pool's `initializer=` and `initargs=`.
 *
 * ## References
 * - [Python docs: contexts and start methods](https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)
 * - [Python docs: multiprocessing programming guidelines, "Safe importing of main module" and "Explicitly pass resources to child processes"](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines)
 * - [Python docs: `Pool(initializer=..., initargs=...)`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool)
 */
import type { Node } from 'web-tree-sitter';
import type { Model, TaskCall } from '../engine/model';
import { identifiersNamed, isNameUse } from '../engine/references';
import type { Binding } from '../engine/scopes';
import { traitsOf } from '../engine/names';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { nodeRange } from '../engine/text';
import { defOf } from '../engine/values';
import type { RelatedLocation } from '../engine/types';
import { RULE_DOCS } from './docs.generated';
import { explicitStart } from './unserializable-callable';

const ID = 'stale-global-in-worker';
const MAX_CALL_DEPTH = 3;

type Where = 'import' | 'parent' | 'worker' | 'other';

function check({ model, report }: RuleContext): void {
  // dill and cloudpickle send `__main__` functions by value, with their globals as they are then.
  const poolTasks = model.tasks().filter((t) => traitsOf(t.executor.qname).serializer === 'pickle' && traitsOf(t.executor.qname).reimports
    && ((t.role === 'task' && t.executor.kind === 'processPool') || (t.role === 'target' && t.executor.kind === 'process')));
  if (poolTasks.length === 0) return;
  // Functions that run in the workers: task targets, initializers, and what they call.
  const workerDefs = new Set<number>();
  for (const task of model.tasks()) {
    if (task.executor.kind === 'threadPool' || task.executor.kind === 'thread') continue;
    for (const target of model.taskTargets(task)) for (const def of reachable(model, target.def)) workerDefs.add(def.id);
  }
  const reported = new Set<string>();
  for (const task of poolTasks) {
    // The start method of the pool's context, `mp_context=` of an executor, or set_start_method().
    const fork = explicitStart(model, task) === 'fork';
    // A forked Process copies the parent at `start()`, which we do not place: only spawn and
    // forkserver (and the platform default) are judged for it.
    if (fork && task.role === 'target') continue;
    const started = startedAt(model, task);
    moduleAttributes(model, task, { fork, started, workerDefs, reported }, report);
    for (const target of model.taskTargets(task)) {
      for (const def of reachable(model, target.def)) {
        for (const read of globalReads(model, def)) {
          const key = `${def.id}:${read.text}`;
          if (reported.has(key)) continue;
          const problem = staleness(model, read.text, fork, workerDefs, started);
          if (!problem) continue;
          reported.add(key);
          const process = task.role === 'target';
          const related: RelatedLocation[] = [
            { range: nodeRange(problem.binding.node), message: problem.afterCreation ? `${problem.mutated ? 'changed' : 'reassigned'} here, after the ${process ? 'process was created' : isExecutor(task) ? 'executor started its workers' : 'pool was created'}` : `${problem.mutated ? 'changed' : 'set'} here, at run time in the parent` },
            { range: nodeRange(task.site), message: process ? 'the process is created here' : 'the task is submitted here' },
          ];
          report({ message: message(read.text, def, problem, task), range: nodeRange(read), related });
        }
      }
    }
  }
}

interface Problem {
  /** Where the parent sets (or, `mutated`, changes in place) the global. */
  binding: { node: Node; pos: number };
  mutated: boolean;
  afterCreation: boolean;
  fork: boolean;
  hasImportValue: boolean;
}

function isExecutor(task: TaskCall): boolean {
  return task.executor.qname.endsWith('Executor');
}

/**
 * Where the parent's memory is copied into forked workers: a `Pool` forks them when it is
 * created, a `ProcessPoolExecutor` at its first submission (CPython 3.8-3.13; checked: a global
 * set between the executor's creation and its first `submit()` reaches forked workers).
 */
function startedAt(model: Model, task: TaskCall): number {
  if (!isExecutor(task) || task.role === 'target') return task.executor.node.startIndex;
  const submits = model.tasks().filter((t) => t.role === 'task' && t.executor.node.id === task.executor.node.id).map((t) => t.site.startIndex);
  return submits.length > 0 ? Math.min(...submits) : task.executor.node.startIndex;
}

/**
 * Consequence first, in a head without user names: what the workers see (the import-time value,
 * the import-time contents, or a NameError), and under which start methods.
 */
function message(name: string, def: Node, p: Problem, task: TaskCall): string {
  const fn = def.type === 'function_definition' ? `\`${def.childForFieldName('name')?.text ?? '?'}\`` : 'the task';
  const process = task.role === 'target';
  const who = process ? 'the child sees' : 'workers see';
  const head = p.mutated || p.hasImportValue
    ? `Stale value under spawn and forkserver: ${who} the import-time ${p.mutated ? 'contents' : 'value'}.`
    : 'NameError under spawn and forkserver: this global is only set at run time in the parent.';
  const setAtRunTime = p.mutated ? 'only changed (in place) at run time in the parent' : 'only set at run time in the parent';
  const reassigned = p.mutated ? 'changed in place in the parent' : 'reassigned in the parent';
  const seen = p.mutated ? 'its import-time contents' : p.hasImportValue ? 'its import-time value' : 'no value at all (NameError)';
  const defaults = '(the default on macOS and Windows, and on Linux from Python 3.14)';
  const reads = `Global \`${name}\` read by ${fn} in ${process ? 'a child process' : 'a worker process'}`;
  const started = isExecutor(task) ? 'the executor started its workers (at its first submit)' : 'the pool was created';
  const remedy = process ? 'Pass the value in the Process `args`.' : 'Pass the value as an argument, or through the pool\'s `initializer`.';
  if (process) {
    return `${head} ${reads} is ${setAtRunTime}: under the spawn and forkserver start methods ${defaults} the child re-imports the module and sees ${seen}. ${remedy}`;
  }
  if (p.fork) {
    return `Workers keep a stale value: this global changes after they were forked. ${reads} is ${reassigned} after ${started}: forked workers keep the value they were forked with. ${remedy}`;
  }
  if (p.afterCreation) {
    return `No worker sees this change: the global changes after the workers started. ${reads} is ${reassigned} after ${started}: forked workers keep the value they were forked with, and under spawn and forkserver ${defaults} workers re-import the module and see ${seen}. ${remedy}`;
  }
  return `${head} ${reads} is ${setAtRunTime}: under the spawn and forkserver start methods ${defaults} workers re-import the module and see ${seen}. ${remedy}`;
}

/** `def` and the same-file functions it calls, a few levels deep. */
function reachable(model: Model, def: Node): Node[] {
  const out: Node[] = [def];
  const seen = new Set<number>([def.id]);
  for (let i = 0, depth = 0; i < out.length && depth <= MAX_CALL_DEPTH; depth++) {
    const end = out.length;
    for (; i < end; i++) {
      const body = out[i]!.type === 'lambda' ? out[i]! : out[i]!.childForFieldName('body');
      if (!body) continue;
      for (const site of model.directCallSitesWithin(body)) {
        const callee = site.callee.t === 'func' || site.callee.t === 'method' ? site.callee.def : undefined;
        if (callee && !seen.has(callee.id)) { seen.add(callee.id); out.push(callee); }
      }
    }
  }
  return out;
}

/** Module-level names bound only as variables, per analysis. */
const variableNames = new WeakMap<Model, string[]>();

/** Identifiers in `def` that read a module global (not assigned in `def` itself). */
function globalReads(model: Model, def: Node): Node[] {
  const module = model.scopes.module;
  const out: Node[] = [];
  const body = def.childForFieldName('body');
  if (!body) return out;
  // Names the module binds by def, class or import are definitions, never stale configuration;
  // the few variables left are searched for in the body's text rather than listing every identifier.
  let candidates = variableNames.get(model);
  if (!candidates) {
    candidates = [...module.bindings].filter(([, list]) => list.length > 0 && !list.some((b) => b.k === 'def' || b.k === 'class' || b.k === 'import')).map(([name]) => name);
    variableNames.set(model, candidates);
  }
  const ids = candidates.flatMap((name) => identifiersNamed(model, name, body)).sort((a, b) => a.startIndex - b.startIndex);
  for (const id of ids) {
    const list = module.bindings.get(id.text)!;
    if (!isNameUse(id)) continue;
    const parent = id.parent;
    if (parent?.type === 'global_statement' || parent?.type === 'nonlocal_statement') continue;
    if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.id === id.id) continue;
    const found = model.lookup(id);
    if (found !== list) continue;
    out.push(id);
  }
  return out;
}

function staleness(model: Model, name: string, fork: boolean, workerDefs: Set<number>, created: number): Problem | undefined {
  const bindings = model.scopes.module.bindings.get(name) ?? [];
  let hasImportValue = false;
  let parentSets: { node: Node; pos: number }[] = [];
  for (const b of bindings) {
    if (b.k === 'def' || b.k === 'class' || b.k === 'import') return undefined; // a definition, not configuration
    const where = whereBound(model, b.node, workerDefs);
    if (where === 'worker' || where === 'other') return undefined;
    if (where === 'import') hasImportValue = true;
    else parentSets.push(b);
  }
  let mutated = false;
  if (parentSets.length === 0 && hasImportValue) {
    // `SETTINGS.update(...)` or `SETTINGS["k"] = v` in the parent: changed in place, not rebound.
    for (const m of mutationsOf(model, name, bindings)) {
      const where = whereBound(model, m, workerDefs);
      if (where === 'worker' || where === 'other') return undefined;
      if (where === 'parent') parentSets.push({ node: m, pos: m.startIndex });
    }
    parentSets = parentSets.sort((a, b) => a.pos - b.pos);
    mutated = parentSets.length > 0;
  }
  if (parentSets.length === 0) return undefined;
  if (fork) {
    const late = parentSets.find((b) => b.pos > created);
    return late ? { binding: late, mutated, afterCreation: true, fork, hasImportValue } : undefined;
  }
  // Under spawn and forkserver every run-time assignment is lost; one made after the pool was
  // created is lost under fork too, which is the more telling thing to point at.
  const late = parentSets.find((b) => b.pos > created);
  return late ? { binding: late, mutated, afterCreation: true, fork, hasImportValue } : { binding: parentSets[0]!, mutated, afterCreation: false, fork, hasImportValue };
}

const MUTATORS = ['update', 'append', 'extend', 'insert', 'setdefault', 'add', 'clear', 'pop', 'popitem', 'remove', 'discard'];

/** Per analysis: statements that may change a named object in place, by that name. */
const mutationSites = new WeakMap<Model, Map<string, { site: Node; name: Node }[]>>();

/** In-place changes of the module global `name`: `name.update(...)` and the like, `name[k] = v`. */
function mutationsOf(model: Model, name: string, bindings: readonly Binding[]): Node[] {
  let sites = mutationSites.get(model);
  if (!sites) {
    // Collected once: every global read of a worker asks, and most ask about constants.
    const found = new Map<string, { site: Node; name: Node }[]>();
    const add = (site: Node, id: Node | null | undefined): void => {
      if (id?.type !== 'identifier') return;
      const list = found.get(id.text);
      if (list) list.push({ site, name: id });
      else found.set(id.text, [{ site, name: id }]);
    };
    for (const call of model.callsNamed(...MUTATORS)) {
      const fn = call.childForFieldName('function');
      if (fn?.type === 'attribute') add(call, fn.childForFieldName('object'));
    }
    for (const assign of model.index.of('assignment', 'augmented_assignment')) {
      const left = assign.childForFieldName('left');
      if (left?.type === 'subscript') add(assign, left.childForFieldName('value'));
    }
    sites = found;
    mutationSites.set(model, sites);
  }
  return (sites.get(name) ?? []).filter(({ name: id }) => {
    const refers = model.lookup(id);
    return !!refers && refers.length > 0 && refers.every((b) => bindings.includes(b));
  }).map(({ site }) => site);
}

/** Where a module binding (or change) runs: at import, in the parent at run time, or in the workers. */
function whereBound(model: Model, node: Node, workerDefs: Set<number>): Where {
  const ctx = model.executionContext(node);
  switch (ctx.at) {
    case 'import': return 'import';
    case 'guarded': return 'parent';
    case 'deferred': return 'other';
    case 'function': {
      if (workerDefs.has(ctx.def.id)) return 'worker';
      // A setter called while the module is imported runs in the workers too.
      const importCalls = model.callSitesOf(ctx.def).some((s) => model.executionContext(s.call).at === 'import');
      return importCalls ? 'import' : 'parent';
    }
  }
}

// ---------------------------------------------------------------- attributes of project modules

interface AttributeScope {
  fork: boolean;
  started: number;
  workerDefs: Set<number>;
  reported: Set<string>;
}

/**
 * `config.SETTING` read by a task (in this file, or in the project module the task comes from, and
 * the functions it calls there) that this file rebinds at run time in the parent, `config` naming
 * the same project module in both files. Under spawn and forkserver the workers re-import
 * `config` and see its import-time value; under fork a rebinding after the workers started is
 * lost (checked with CPython 3.8 and 3.13). Reported at the read when it is in this file, else at
 * the assignment, with the other in the related locations.
 */
function moduleAttributes(model: Model, task: TaskCall, scope: AttributeScope, report: RuleContext['report']): void {
  const writes = moduleAttributeWrites(model);
  if (writes.size === 0) return;
  for (const value of model.eval(task.callable)) {
    const def = defOf(value.t === 'partial' ? model.eval(value.func)[0] ?? value : value);
    if (!def) continue;
    const owner = model.ownerOf(def);
    for (const fn of reachable(owner, def)) {
      for (const read of moduleAttributeReads(owner, fn)) {
        const key = `${fn.id}:${read.file}:${read.name}`;
        if (scope.reported.has(key) || read.module.moduleValues(read.name) === undefined) continue;
        const sets = (writes.get(`${read.file}\0${read.name}`) ?? []).filter((w) => whereBound(model, w, scope.workerDefs) === 'parent');
        const late = sets.find((w) => w.startIndex > scope.started);
        const set = late ?? (scope.fork ? undefined : sets[0]);
        if (!set) continue;
        scope.reported.add(key);
        const problem: Problem = { binding: { node: set, pos: set.startIndex }, mutated: false, afterCreation: !!late, fork: scope.fork, hasImportValue: true };
        const elsewhere = model.fileOf(read.node);
        const text = `${read.node.childForFieldName('object')?.text ?? '?'}.${read.name}`;
        const process = task.role === 'target';
        const setMessage = late ? `reassigned here, after the ${process ? 'process was created' : isExecutor(task) ? 'executor started its workers' : 'pool was created'}` : 'set here, at run time in the parent';
        const submitted: RelatedLocation = { range: nodeRange(task.site), message: process ? 'the process is created here' : 'the task is submitted here' };
        report(elsewhere
          ? { message: message(text, fn, problem, task), range: nodeRange(set), related: [{ file: elsewhere, range: nodeRange(read.node), message: `read here, in ${process ? 'the child process' : 'the worker'}; ${setMessage.replace(/ here/, ' in this file')}` }, submitted] }
          : { message: message(text, fn, problem, task), range: nodeRange(read.node), related: [{ range: nodeRange(set), message: setMessage }, submitted] });
      }
    }
  }
}

/** Per analysis: `alias.NAME = ...` assignments on a project module this file imports, by module file and NAME. */
const attributeWrites = new WeakMap<Model, Map<string, Node[]>>();

function moduleAttributeWrites(model: Model): Map<string, Node[]> {
  let found = attributeWrites.get(model);
  if (found) return found;
  found = new Map();
  for (const assign of model.index.of('assignment')) {
    const left = assign.childForFieldName('left');
    const target = left?.type === 'attribute' ? projectAttribute(model, left) : undefined;
    if (!target) continue;
    const key = `${target.file}\0${target.name}`;
    found.set(key, [...(found.get(key) ?? []), assign]);
  }
  attributeWrites.set(model, found);
  return found;
}

/** `alias.NAME` reads inside `fn` (of `owner`'s file) where `alias` is an `import` of a project module. */
function moduleAttributeReads(owner: Model, fn: Node): { node: Node; file: string; name: string; module: Model }[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  const out: { node: Node; file: string; name: string; module: Model }[] = [];
  // Attributes are not in the node index; a worker's body is small enough to walk.
  const assigned = new Set(owner.index.within('assignment', body).map((a) => a.childForFieldName('left')?.id));
  for (const attr of body.descendantsOfType('attribute')) {
    if (assigned.has(attr.id)) continue;
    const target = projectAttribute(owner, attr);
    if (target) out.push({ node: attr, ...target });
  }
  return out;
}

/** The project module and attribute name of `alias.NAME`, `alias` bound only by `import module [as alias]`. */
function projectAttribute(model: Model, attr: Node): { file: string; name: string; module: Model } | undefined {
  const object = attr.childForFieldName('object');
  const name = attr.childForFieldName('attribute')?.text;
  if (object?.type !== 'identifier' || !name) return undefined;
  const bindings = model.lookup(object);
  const first = bindings?.[0];
  if (first?.k !== 'import' || !bindings!.every((b) => b.k === 'import' && b.qname === first.qname)) return undefined;
  const module = model.projectModule(first.qname);
  return module ? { file: module.file, name, module: module.model } : undefined;
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'A process pool task reads a module global that the parent only sets at run time, so workers see a stale value or none.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
