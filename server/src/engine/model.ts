/**
 * The semantic model the rules query, one per analysed file: a facade over its parts (the call
 * index, evaluation with data flow, classes, call sites, tasks), which it builds and wires.
 *
 * Architecture invariant: the model never reports findings; rules do. Everything here is bounded
 * (evaluation depth, cached results, iterative walks), so bad input degrades to "unknown".
 */
import type { Node, Tree } from 'web-tree-sitter';
import { firstArg, stringValue } from './arguments';
import { CallIndex, type Callee } from './callIndex';
import { CallSites } from './callSites';
import { ClassIndex, type WorkerClass } from './classes';
import { Evaluator, type ImportedModules } from './evaluator';
import { ContextIndex, type ExecutionContext } from './guards';
import type { CallSite, IncomingPack, TaskCall, TaskTarget } from './modelParts';
import type { StartMethod } from './names';
import { type Binding, NodeIndex, Scopes } from './scopes';
import { CreationNames, TaskIndex } from './tasks';
import { LineIndex } from './text';
import type { ObjectValue, Value } from './values';

export type { ArgPack } from './arguments';
export { argumentNodes, firstArg, isClassMethod, isStaticMethod, stringValue } from './arguments';
export type { CallSite, TaskCall, TaskRole, TaskTarget } from './modelParts';
export type { Value } from './values';

export interface ModelOptions {
  packageName?: string;
  /** A node index already built for this tree. */
  index?: NodeIndex;
  /** The start method assumed when the file sets none (the project's `start-method`). */
  assumedStart?: StartMethod;
  /** The project's modules this file imports (workspaceModules.ts); without it, imports are library names. */
  imports?: ProjectImports;
}

/** Imported project modules, as the model asks for them: the model and file that hold a node of theirs. */
export interface ProjectImports extends ImportedModules {
  modelOf(node: Node): Model | undefined;
  fileOf(node: Node): string | undefined;
  modulesOf(stmt: Node): { file: string; model: Model }[];
  /** The project module `import dotted` runs, with its model; undefined for libraries and modules not found. */
  moduleNamed(dotted: string): { file: string; model: Model } | undefined;
}

export class Model {
  readonly root: Node;
  readonly scopes: Scopes;
  readonly lines: LineIndex;
  readonly index: NodeIndex;
  /** The start method set for the whole program with `set_start_method(...)`, else the one the project assumes, if any. */
  readonly globalStart: StartMethod | undefined;
  private readonly callIndex: CallIndex;
  private readonly evaluator: Evaluator;
  private readonly classes: ClassIndex;
  private readonly callSites: CallSites;
  private readonly taskIndex: TaskIndex;
  private readonly creation: CreationNames;
  private contexts: ContextIndex | undefined;
  private readonly imports: ProjectImports | undefined;

  constructor(readonly tree: Tree, readonly source: string, options: ModelOptions = {}) {
    this.root = tree.rootNode;
    this.index = options.index ?? new NodeIndex(this.root);
    this.scopes = new Scopes(this.root, options.packageName ?? '', this.index);
    this.lines = new LineIndex(source);
    this.callIndex = new CallIndex(this.root, source, this.index);
    this.imports = options.imports;
    this.evaluator = new Evaluator(this.scopes, this.index, this.callIndex, options.imports);
    this.classes = new ClassIndex(source, this.index, this.evaluator);
    this.creation = new CreationNames(this.scopes);
    this.taskIndex = new TaskIndex(this.callIndex, this.evaluator, this.creation);
    this.callSites = new CallSites(this.index, this.callIndex, this.evaluator, this.classes, this.taskIndex);
    this.evaluator.connect({ classes: this.classes, flow: this.callSites });
    let start: StartMethod | undefined;
    for (const call of this.callsNamed('set_start_method')) {
      const method = stringValue(firstArg(call, 0, 'method'));
      if (method === 'fork' || method === 'spawn' || method === 'forkserver') start = method;
    }
    this.globalStart = start ?? options.assumedStart;
  }

  text(node: Node): string {
    const owner = this.foreignModel(node);
    if (owner) return owner.text(node);
    return this.source.slice(node.startIndex, node.endIndex);
  }

  // ---------------------------------------------------------------- imported project modules

  /** The model of the imported module a node (held by an imported value) belongs to; this model for its own nodes. */
  ownerOf(node: Node): Model {
    return this.foreignModel(node) ?? this;
  }

  private foreignModel(node: Node): Model | undefined {
    return this.imports && node.tree !== this.tree ? this.imports.modelOf(node) : undefined;
  }

  /** The file of an imported module's node; undefined for this file's own nodes. */
  fileOf(node: Node): string | undefined {
    return this.imports && node.tree !== this.tree ? this.imports.fileOf(node) : undefined;
  }

  /** The project modules an import statement of this file runs, with their models (none without imports). */
  importedModules(stmt: Node): { file: string; model: Model }[] {
    return this.imports?.modulesOf(stmt) ?? [];
  }

  /** The project module `import dotted` runs in this file, with its model (undefined: a library, or not found). */
  projectModule(dotted: string): { file: string; model: Model } | undefined {
    return this.imports?.moduleNamed(dotted);
  }

  /** The evaluation, for the modules that import this one (workspaceModules.ts). */
  get evaluation(): Evaluator {
    return this.evaluator;
  }

  /** What a module-level name holds once the module has run; undefined when the module binds no such name. */
  moduleValues(name: string, depth = 0): Value[] | undefined {
    return this.evaluator.moduleValues(name, depth);
  }

  // ---------------------------------------------------------------- calls (syntax)

  /** Every call in the file (costly on large files: prefer callsNamed). */
  get calls(): Node[] {
    return this.callIndex.calls;
  }

  /** Calls whose callee is a name or attribute ending in one of `names`, in document order. */
  callsNamed(...names: string[]): Node[] {
    return this.callIndex.callsNamed(...names);
  }

  /** callsNamed, restricted to the calls inside `node`. */
  callsNamedWithin(node: Node, ...names: string[]): Node[] {
    return this.callIndex.callsNamedWithin(node, ...names);
  }

  /** A call's callee expression and the name it ends in (`f` for `f()`, `map` for `pool.map()`). */
  calleeOf(call: Node): Callee {
    return this.callIndex.calleeOf(call);
  }

  /** Names whose calls may create a pool, process, thread or manager in this file. */
  creationCallNames(): string[] {
    return this.creation.callNames();
  }

  /** Whether a call's callee name may create a pool, process, thread or manager. */
  mayCreateWorkers(call: Node): boolean {
    return this.creation.mayCreate(this.callIndex.calleeOf(call).name);
  }

  // ---------------------------------------------------------------- evaluation

  /** What `expr` may evaluate to; several values when data flow merges call sites. */
  eval(expr: Node | null | undefined, depth = 0): Value[] {
    return this.evaluator.eval(expr, depth);
  }

  /** The bindings `id` may refer to, innermost scope first; undefined when nothing binds it in this file. */
  lookup(id: Node): Binding[] | undefined {
    return this.evaluator.lookup(id);
  }

  /** Static elements of an iterable expression: literals, comprehensions, `[x] * n`, `repeat(x)`. */
  elementsOf(expr: Node | null | undefined, depth = 0, follow = 2): Node[] {
    return this.evaluator.elementsOf(expr, depth, follow);
  }

  isGenerator(def: Node): boolean {
    return this.evaluator.isGenerator(def);
  }

  /** The nearest enclosing `def` (or lambda, when `lambdas`), or null at module level. */
  enclosingDef(node: Node, lambdas = false): Node | null {
    return this.evaluator.enclosingDef(node, lambdas);
  }

  /** Where `node` runs: at import, under the main guard, in a function, or deferred. */
  executionContext(node: Node): ExecutionContext {
    this.contexts ??= new ContextIndex(this.root, this.source, this.index.of('function_definition', 'lambda', 'class_definition'));
    return this.contexts.of(node);
  }

  // ---------------------------------------------------------------- classes

  findMethod(cls: Node, name: string): Node | undefined {
    const owner = this.foreignModel(cls);
    if (owner) return owner.findMethod(cls, name);
    return this.classes.findMethod(cls, name);
  }

  baseClasses(cls: Node): Value[] {
    const owner = this.foreignModel(cls);
    if (owner) return owner.baseClasses(cls);
    return this.classes.baseClasses(cls);
  }

  /** Whether a same-file class derives from `multiprocessing.Process` (or a context's Process). */
  isProcessClass(cls: Node): boolean {
    const owner = this.foreignModel(cls);
    if (owner) return owner.isProcessClass(cls);
    return this.classes.isProcessClass(cls);
  }

  /** `thread` or `process` for a same-file Thread or Process subclass, any start method. */
  workerClassKind(cls: Node): 'thread' | 'process' | undefined {
    const owner = this.foreignModel(cls);
    if (owner) return owner.workerClassKind(cls);
    return this.classes.workerClassKind(cls);
  }

  /** Same-file Thread/Process subclasses with their own `run()`: code that runs in the worker. */
  workerClasses(): WorkerClass[] {
    return this.classes.workerClasses();
  }

  /** The first `self.<name> = value` of a class whose value is one of `kinds`, unless the class controls its own pickling. */
  selfAttributeOfKind(cls: Node, kinds: ReadonlySet<string>, except?: (v: ObjectValue) => boolean): { name: string; value: ObjectValue; at: Node } | undefined {
    const owner = this.foreignModel(cls);
    if (owner) return owner.selfAttributeOfKind(cls, kinds, except);
    return this.classes.selfAttributeOfKind(cls, kinds, except);
  }

  /** `self.<name> = value` assignments in a class's methods, by name (empty when it defines its own pickled state). */
  pickledAttributes(cls: Node): Map<string, Node[]> {
    const owner = this.foreignModel(cls);
    if (owner) return owner.pickledAttributes(cls);
    return this.classes.findMethod(cls, '__getstate__') || this.classes.findMethod(cls, '__reduce__') || this.classes.findMethod(cls, '__reduce_ex__') ? new Map() : this.classes.selfAttributes(cls);
  }

  // ---------------------------------------------------------------- data flow and tasks

  /** Argument packs that reach `def`, with the shift of a bound `self`. */
  incoming(def: Node): IncomingPack[] {
    return this.callSites.incoming(def);
  }

  /** Same-file calls whose callee is `def` (directly, as a bound method, or via its class). */
  callSitesOf(def: Node): CallSite[] {
    return this.callSites.callSitesOf(def);
  }

  /** Every call whose callee is a same-file function, method, or class (as its `__init__`). */
  directCallSites(): CallSite[] {
    return this.callSites.directCallSites();
  }

  /** directCallSites inside `node`, resolving only the calls `keep` accepts. */
  directCallSitesWithin(node: Node, keep?: (call: Node) => boolean): CallSite[] {
    return this.callSites.directCallSitesWithin(node, keep);
  }

  /** Every submission of work to a pool, process or thread in the file. */
  tasks(): TaskCall[] {
    return this.taskIndex.tasks();
  }

  /** What a task's callable resolves to, with the argument packs its parameters receive. */
  taskTargets(task: TaskCall, local = false): TaskTarget[] {
    return this.taskIndex.taskTargets(task, local);
  }
}
