/**
 * Data flow between same-file code: the calls that invoke each same-file function, method or
 * class, and the argument packs that reach a function from those calls and from task
 * submissions (what a parameter may hold).
 */
import type { Node } from 'web-tree-sitter';
import { argumentNodes } from './arguments';
import type { CallIndex } from './callIndex';
import { lowerBound } from './intervals';
import type { ArgumentFlow, CallSite, ClassQueries, Evaluation, IncomingPack, TaskQueries } from './modelParts';
import type { NodeIndex } from './scopes';

export class CallSites implements ArgumentFlow {
  private directCalls: CallSite[] | undefined;
  private callsByCallee: Map<number, CallSite[]> | undefined;
  private readonly directByCall = new Map<number, CallSite[]>();
  /** Argument packs that task submissions send to each function, keyed by its node id. */
  private taskPacksByDef: Map<number, IncomingPack[]> | undefined;
  private defCalls: { at: number; name: string }[] | undefined;
  private defNameSet: Set<string> | undefined;

  constructor(
    private readonly nodes: NodeIndex,
    private readonly calls: CallIndex,
    private readonly values: Evaluation,
    private readonly classes: ClassQueries,
    private readonly tasks: TaskQueries,
  ) {}

  /** Argument packs that reach `def`, with the shift of a bound `self`. */
  incoming(def: Node): IncomingPack[] {
    const out: IncomingPack[] = [];
    for (const site of this.callSitesOf(def)) {
      out.push({ pack: site.pack, shift: site.callee.t === 'method' && site.callee.bound ? 1 : 0 });
    }
    out.push(...(this.taskPacksIndex().get(def.id) ?? []));
    return out;
  }

  /** Built once per analysis: resolving every task's target per parameter lookup was quadratic. */
  private taskPacksIndex(): Map<number, IncomingPack[]> {
    if (this.taskPacksByDef) return this.taskPacksByDef;
    // While the local task list is being computed it is empty on purpose; don't cache that state.
    if (this.tasks.computingLocal) return new Map();
    const index = new Map<number, IncomingPack[]>();
    this.taskPacksByDef = index;
    let complete = true;
    for (const task of this.tasks.localTasks()) {
      let targets = this.tasks.taskTargets(task, true);
      // `Process(target=fn)` where `fn` is a parameter: resolve it through the callers (the
      // partly built index answers any lookup this makes in the meantime).
      if (targets.length === 0 && task.callable.type === 'identifier') {
        // Asked for while that very callable is being evaluated: answer, but build again later.
        if (this.values.isEvaluating(task.callable)) complete = false;
        else targets = this.values.withFlow(() => this.tasks.taskTargets(task));
      }
      for (const target of targets) {
        const list = index.get(target.def.id) ?? [];
        for (const pack of target.packs) list.push({ pack, shift: target.shift });
        index.set(target.def.id, list);
      }
    }
    if (!complete) this.taskPacksByDef = undefined;
    return index;
  }

  /** Same-file calls whose callee is `def` (directly, as a bound method, or via its class). */
  callSitesOf(def: Node): CallSite[] {
    this.callsByCallee ??= new Map();
    const cached = this.callsByCallee.get(def.id);
    if (cached) return cached;
    const name = def.childForFieldName('name')?.text ?? '';
    let candidates = this.calls.callsNamed(name);
    if (name === '__init__') {
      const body = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent;
      const cls = body?.parent;
      const className = cls?.type === 'class_definition' ? cls.childForFieldName('name')?.text : undefined;
      if (className) candidates = [...candidates, ...this.calls.callsNamed(className)];
    }
    const sites = candidates.flatMap((call) => this.resolveDirectCall(call)).filter((s) => (s.callee.t === 'func' || s.callee.t === 'method') && s.callee.def.id === def.id);
    this.callsByCallee.set(def.id, sites);
    return sites;
  }

  private resolveDirectCall(call: Node): CallSite[] {
    const cached = this.directByCall.get(call.id);
    if (cached) return cached;
    const sites: CallSite[] = [];
    this.values.withoutFlow(() => {
      const fn = call.childForFieldName('function');
      if (!fn || (fn.type !== 'identifier' && fn.type !== 'attribute')) return;
      for (const callee of this.values.eval(fn)) {
        // Functions imported from other project modules are not call sites of this file.
        if ((callee.t === 'func' || callee.t === 'method' || callee.t === 'class') && callee.def.tree !== call.tree) continue;
        if (callee.t === 'func' || callee.t === 'method') sites.push({ call, callee, pack: argumentNodes(call) });
        else if (callee.t === 'class') {
          const init = this.classes.findMethod(callee.def, '__init__');
          if (init) sites.push({ call, callee: { t: 'method', cls: callee.def, def: init, bound: true }, pack: argumentNodes(call) });
        }
      }
    });
    this.directByCall.set(call.id, sites);
    return sites;
  }

  /** Every call whose callee is a same-file function, method, or class (as its `__init__`). */
  directCallSites(): CallSite[] {
    if (this.directCalls) return this.directCalls;
    const sites: CallSite[] = [];
    for (const name of this.defNames()) {
      for (const call of this.calls.callsNamed(name)) sites.push(...this.resolveDirectCall(call));
    }
    sites.sort((a, b) => a.call.startIndex - b.call.startIndex);
    this.directCalls = sites;
    return sites;
  }

  /**
   * directCallSites inside `node`, resolving only the calls `keep` accepts (resolution is the
   * costly part; most rules need the calls of a few functions, not the whole file's).
   */
  directCallSitesWithin(node: Node, keep?: (call: Node) => boolean): CallSite[] {
    if (this.directCalls) return this.directCalls.filter((s) => s.call.startIndex >= node.startIndex && s.call.endIndex <= node.endIndex && (!keep || keep(s.call)));
    const positions = this.defCallPositions();
    const sites: CallSite[] = [];
    for (let i = lowerBound(positions.length, (k) => positions[k]!.at, node.startIndex); i < positions.length && positions[i]!.at < node.endIndex; i++) {
      const call = this.calls.callAt(positions[i]!.name, positions[i]!.at);
      if (!call || call.startIndex < node.startIndex || call.endIndex > node.endIndex) continue;
      if (!keep || keep(call)) sites.push(...this.resolveDirectCall(call));
    }
    return sites;
  }

  /** Source positions of every `name(` whose name is a same-file function or class, in order. */
  private defCallPositions(): { at: number; name: string }[] {
    if (this.defCalls) return this.defCalls;
    const index = this.calls.callNameIndex();
    const out: { at: number; name: string }[] = [];
    for (const name of this.defNames()) for (const at of index.get(name) ?? []) out.push({ at, name });
    out.sort((a, b) => a.at - b.at);
    this.defCalls = out;
    return out;
  }

  /** Names of the functions and classes defined in this file. */
  private defNames(): Set<string> {
    if (this.defNameSet) return this.defNameSet;
    this.defNameSet = new Set();
    for (const def of this.nodes.of('function_definition', 'class_definition')) {
      const name = def.childForFieldName('name')?.text;
      if (name) this.defNameSet.add(name);
    }
    return this.defNameSet;
  }
}
