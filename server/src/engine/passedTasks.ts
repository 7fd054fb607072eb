/**
 * Tasks passed in from another module: a function of another project module that submits one of
 * its parameters to a pool (`def run_all(fn, xs): pool.map(fn, xs)` in pipeline.py), called in
 * this file with the callable (`run_all(lambda x: x, xs)`): the argument here is the task there,
 * and is judged as if both were in one file. Only names bound by `from module import name` and
 * called by that name are followed, one level (the function's own body submits the parameter).
 */
import type { Node } from 'web-tree-sitter';
import { argumentNodes } from './arguments';
import type { Model } from './model';
import type { TaskCall } from './modelParts';

export interface PassedTask {
  /** The submission in the other module, whose callable is the parameter. */
  task: TaskCall;
  /** The other module's model, which judges the submission (its pool, its start method). */
  owner: Model;
  /** The argument in this file that becomes the task. */
  argument: Node;
}

const cache = new WeakMap<Model, PassedTask[]>();

export function passedTasks(model: Model): PassedTask[] {
  const known = cache.get(model);
  if (known) return known;
  const out: PassedTask[] = [];
  for (const [name, bindings] of model.scopes.module.bindings) {
    if (!bindings.some((b) => b.k === 'import' && b.qname.includes('.'))) continue;
    // Calls first (a text search): a name never called here is not resolved into its module.
    const calls = model.callsNamed(name).filter((c) => c.childForFieldName('function')?.type === 'identifier');
    if (calls.length === 0) continue;
    for (const value of model.moduleValues(name) ?? []) {
      if (value.t !== 'func' || !model.fileOf(value.def)) continue;
      const owner = model.ownerOf(value.def);
      const params = submittedParameters(owner, value.def);
      for (const call of params.length > 0 ? calls : []) {
        const args = argumentNodes(call);
        for (const p of params) {
          const argument = args.positional[p.index] ?? args.keywords.get(p.name);
          if (argument) out.push({ task: p.task, owner, argument });
        }
      }
    }
  }
  cache.set(model, out);
  return out;
}

/** The submissions inside `def` whose callable is one of its plain parameters. */
function submittedParameters(owner: Model, def: Node): { index: number; name: string; task: TaskCall }[] {
  const out: { index: number; name: string; task: TaskCall }[] = [];
  for (const task of owner.tasks()) {
    if (task.site.startIndex < def.startIndex || task.site.endIndex > def.endIndex || task.callable.type !== 'identifier') continue;
    const bindings = owner.lookup(task.callable);
    const b = bindings?.length === 1 ? bindings[0]! : undefined;
    if (b?.k === 'param' && b.def.id === def.id && b.star === '') out.push({ index: b.index, name: b.name, task });
  }
  return out;
}
