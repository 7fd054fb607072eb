/**
 * Every place the file hands work to a pool, an executor, a process or a thread (the callable,
 * the executor and the argument packs it sends), and what each task's callable resolves to.
 */
import type { Node } from 'web-tree-sitter';
import { type ArgPack, argumentNodes, packFrom, stringValue } from './arguments';
import type { CallIndex } from './callIndex';
import type { Evaluation, TaskCall, TaskQueries, TaskTarget } from './modelParts';
import { backendOf, callResult, canonical, POOL_TASK_METHODS } from './names';
import { unparen, type Scopes } from './scopes';
import { defOf, type ObjectValue } from './values';

const CREATION_NAMES = new Set([
  'Pool', 'ThreadPool', 'ProcessPoolExecutor', 'ThreadPoolExecutor', 'Process', 'Thread', 'Timer', 'DummyProcess', 'Manager', 'SyncManager',
  // other backends (names.ts): pathos, joblib, loky, Dask, mpire, torch.multiprocessing.spawn
  'ProcessingPool', 'Parallel', 'Client', 'LocalCluster', 'WorkerPool', 'spawn', 'start_processes',
]);

/** Pools whose `map` takes several iterables, one per parameter (the executor signature). */
function mapsSeveralIterables(pool: ObjectValue): boolean {
  return pool.qname.endsWith('Executor') || pool.kind === 'cluster' || backendOf(pool.qname) === 'pathos';
}

/** The names whose calls may create a pool, process, thread or manager in one file: the library's
 * own and the local names imports bind to them (`from multiprocessing import Pool as P`). */
export class CreationNames {
  private readonly local = new Set<string>();

  constructor(scopes: Scopes) {
    for (const scope of scopes.allScopes()) {
      for (const [name, bindings] of scope.bindings) {
        if (bindings.some((b) => b.k === 'import' && (callResult(b.qname) !== undefined || CREATION_NAMES.has(b.qname.slice(b.qname.lastIndexOf('.') + 1))))) this.local.add(name);
      }
    }
  }

  callNames(): string[] {
    return [...CREATION_NAMES, ...this.local];
  }

  mayCreate(calleeName: string | undefined): boolean {
    return !!calleeName && (CREATION_NAMES.has(calleeName) || this.local.has(calleeName));
  }
}

export class TaskIndex implements TaskQueries {
  private local: TaskCall[] | undefined;
  private computing = false;
  private allTasks: TaskCall[] | undefined;
  /** The calls that may submit work: both task lists (without and with data flow) walk them. */
  private candidates: Node[] | undefined;

  constructor(private readonly calls: CallIndex, private readonly values: Evaluation, private readonly creation: CreationNames) {}

  private computeLocalTasks(): TaskCall[] {
    this.local = [];
    this.computing = true;
    try {
      this.local = this.values.withoutFlow(() => this.findTasks());
    } finally {
      this.computing = false;
    }
    return this.local;
  }

  get computingLocal(): boolean {
    return this.computing;
  }

  localTasks(): TaskCall[] {
    return this.local ?? this.computeLocalTasks();
  }

  /** Every submission of work to a pool, process or thread in the file. */
  tasks(): TaskCall[] {
    if (this.allTasks) return this.allTasks;
    if (!this.local) this.computeLocalTasks();
    this.allTasks = this.findTasks();
    return this.allTasks;
  }

  private findTasks(): TaskCall[] {
    const tasks: TaskCall[] = [];
    this.candidates ??= this.calls.callsNamed(...POOL_TASK_METHODS, 'run_in_executor', 'delayed', ...this.creation.callNames());
    for (const call of this.candidates) {
      const { fn, name, isAttribute } = this.calls.calleeOf(call);
      if (!fn) continue;
      if (name === 'delayed') {
        const task = this.joblibTask(call);
        if (task) tasks.push(task);
        continue;
      }
      const method = isAttribute ? name : undefined;
      if (method && (POOL_TASK_METHODS.has(method) || method === 'run_in_executor')) {
        const args = argumentNodes(call);
        const isExecutorHop = method === 'run_in_executor';
        const poolExpr = isExecutorHop ? args.positional[0] : fn.childForFieldName('object');
        for (const pool of this.values.eval(poolExpr)) {
          if (pool.t !== 'obj' || !['processPool', 'threadPool', 'cluster'].includes(pool.kind)) continue;
          const task = isExecutorHop
            ? this.executorTask(call, pool, { positional: args.positional.slice(1), keywords: args.keywords })
            : this.poolTask(call, pool, method, args);
          if (task) tasks.push(task);
        }
        continue;
      }
      if (!this.creation.mayCreate(this.calls.calleeOf(call).name)) continue;
      for (const created of this.values.evalCall(call, 0)) {
        if (created.t !== 'obj') continue;
        const args = argumentNodes(call);
        if (created.kind === 'process' || created.kind === 'thread') {
          const isTimer = canonical(created.qname) === 'threading.Timer';
          const target = isTimer ? args.positional[1] ?? args.keywords.get('function') : args.keywords.get('target') ?? args.positional[1];
          if (!target) continue;
          const targetArgs = isTimer ? args.positional[2] ?? args.keywords.get('args') : args.keywords.get('args') ?? args.positional[3];
          const targetKw = isTimer ? args.positional[3] ?? args.keywords.get('kwargs') : args.keywords.get('kwargs') ?? args.positional[4];
          tasks.push({ site: call, role: 'target', executor: created, method: isTimer ? 'Timer' : created.kind === 'process' ? 'Process' : 'Thread', callable: target, packs: [packFrom(targetArgs, targetKw)] });
        } else if (created.kind === 'processGroup') {
          const task = this.spawnTask(call, created, args);
          if (task) tasks.push(task);
        } else if (created.kind === 'processPool' || created.kind === 'threadPool') {
          const isExecutor = created.qname.endsWith('Executor');
          const init = args.keywords.get('initializer') ?? args.positional[isExecutor ? 2 : 1];
          if (!init) continue;
          const initargs = args.keywords.get('initargs') ?? args.positional[isExecutor ? 3 : 2];
          tasks.push({ site: call, role: 'initializer', executor: created, method: 'initializer', callable: init, packs: [packFrom(initargs, undefined)] });
        }
      }
    }
    return tasks;
  }

  /**
   * `torch.multiprocessing.spawn(fn, args=(...), nprocs=n, start_method='spawn')`: each new process
   * calls `fn(i, *args)`, so the pack's first slot is the process index.
   */
  private spawnTask(call: Node, created: ObjectValue, args: ArgPack): TaskCall | undefined {
    const fn = args.positional[0] ?? args.keywords.get('fn');
    if (!fn) return undefined;
    const pack = packFrom(args.positional[1] ?? args.keywords.get('args'), undefined);
    const method = stringValue(args.keywords.get('start_method') ?? args.positional[5]);
    const start = method === 'fork' || method === 'forkserver' ? method : 'spawn';
    const name = created.qname.slice(created.qname.lastIndexOf('.') + 1);
    return { site: call, role: 'target', executor: { ...created, start }, method: name, callable: fn, packs: [{ positional: [undefined, ...pack.positional], keywords: pack.keywords }] };
  }

  /** `delayed(f)(x, y=1)` inside the argument of `Parallel(...)(...)` (joblib): a task of that Parallel. */
  private joblibTask(call: Node): TaskCall | undefined {
    const outer = call.parent;
    if (outer?.type !== 'call' || outer.childForFieldName('function')?.id !== call.id) return undefined;
    const callable = argumentNodes(call).positional[0];
    if (!callable) return undefined;
    for (let up = outer.parent; up && up.type !== 'block' && up.type !== 'module'; up = up.parent) {
      if (up.type !== 'call') continue;
      for (const v of this.values.eval(up.childForFieldName('function'))) {
        if (v.t !== 'obj' || v.kind !== 'parallel') continue;
        const args = argumentNodes(outer);
        return { site: outer, role: 'task', executor: v, method: 'delayed', callable, packs: [{ positional: args.positional, keywords: args.keywords }] };
      }
    }
    return undefined;
  }

  private executorTask(call: Node, pool: ObjectValue, args: ArgPack): TaskCall | undefined {
    const callable = args.positional[0];
    if (!callable) return undefined;
    return { site: call, role: 'task', executor: pool, method: 'run_in_executor', callable, packs: [{ positional: args.positional.slice(1), keywords: new Map() }] };
  }

  private poolTask(call: Node, pool: ObjectValue, method: string, args: ArgPack): TaskCall | undefined {
    const callable = args.positional[0] ?? args.keywords.get('func') ?? args.keywords.get('fn');
    if (!callable) return undefined;
    const isExecutor = mapsSeveralIterables(pool);
    const packs: ArgPack[] = [];
    switch (method) {
      case 'submit': case 'apipe': case 'pipe':
        packs.push({ positional: args.positional.slice(1), keywords: args.keywords });
        break;
      case 'apply': case 'apply_async':
        packs.push(packFrom(args.positional[1] ?? args.keywords.get('args'), args.positional[2] ?? args.keywords.get('kwds')));
        break;
      case 'starmap': case 'starmap_async': {
        const iterable = args.positional[1] ?? args.keywords.get('iterable');
        packs.push(...this.starPacks(iterable));
        break;
      }
      default: {
        // map / imap / imap_unordered / map_async: one iterable for Pool, several for executors.
        const iterables = isExecutor ? args.positional.slice(1) : [args.positional[1] ?? args.keywords.get('iterable')];
        iterables.forEach((iterable, i) => {
          for (const element of this.values.elementsOf(iterable)) {
            const positional: (Node | undefined)[] = [];
            positional[i] = element;
            packs.push({ positional, keywords: new Map(), ...(iterable ? { site: iterable } : {}) });
          }
        });
      }
    }
    return { site: call, role: 'task', executor: pool, method, callable, packs };
  }

  private starPacks(iterable: Node | undefined): ArgPack[] {
    if (!iterable) return [];
    const e = unparen(iterable);
    const fn = e.type === 'call' ? e.childForFieldName('function') : null;
    if (fn && (fn.text === 'zip' || fn.text.endsWith('.zip'))) {
      const packs: ArgPack[] = [];
      argumentNodes(e).positional.forEach((arg, i) => {
        for (const element of this.values.elementsOf(arg)) {
          const positional: (Node | undefined)[] = [];
          positional[i] = element;
          packs.push({ positional, keywords: new Map(), site: iterable });
        }
      });
      return packs;
    }
    return this.values.elementsOf(iterable).map((element) => {
      const tuple = unparen(element);
      const positional = tuple.type === 'tuple' || tuple.type === 'list' ? tuple.namedChildren.filter((c) => c.type !== 'comment') : [];
      return { positional, keywords: new Map(), site: iterable };
    });
  }

  /**
   * What a task's callable resolves to, with the argument packs its parameters receive
   * (partials unwrapped: their bound arguments come first).
   */
  taskTargets(task: TaskCall, local = false): TaskTarget[] {
    const out: TaskTarget[] = [];
    const run = (): void => {
      for (const v of this.values.eval(task.callable)) {
        if (v.t === 'partial') {
          for (const inner of this.values.eval(v.func)) {
            const def = defOf(inner);
            if (!def || def.tree !== task.site.tree) continue;
            const packs = (task.packs.length > 0 ? task.packs : [{ positional: [], keywords: new Map<string, Node>() }]).map((p) => ({
              positional: [...v.args, ...p.positional],
              keywords: new Map([...v.keywords, ...p.keywords]),
              ...(p.site ? { site: p.site } : {}),
            }));
            out.push({ value: inner, def, shift: inner.t === 'method' && inner.bound ? 1 : 0, packs, via: v });
          }
          continue;
        }
        const def = defOf(v);
        // The bodies of functions imported from other project modules are not checked here.
        if (def && def.tree === task.site.tree) out.push({ value: v, def, shift: v.t === 'method' && v.bound ? 1 : 0, packs: task.packs });
      }
    };
    if (local) this.values.withoutFlow(run);
    else run();
    return out;
  }
}
