/**
 * The semantic model the rules query: what an expression may evaluate to (library objects by
 * canonical name, same-file functions, classes, lambdas, partials), simple data flow from call
 * sites and pool submissions into parameters, the same-file call graph, and every place work is
 * handed to a pool, process or thread.
 *
 * Architecture invariant: the model never reports findings; rules do. Everything here is bounded
 * (evaluation depth, cached results, iterative walks), so bad input degrades to "unknown".
 */
import type { Node, Tree } from 'web-tree-sitter';
import {
  callResult, canonical, isContextAttribute, managerMethodResult, POOL_TASK_METHODS, type ObjectKind,
  type StartMethod,
} from './names';
import { ContextIndex, type ExecutionContext } from './guards';
import { lowerBound } from './intervals';
import { type Binding, NodeIndex, Scopes, unparen } from './scopes';
import { LineIndex } from './text';

export type Value =
  | { t: 'unknown' }
  | { t: 'ref'; qname: string; start?: StartMethod }
  | { t: 'obj'; kind: ObjectKind; qname: string; node: Node; start?: StartMethod; noLock?: boolean }
  | { t: 'func'; def: Node }
  | { t: 'lambda'; node: Node }
  | { t: 'class'; def: Node }
  | { t: 'inst'; cls: Node; node: Node }
  | { t: 'method'; cls: Node; def: Node; bound: boolean }
  | { t: 'partial'; node: Node; func: Node | undefined; args: (Node | undefined)[]; keywords: Map<string, Node> };

const UNKNOWN: Value = { t: 'unknown' };
const NON_ASCII_NAME_CHAR = /[\p{L}\p{N}\p{Mn}\p{Mc}\p{Pc}]/u;

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isNameChar(src: string, i: number): boolean {
  const c = src.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95;
  // Surrogate halves and other non-ASCII: let Unicode decide (rare in source code).
  return NON_ASCII_NAME_CHAR.test(src[i]!) || (c >= 0xd800 && c <= 0xdfff);
}
const CREATION_NAMES = new Set(['Pool', 'ThreadPool', 'ProcessPoolExecutor', 'ThreadPoolExecutor', 'Process', 'Thread', 'Timer', 'DummyProcess', 'Manager', 'SyncManager']);
const MAX_DEPTH = 30;
const MAX_VALUES = 16;

/** Positional and keyword arguments one invocation passes to a callable. */
export interface ArgPack {
  positional: (Node | undefined)[];
  keywords: Map<string, Node>;
  /** The argument expression at the submission site this pack came from (for ranges). */
  site?: Node;
}

export type TaskRole = 'task' | 'target' | 'initializer';

/** One place work is handed to a pool, a process or a thread. */
export interface TaskCall {
  /** The call expression: `pool.map(...)`, `Process(...)`, `Pool(initializer=...)`. */
  site: Node;
  role: TaskRole;
  /** The executing object: a pool, process or thread creation. */
  executor: Extract<Value, { t: 'obj' }>;
  /** `map`, `submit`, `Process`, `initializer`… for messages. */
  method: string;
  callable: Node;
  packs: ArgPack[];
}

/** A same-file call: the call node, what it invokes, and how its arguments line up with parameters. */
export interface CallSite {
  call: Node;
  callee: Value;
  pack: ArgPack;
}

export interface ModelOptions {
  packageName?: string;
  /** A node index already built for this tree. */
  index?: NodeIndex;
}

export class Model {
  readonly root: Node;
  readonly scopes: Scopes;
  readonly lines: LineIndex;
  private allCalls: Node[] | undefined;
  private contexts: ContextIndex | undefined;
  private workerClassList: { cls: Node; run: Node; kind: 'thread' | 'process' }[] | undefined;
  /** Call nodes by the name their callee ends in, found through the source text (see callsNamed). */
  private readonly callsByName = new Map<string, Node[]>();
  private callNamePositions: Map<string, number[]> | undefined;
  private readonly callsByPosition = new Map<number, Node | null>();
  /** For each name start in callNameIndex, where its `(` is. */
  private readonly parenAfter = new Map<number, number>();
  /** The start method set for the whole program with `set_start_method(...)`, if any. */
  readonly globalStart: StartMethod | undefined;
  /** Local names bound to imported library callables the engine models (`from x import Pool as P`). */
  private readonly creationNames = new Set<string>();
  private readonly cache = new Map<number, Value[]>();
  private readonly callees = new Map<number, { fn: Node | null; name: string | undefined; isAttribute: boolean }>();
  private readonly flowCache = new Map<number, Value[]>();
  private readonly inProgress = new Set<number>();
  private noFlow = false;
  private directCalls: CallSite[] | undefined;
  private callsByCallee: Map<number, CallSite[]> | undefined;
  private readonly directByCall = new Map<number, CallSite[]>();
  private localTasks: TaskCall[] | undefined;
  /** Argument packs that task submissions send to each function, keyed by its node id. */
  private computingLocalTasks = false;
  private taskPacksByDef: Map<number, { pack: ArgPack; shift: number }[]> | undefined;
  private allTasks: TaskCall[] | undefined;
  private readonly selfAttrs = new Map<number, Map<string, Node[]>>();
  private readonly methodTables = new Map<number, Map<string, Node>>();
  private readonly baseCache = new Map<number, Value[]>();
  private readonly enclosingDefCache = new Map<number, Node | null>();

  readonly index: NodeIndex;

  constructor(readonly tree: Tree, readonly source: string, options: ModelOptions = {}) {
    this.root = tree.rootNode;
    this.index = options.index ?? new NodeIndex(this.root);
    this.scopes = new Scopes(this.root, options.packageName ?? '', this.index);
    this.lines = new LineIndex(source);
    let start: StartMethod | undefined;
    for (const call of this.callsNamed('set_start_method')) {
      const method = stringValue(firstArg(call, 0, 'method'));
      if (method === 'fork' || method === 'spawn' || method === 'forkserver') start = method;
    }
    this.globalStart = start;
    for (const scope of this.scopes.allScopes()) {
      for (const [name, bindings] of scope.bindings) {
        if (bindings.some((b) => b.k === 'import' && (callResult(b.qname) !== undefined || CREATION_NAMES.has(b.qname.slice(b.qname.lastIndexOf('.') + 1))))) this.creationNames.add(name);
      }
    }
  }

  /** Every call in the file (costly on large files: prefer callsNamed). */
  get calls(): Node[] {
    this.allCalls ??= this.index.of('call');
    return this.allCalls;
  }

  /**
   * Calls whose callee is a name or attribute ending in one of `names` (`f(...)`, `obj.f(...)`),
   * in document order. Found by scanning the source text for `name(` and looking only those
   * places up in the tree: materialising every call node of a large file costs milliseconds.
   */
  callsNamed(...names: string[]): Node[] {
    if (names.length !== 1) {
      const seen = new Set<number>();
      return names.flatMap((n) => this.callsNamed(n)).filter((c) => !seen.has(c.id) && seen.add(c.id) !== undefined).sort((a, b) => a.startIndex - b.startIndex);
    }
    const name = names[0]!;
    let calls = this.callsByName.get(name);
    if (calls) return calls;
    calls = [];
    for (const at of this.callNameIndex().get(name) ?? []) {
      const call = this.callAt(name, at);
      if (call) calls.push(call);
    }
    this.callsByName.set(name, calls);
    return calls;
  }

  /** The call whose callee name `name` starts at `at` in the source, if that is what is there. */
  private callAt(name: string, at: number): Node | null {
    const cached = this.callsByPosition.get(at);
    if (cached !== undefined) return cached;
    // The smallest node spanning the name and its `(` is the call, if this is one (walking up
    // from the identifier would cost a search from the root per step).
    const paren = this.parenAfter.get(at) ?? at + name.length;
    const node = this.root.descendantForIndex(at, paren + 1);
    let call: Node | null = null;
    if (node?.type === 'call') {
      const fn = node.childForFieldName('function');
      const end = at + name.length;
      if (fn && fn.endIndex === end && (fn.type === 'identifier' ? fn.startIndex === at : fn.type === 'attribute' && fn.childForFieldName('attribute')?.startIndex === at)) call = node;
    }
    this.callsByPosition.set(at, call);
    return call;
  }

  /** callsNamed, restricted to the calls inside `node`; only those places are looked up in the tree. */
  callsNamedWithin(node: Node, ...names: string[]): Node[] {
    const index = this.callNameIndex();
    const out: Node[] = [];
    for (const name of new Set(names)) {
      const cached = this.callsByName.get(name);
      if (cached) {
        for (const c of cached) if (c.startIndex >= node.startIndex && c.endIndex <= node.endIndex) out.push(c);
        continue;
      }
      const positions = index.get(name) ?? [];
      for (let i = lowerBound(positions.length, (k) => positions[k]!, node.startIndex); i < positions.length && positions[i]! < node.endIndex; i++) {
        const call = this.callAt(name, positions[i]!);
        if (call && call.startIndex >= node.startIndex && call.endIndex <= node.endIndex) out.push(call);
      }
    }
    return out.sort((a, b) => a.startIndex - b.startIndex);
  }

  /**
   * Positions of every identifier followed by `(` in the source, by name: one pass per analysis
   * that hops from parenthesis to parenthesis and reads the name backwards (a regex over the whole
   * text cost several times more on large files).
   */
  private callNameIndex(): Map<string, number[]> {
    if (this.callNamePositions) return this.callNamePositions;
    const index = new Map<string, number[]>();
    const src = this.source;
    for (let paren = src.indexOf('('); paren !== -1; paren = src.indexOf('(', paren + 1)) {
      let end = paren;
      // Blanks, and backslash line continuations, may stand between a callee and its `(`.
      for (;;) {
        const c = end > 0 ? src.charCodeAt(end - 1) : -1;
        if (isBlank(c) || (c === 92 && (src.charCodeAt(end) === 10 || src.charCodeAt(end) === 13))) end--;
        else break;
      }
      let start = end;
      while (start > 0 && isNameChar(src, start - 1)) start--;
      if (start === end || isDigit(src.charCodeAt(start))) continue;
      const name = src.slice(start, end);
      const list = index.get(name);
      if (list) list.push(start);
      else index.set(name, [start]);
      this.parenAfter.set(start, paren);
    }
    this.callNamePositions = index;
    return index;
  }

  /** Names whose calls may create a pool, process, thread or manager in this file. */
  creationCallNames(): string[] {
    return [...CREATION_NAMES, ...this.creationNames];
  }

  /** Whether a call's callee name may create a pool, process, thread or manager. */
  mayCreateWorkers(call: Node): boolean {
    const { name } = this.calleeOf(call);
    return !!name && (CREATION_NAMES.has(name) || this.creationNames.has(name));
  }

  /**
   * A call's callee expression and the name it ends in (`f` for `f()`, `map` for `pool.map()`),
   * computed once per call: several passes ask, and each tree access crosses into wasm.
   */
  calleeOf(call: Node): { fn: Node | null; name: string | undefined; isAttribute: boolean } {
    let info = this.callees.get(call.id);
    if (!info) {
      const fn = call.childForFieldName('function');
      const isAttribute = fn?.type === 'attribute';
      const name = isAttribute ? fn!.childForFieldName('attribute')?.text : fn?.type === 'identifier' ? fn.text : undefined;
      info = { fn, name, isAttribute };
      this.callees.set(call.id, info);
    }
    return info;
  }

  text(node: Node): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }

  // ---------------------------------------------------------------- evaluation

  /** What `expr` may evaluate to; several values when data flow merges call sites. */
  eval(expr: Node | null | undefined, depth = 0): Value[] {
    if (!expr) return [UNKNOWN];
    if (depth > MAX_DEPTH) return [UNKNOWN];
    const cache = this.noFlow ? this.cache : this.flowCache;
    const cached = cache.get(expr.id);
    if (cached) return cached;
    if (this.inProgress.has(expr.id)) return [UNKNOWN];
    this.inProgress.add(expr.id);
    let result: Value[];
    try {
      result = dedupe(this.evalUncached(expr, depth));
    } finally {
      this.inProgress.delete(expr.id);
    }
    cache.set(expr.id, result);
    return result;
  }

  private evalUncached(expr: Node, depth: number): Value[] {
    switch (expr.type) {
      case 'parenthesized_expression': return this.eval(unparen(expr) === expr ? null : unparen(expr), depth + 1);
      case 'identifier': return this.evalName(expr, depth);
      case 'attribute': {
        const object = expr.childForFieldName('object');
        const attr = expr.childForFieldName('attribute');
        if (!object || !attr) return [UNKNOWN];
        return this.eval(object, depth + 1).flatMap((v) => this.attributeOf(v, attr.text, depth));
      }
      case 'call': return this.evalCall(expr, depth);
      case 'lambda': return [{ t: 'lambda', node: expr }];
      case 'generator_expression': return [{ t: 'obj', kind: 'generator', qname: 'generator', node: expr }];
      case 'conditional_expression': {
        const parts = expr.namedChildren;
        return [...this.eval(parts[0], depth + 1), ...this.eval(parts[2], depth + 1)];
      }
      case 'boolean_operator':
        return [...this.eval(expr.childForFieldName('left'), depth + 1), ...this.eval(expr.childForFieldName('right'), depth + 1)];
      case 'named_expression': return this.eval(expr.childForFieldName('value'), depth + 1);
      case 'await': return [UNKNOWN];
      default: return [UNKNOWN];
    }
  }

  private evalName(id: Node, depth: number): Value[] {
    const bindings = this.lookup(id);
    if (bindings === undefined) {
      const name = id.text;
      for (const module of this.scopes.starImports) {
        const qname = `${module}.${name}`;
        if (callResult(qname) || module === 'multiprocessing' || module === 'concurrent.futures') return [{ t: 'ref', qname: canonical(qname) }];
      }
      return [{ t: 'ref', qname: `builtins.${name}` }];
    }
    return bindings.flatMap((b) => this.bindingValues(b, depth));
  }

  /** The bindings `id` may refer to, innermost scope first; undefined when nothing binds it in this file. */
  lookup(id: Node): Binding[] | undefined {
    const name = id.text;
    const at = id.startIndex;
    const first = this.scopes.scopeOf(id);
    let scope: typeof first | undefined = first;
    if (first.globals.has(name)) scope = this.scopes.module;
    for (; scope; scope = scope.parent) {
      if (scope !== first && scope.kind === 'class') continue;
      const list = scope.bindings.get(name);
      if (!list || list.length === 0) continue;
      if (scope === first) {
        // Simple flow: code runs top to bottom in its own scope (a function's globals are looked up
        // in the module instead, where every binding counts): the last binding before the use,
        // else every binding (loops, closures).
        let last: Binding | undefined;
        for (let i = list.length - 1; i >= 0 && !last; i--) {
          const b = list[i]!;
          if (b.pos < at && !containsPos(b, at)) last = b;
        }
        if (last && last.k !== 'unknown') return [last];
        if (last) return list.filter((b) => b.pos < at);
      }
      return list;
    }
    return undefined;
  }

  private bindingValues(b: Binding, depth: number): Value[] {
    switch (b.k) {
      case 'value': return this.eval(b.value, depth + 1);
      case 'import': return [{ t: 'ref', qname: canonical(b.qname) }];
      case 'def': return [{ t: 'func', def: b.def }];
      case 'class': return [{ t: 'class', def: b.def }];
      case 'param': return this.paramValues(b, depth);
      case 'element': return this.elementsOf(b.iter, depth).flatMap((e) => this.eval(e, depth + 1));
      case 'unpack': return this.unpackedValues(b.source, b.index, depth);
      case 'unknown': return [UNKNOWN];
    }
  }

  /** Element `index` of the tuples `source` may hold: `counter, page = args` in a task whose
   * argument packs carry `(counter, p)` tuples. */
  private unpackedValues(source: Node, index: number, depth: number): Value[] {
    const out: Value[] = [];
    for (const node of this.nodesHeldBy(source)) {
      const t = unparen(node);
      const element = (t.type === 'tuple' || t.type === 'list') ? t.namedChildren.filter((c) => c.type !== 'comment')[index] : undefined;
      out.push(...(element ? this.eval(element, depth + 1) : [UNKNOWN]));
      if (out.length > MAX_VALUES) break;
    }
    return out.length > 0 ? out : [UNKNOWN];
  }

  /** The expressions a name may hold: its assigned values, or the arguments its parameter receives. */
  private nodesHeldBy(name: Node): Node[] {
    const out: Node[] = [];
    for (const b of this.lookup(name) ?? []) {
      if (b.k === 'value') out.push(b.value);
      else if (b.k === 'param' && !this.noFlow && b.star === '') {
        for (const { pack, shift } of this.incoming(b.def)) {
          const arg = pack.positional[b.index - shift] ?? pack.keywords.get(b.name);
          if (arg) out.push(arg);
        }
      }
    }
    return out;
  }

  private attributeOf(v: Value, name: string, depth: number): Value[] {
    switch (v.t) {
      case 'ref': return [{ t: 'ref', qname: canonical(`${v.qname}.${name}`), ...(v.start ? { start: v.start } : {}) }];
      case 'obj':
        if (v.kind === 'context' && isContextAttribute(name)) {
          return [{ t: 'ref', qname: canonical(`multiprocessing.${name}`), ...(v.start ? { start: v.start } : {}) }];
        }
        if ((v.kind === 'manager' || v.kind === 'managerUnstarted') && managerMethodResult(name)) return [{ t: 'ref', qname: `manager.${name}` }];
        return [UNKNOWN];
      case 'inst': {
        const method = this.findMethod(v.cls, name);
        if (method) return [{ t: 'method', cls: v.cls, def: method, bound: !isStaticMethod(method) }];
        const assigned = this.selfAttributes(v.cls).get(name);
        if (assigned) return assigned.flatMap((n) => this.eval(n, depth + 1));
        return [UNKNOWN];
      }
      case 'class': {
        const method = this.findMethod(v.def, name);
        if (method) return [{ t: 'method', cls: v.def, def: method, bound: isClassMethod(method) }];
        return [UNKNOWN];
      }
      default: return [UNKNOWN];
    }
  }

  private evalCall(call: Node, depth: number): Value[] {
    const fn = call.childForFieldName('function');
    const out: Value[] = [];
    for (const callee of this.eval(fn, depth + 1)) {
      switch (callee.t) {
        case 'ref': {
          const kind = callee.qname.startsWith('manager.')
            ? managerMethodResult(callee.qname.slice('manager.'.length))
            : callResult(callee.qname);
          if (!kind) { out.push(UNKNOWN); break; }
          if (kind === 'partial') {
            const args = argumentNodes(call);
            out.push({ t: 'partial', node: call, func: args.positional[0], args: args.positional.slice(1), keywords: args.keywords });
          } else if (kind === 'context') {
            const method = stringValue(firstArg(call, 0, 'method'));
            const start = method === 'fork' || method === 'spawn' || method === 'forkserver' ? method : undefined;
            out.push({ t: 'obj', kind, qname: callee.qname, node: call, ...(start ? { start } : {}) });
          } else {
            const lockArg = keywordArg(call, 'lock');
            const noLock = (kind === 'value' || kind === 'array') && lockArg?.text === 'False';
            out.push({ t: 'obj', kind, qname: callee.qname, node: call, ...(callee.start ? { start: callee.start } : {}), ...(noLock ? { noLock } : {}) });
          }
          break;
        }
        case 'func': out.push(...this.returnValues(callee.def, depth)); break;
        case 'method': out.push(...this.returnValues(callee.def, depth)); break;
        case 'class': out.push({ t: 'inst', cls: callee.def, node: call }); break;
        default: out.push(UNKNOWN);
      }
    }
    return out;
  }

  private returnValues(def: Node, depth: number): Value[] {
    if (this.isGenerator(def)) return [{ t: 'obj', kind: 'generator', qname: 'generator', node: def }];
    const body = def.childForFieldName('body');
    if (!body || depth > MAX_DEPTH / 2) return [UNKNOWN];
    const out: Value[] = [];
    for (const ret of body.descendantsOfType('return_statement')) {
      if (this.enclosingDef(ret)?.id !== def.id) continue;
      const value = ret.namedChildren[0];
      if (value) out.push(...this.eval(value, depth + 1));
      if (out.length > MAX_VALUES) break;
    }
    return out.length > 0 ? out : [UNKNOWN];
  }

  isGenerator(def: Node): boolean {
    const body = def.childForFieldName('body');
    if (!body) return false;
    return body.descendantsOfType('yield').some((y) => this.enclosingDef(y, true)?.id === def.id);
  }

  /** The nearest enclosing `def` (or lambda, when `lambdas`), or null at module level. */
  /** Where `node` runs: at import, under the main guard, in a function, or deferred. */
  executionContext(node: Node): ExecutionContext {
    this.contexts ??= new ContextIndex(this.root, this.source, this.index.of('function_definition', 'lambda', 'class_definition'));
    return this.contexts.of(node);
  }

  enclosingDef(node: Node, lambdas = false): Node | null {
    if (!lambdas) {
      const cached = this.enclosingDefCache.get(node.id);
      if (cached !== undefined) return cached;
    }
    const found = this.index.innermost(node, lambdas ? DEF_OR_LAMBDA : DEF_ONLY);
    if (!lambdas) this.enclosingDefCache.set(node.id, found);
    return found;
  }

  findMethod(cls: Node, name: string, seen = 0): Node | undefined {
    let methods = this.methodTables.get(cls.id);
    if (!methods) {
      methods = new Map();
      for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
        const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
        const defName = def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
        if (def && defName && !methods.has(defName)) methods.set(defName, def);
      }
      this.methodTables.set(cls.id, methods);
    }
    const own = methods.get(name);
    if (own) return own;
    if (seen > 5) return undefined;
    for (const base of this.baseClasses(cls)) {
      if (base.t === 'class') {
        const found = this.findMethod(base.def, name, seen + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  baseClasses(cls: Node): Value[] {
    const cached = this.baseCache.get(cls.id);
    if (cached) return cached;
    this.baseCache.set(cls.id, []);
    const supers = cls.childForFieldName('superclasses');
    const bases = supers ? supers.namedChildren.filter((c) => c.type !== 'keyword_argument').flatMap((c) => this.withoutFlow(() => this.eval(c))) : [];
    this.baseCache.set(cls.id, bases);
    return bases;
  }

  /** Whether a same-file class derives from `multiprocessing.Process` (or a context's Process). */
  isProcessClass(cls: Node, seen = 0): boolean {
    if (seen > 5) return false;
    return this.baseClasses(cls).some((b) =>
      (b.t === 'ref' && canonical(b.qname) === 'multiprocessing.Process' && b.start !== 'fork') || (b.t === 'class' && this.isProcessClass(b.def, seen + 1)));
  }

  /** `thread` or `process` for a same-file class deriving from `threading.Thread` or
   * `multiprocessing.Process` (directly or through same-file bases), any start method. */
  workerClassKind(cls: Node, seen = 0): 'thread' | 'process' | undefined {
    if (seen > 5) return undefined;
    for (const b of this.baseClasses(cls)) {
      if (b.t === 'ref') {
        const name = canonical(b.qname);
        if (name === 'multiprocessing.Process') return 'process';
        if (name === 'threading.Thread') return 'thread';
      } else if (b.t === 'class') {
        const kind = this.workerClassKind(b.def, seen + 1);
        if (kind) return kind;
      }
    }
    return undefined;
  }

  /** Same-file Thread/Process subclasses with their own `run()`: code that runs in the worker. */
  workerClasses(): { cls: Node; run: Node; kind: 'thread' | 'process' }[] {
    if (this.workerClassList) return this.workerClassList;
    const out: { cls: Node; run: Node; kind: 'thread' | 'process' }[] = [];
    // Cheap text test first: most files define no such class.
    if (/\b(Thread|Process)\b/.test(this.source)) {
      for (const cls of this.index.of('class_definition')) {
        if (!cls.childForFieldName('superclasses')) continue;
        const kind = this.workerClassKind(cls);
        const run = kind ? this.findMethod(cls, 'run') : undefined;
        if (kind && run) out.push({ cls, run, kind });
      }
    }
    this.workerClassList = out;
    return out;
  }

  /** The first `self.<name> = value` of a class whose value is one of `kinds` (e.g. a pool that
   * makes a bound method unpicklable), unless the class controls its own pickling. */
  selfAttributeOfKind(cls: Node, kinds: ReadonlySet<string>, except?: (v: Extract<Value, { t: 'obj' }>) => boolean): { name: string; value: Extract<Value, { t: 'obj' }>; at: Node } | undefined {
    if (['__getstate__', '__reduce__', '__reduce_ex__'].some((m) => this.findMethod(cls, m))) return undefined;
    for (const [name, rights] of this.selfAttributes(cls)) {
      for (const right of rights) {
        const value = this.eval(right).find((v): v is Extract<Value, { t: 'obj' }> => v.t === 'obj' && kinds.has(v.kind) && !except?.(v));
        if (value) return { name, value, at: right };
      }
    }
    return undefined;
  }

  /** `self.<name> = value` assignments in the methods of a class, by attribute name. */
  private selfAttributes(cls: Node): Map<string, Node[]> {
    let map = this.selfAttrs.get(cls.id);
    if (map) return map;
    map = new Map();
    this.selfAttrs.set(cls.id, map);
    const body = cls.childForFieldName('body');
    for (const assign of body ? this.index.within('assignment', body) : []) {
      const left = assign.childForFieldName('left');
      const right = assign.childForFieldName('right');
      const object = left?.type === 'attribute' ? left.childForFieldName('object') : null;
      const attr = left?.childForFieldName('attribute');
      if (!right || !attr || object?.type !== 'identifier' || object.text !== 'self') continue;
      const list = map.get(attr.text);
      if (list) list.push(right);
      else map.set(attr.text, [right]);
    }
    return map;
  }

  /** Static elements of an iterable expression: literals, comprehensions, `[x] * n`, `repeat(x)`. */
  elementsOf(expr: Node | null | undefined, depth = 0, follow = 2): Node[] {
    if (!expr || depth > 8) return [];
    const e = unparen(expr);
    switch (e.type) {
      case 'list': case 'tuple': case 'set':
        return e.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'list_splat');
      case 'list_comprehension': case 'set_comprehension': case 'generator_expression': {
        const body = e.childForFieldName('body');
        return body ? [body] : [];
      }
      case 'binary_operator': {
        const left = e.childForFieldName('left');
        const right = e.childForFieldName('right');
        return [...this.elementsOf(left, depth + 1, follow), ...this.elementsOf(right, depth + 1, follow)];
      }
      case 'call': {
        const fn = e.childForFieldName('function');
        const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
        const args = argumentNodes(e).positional;
        if (name === 'repeat' && args[0]) return [args[0]];
        if ((name === 'list' || name === 'tuple' || name === 'iter') && args[0]) return this.elementsOf(args[0], depth + 1, follow);
        return [];
      }
      case 'identifier': {
        if (follow <= 0) return [];
        const bindings = this.lookup(e) ?? [];
        const out = bindings.flatMap((b) => (b.k === 'value' ? this.elementsOf(b.value, depth + 1, follow - 1) : []));
        // `xs = []` filled by `xs.append(x)` (or `extend`, `insert`) in the same scope.
        if (bindings.some((b) => b.k === 'value' && (unparen(b.value).type === 'list' || isEmptyListCall(unparen(b.value))))) {
          out.push(...this.appendedTo(e, bindings, depth, follow));
        }
        return out;
      }
      default: return [];
    }
  }

  private appendedTo(name: Node, bindings: readonly Binding[], depth: number, follow: number): Node[] {
    const scope = this.scopes.scopeOf(bindings[0]!.node).node;
    const out: Node[] = [];
    for (const call of this.callsNamedWithin(scope, 'append', 'extend', 'insert')) {
      const fn = call.childForFieldName('function');
      const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      if (receiver?.type !== 'identifier' || receiver.text !== name.text) continue;
      if (!(this.lookup(receiver) ?? []).some((b) => bindings.includes(b))) continue;
      const method = fn!.childForFieldName('attribute')?.text;
      const args = argumentNodes(call).positional;
      if (method === 'append' && args[0]) out.push(args[0]);
      else if (method === 'insert' && args[1]) out.push(args[1]);
      else if (method === 'extend' && args[0]) out.push(...this.elementsOf(args[0], depth + 1, follow - 1));
    }
    return out;
  }

  private withFlow<T>(fn: () => T): T {
    return this.inFlowMode(false, fn);
  }

  private withoutFlow<T>(fn: () => T): T {
    return this.inFlowMode(true, fn);
  }

  private inFlowMode<T>(noFlow: boolean, fn: () => T): T {
    const previous = this.noFlow;
    this.noFlow = noFlow;
    try {
      return fn();
    } finally {
      this.noFlow = previous;
    }
  }

  // ---------------------------------------------------------------- data flow

  /** Values a parameter receives from same-file calls and task submissions. */
  private paramValues(b: Extract<Binding, { k: 'param' }>, depth: number): Value[] {
    const def = b.def;
    // `self` and `cls` of methods.
    const parent = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent;
    const cls = parent?.type === 'block' && parent.parent?.type === 'class_definition' ? parent.parent : undefined;
    if (cls && b.index === 0 && b.star === '' && def.type === 'function_definition' && !isStaticMethod(def)) {
      return isClassMethod(def) ? [{ t: 'class', def: cls }] : [{ t: 'inst', cls, node: def }];
    }
    if (this.noFlow || b.star !== '') return [UNKNOWN];
    const out: Value[] = [];
    let sawSite = false;
    for (const { pack, shift } of this.incoming(def)) {
      sawSite = true;
      // A bound call supplies `self` itself: its first argument is the second parameter.
      const arg = pack.positional[b.index - shift] ?? pack.keywords.get(b.name);
      if (arg) out.push(...this.eval(arg, depth + 1));
      else if (b.defaultValue) out.push(...this.eval(b.defaultValue, depth + 1));
      else out.push(UNKNOWN);
      if (out.length > MAX_VALUES) break;
    }
    if (!sawSite && b.defaultValue) out.push(...this.eval(b.defaultValue, depth + 1));
    return out.length > 0 ? out : [UNKNOWN];
  }

  /** Argument packs that reach `def`, with the shift of a bound `self`. */
  incoming(def: Node): { pack: ArgPack; shift: number }[] {
    const out: { pack: ArgPack; shift: number }[] = [];
    for (const site of this.callSitesOf(def)) {
      out.push({ pack: site.pack, shift: site.callee.t === 'method' && site.callee.bound ? 1 : 0 });
    }
    out.push(...(this.taskPacksIndex().get(def.id) ?? []));
    return out;
  }

  /** Built once per analysis: resolving every task's target per parameter lookup was quadratic. */
  private taskPacksIndex(): Map<number, { pack: ArgPack; shift: number }[]> {
    if (this.taskPacksByDef) return this.taskPacksByDef;
    // While the local task list is being computed it is empty on purpose; don't cache that state.
    if (this.localTasks && this.localTasks.length === 0 && this.computingLocalTasks) return new Map();
    const index = new Map<number, { pack: ArgPack; shift: number }[]>();
    this.taskPacksByDef = index;
    let complete = true;
    for (const task of this.localTasks ?? this.computeLocalTasks()) {
      let targets = this.taskTargets(task, true);
      // `Process(target=fn)` where `fn` is a parameter: resolve it through the callers (the
      // partly built index answers any lookup this makes in the meantime).
      if (targets.length === 0 && task.callable.type === 'identifier') {
        // Asked for while that very callable is being evaluated: answer, but build again later.
        if (this.inProgress.has(task.callable.id)) complete = false;
        else targets = this.withFlow(() => this.taskTargets(task));
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
    let candidates = this.callsNamed(name);
    if (name === '__init__') {
      const body = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent;
      const cls = body?.parent;
      const className = cls?.type === 'class_definition' ? cls.childForFieldName('name')?.text : undefined;
      if (className) candidates = [...candidates, ...this.callsNamed(className)];
    }
    const sites = candidates.flatMap((call) => this.resolveDirectCall(call)).filter((s) => (s.callee.t === 'func' || s.callee.t === 'method') && s.callee.def.id === def.id);
    this.callsByCallee.set(def.id, sites);
    return sites;
  }

  private resolveDirectCall(call: Node): CallSite[] {
    const cached = this.directByCall.get(call.id);
    if (cached) return cached;
    const sites: CallSite[] = [];
    this.withoutFlow(() => {
      const fn = call.childForFieldName('function');
      if (!fn || (fn.type !== 'identifier' && fn.type !== 'attribute')) return;
      for (const callee of this.eval(fn)) {
        if (callee.t === 'func' || callee.t === 'method') sites.push({ call, callee, pack: argumentNodes(call) });
        else if (callee.t === 'class') {
          const init = this.findMethod(callee.def, '__init__');
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
      for (const call of this.callsNamed(name)) sites.push(...this.resolveDirectCall(call));
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
      const call = this.callAt(positions[i]!.name, positions[i]!.at);
      if (!call || call.startIndex < node.startIndex || call.endIndex > node.endIndex) continue;
      if (!keep || keep(call)) sites.push(...this.resolveDirectCall(call));
    }
    return sites;
  }

  private defCalls: { at: number; name: string }[] | undefined;

  /** Source positions of every `name(` whose name is a same-file function or class, in order. */
  private defCallPositions(): { at: number; name: string }[] {
    if (this.defCalls) return this.defCalls;
    const index = this.callNameIndex();
    const out: { at: number; name: string }[] = [];
    for (const name of this.defNames()) for (const at of index.get(name) ?? []) out.push({ at, name });
    out.sort((a, b) => a.at - b.at);
    this.defCalls = out;
    return out;
  }

  private defNameSet: Set<string> | undefined;

  /** Names of the functions and classes defined in this file. */
  private defNames(): Set<string> {
    if (this.defNameSet) return this.defNameSet;
    this.defNameSet = new Set();
    for (const def of this.index.of('function_definition', 'class_definition')) {
      const name = def.childForFieldName('name')?.text;
      if (name) this.defNameSet.add(name);
    }
    return this.defNameSet;
  }

  // ---------------------------------------------------------------- tasks

  private computeLocalTasks(): TaskCall[] {
    this.localTasks = [];
    this.computingLocalTasks = true;
    try {
      this.localTasks = this.withoutFlow(() => this.findTasks());
    } finally {
      this.computingLocalTasks = false;
    }
    return this.localTasks;
  }

  /** Every submission of work to a pool, process or thread in the file. */
  tasks(): TaskCall[] {
    if (this.allTasks) return this.allTasks;
    if (!this.localTasks) this.computeLocalTasks();
    this.allTasks = this.findTasks();
    return this.allTasks;
  }

  private findTasks(): TaskCall[] {
    const tasks: TaskCall[] = [];
    for (const call of this.callsNamed(...POOL_TASK_METHODS, 'run_in_executor', ...this.creationCallNames())) {
      const { fn, name, isAttribute } = this.calleeOf(call);
      if (!fn) continue;
      const method = isAttribute ? name : undefined;
      if (method && (POOL_TASK_METHODS.has(method) || method === 'run_in_executor')) {
        const args = argumentNodes(call);
        const isExecutorHop = method === 'run_in_executor';
        const poolExpr = isExecutorHop ? args.positional[0] : fn.childForFieldName('object');
        for (const pool of this.eval(poolExpr)) {
          if (pool.t !== 'obj' || !['processPool', 'threadPool', 'cloudPool'].includes(pool.kind)) continue;
          const task = isExecutorHop
            ? this.executorTask(call, pool, { positional: args.positional.slice(1), keywords: args.keywords })
            : this.poolTask(call, pool, method, args);
          if (task) tasks.push(task);
        }
        continue;
      }
      if (!this.mayCreateWorkers(call)) continue;
      for (const created of this.evalCall(call, 0)) {
        if (created.t !== 'obj') continue;
        const args = argumentNodes(call);
        if (created.kind === 'process' || created.kind === 'thread') {
          const isTimer = canonical(created.qname) === 'threading.Timer';
          const target = isTimer ? args.positional[1] ?? args.keywords.get('function') : args.keywords.get('target') ?? args.positional[1];
          if (!target) continue;
          const targetArgs = isTimer ? args.positional[2] ?? args.keywords.get('args') : args.keywords.get('args') ?? args.positional[3];
          const targetKw = isTimer ? args.positional[3] ?? args.keywords.get('kwargs') : args.keywords.get('kwargs') ?? args.positional[4];
          tasks.push({ site: call, role: 'target', executor: created, method: isTimer ? 'Timer' : created.kind === 'process' ? 'Process' : 'Thread', callable: target, packs: [packFrom(targetArgs, targetKw)] });
        } else if (created.kind === 'processPool' || created.kind === 'threadPool' || created.kind === 'cloudPool') {
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

  private executorTask(call: Node, pool: Extract<Value, { t: 'obj' }>, args: ArgPack): TaskCall | undefined {
    const callable = args.positional[0];
    if (!callable) return undefined;
    return { site: call, role: 'task', executor: pool, method: 'run_in_executor', callable, packs: [{ positional: args.positional.slice(1), keywords: new Map() }] };
  }

  private poolTask(call: Node, pool: Extract<Value, { t: 'obj' }>, method: string, args: ArgPack): TaskCall | undefined {
    const callable = args.positional[0] ?? args.keywords.get('func') ?? args.keywords.get('fn');
    if (!callable) return undefined;
    const isExecutor = pool.qname.endsWith('Executor') || pool.kind === 'cloudPool';
    const packs: ArgPack[] = [];
    switch (method) {
      case 'submit':
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
          for (const element of this.elementsOf(iterable)) {
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
        for (const element of this.elementsOf(arg)) {
          const positional: (Node | undefined)[] = [];
          positional[i] = element;
          packs.push({ positional, keywords: new Map(), site: iterable });
        }
      });
      return packs;
    }
    return this.elementsOf(iterable).map((element) => {
      const tuple = unparen(element);
      const positional = tuple.type === 'tuple' || tuple.type === 'list' ? tuple.namedChildren.filter((c) => c.type !== 'comment') : [];
      return { positional, keywords: new Map(), site: iterable };
    });
  }

  /**
   * What a task's callable resolves to, with the argument packs its parameters receive
   * (partials unwrapped: their bound arguments come first).
   */
  taskTargets(task: TaskCall, local = false): { value: Value; def: Node; shift: number; packs: ArgPack[]; via?: Extract<Value, { t: 'partial' }> }[] {
    const out: { value: Value; def: Node; shift: number; packs: ArgPack[]; via?: Extract<Value, { t: 'partial' }> }[] = [];
    const run = (): void => {
      for (const v of this.eval(task.callable)) {
        if (v.t === 'partial') {
          for (const inner of this.eval(v.func)) {
            const def = defOf(inner);
            if (!def) continue;
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
        if (def) out.push({ value: v, def, shift: v.t === 'method' && v.bound ? 1 : 0, packs: task.packs });
      }
    };
    if (local) this.withoutFlow(run);
    else run();
    return out;
  }
}

/** `list()` with no argument. */
function isEmptyListCall(node: Node): boolean {
  return node.type === 'call' && node.childForFieldName('function')?.text === 'list' && argumentNodes(node).positional.length === 0;
}

function defOf(v: Value): Node | undefined {
  if (v.t === 'func' || v.t === 'method') return v.def;
  if (v.t === 'lambda') return v.node;
  return undefined;
}

const DEF_ONLY = ['function_definition'];
const DEF_OR_LAMBDA = ['function_definition', 'lambda'];

/** A binding whose statement encloses the use (the `f(x)` of `x = f(x)`) does not precede it;
 * Scopes records, per binding, the offset from which code sees it. */
function containsPos(b: Binding, at: number): boolean {
  return b.k !== 'param' && b.until !== undefined && at < b.until;
}

function dedupe(values: Value[]): Value[] {
  if (values.length <= 1) return values;
  const seen = new Set<string>();
  const out: Value[] = [];
  for (const v of values) {
    const key = valueKey(v);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
    if (out.length >= MAX_VALUES) break;
  }
  return out;
}

function valueKey(v: Value): string {
  switch (v.t) {
    case 'unknown': return 'u';
    case 'ref': return `r:${v.qname}:${v.start ?? ''}`;
    case 'obj': return `o:${v.kind}:${v.node.id}`;
    case 'func': return `f:${v.def.id}`;
    case 'lambda': return `l:${v.node.id}`;
    case 'class': return `c:${v.def.id}`;
    case 'inst': return `i:${v.cls.id}:${v.node.id}`;
    case 'method': return `m:${v.def.id}:${v.bound}`;
    case 'partial': return `p:${v.node.id}`;
  }
}

/** Positional arguments (undefined after a `*args`) and keyword arguments of a call. */
/** Parsed argument lists per tree: rules ask for the same calls' arguments many times. */
const argumentCache = new WeakMap<object, Map<number, ArgPack>>();

/** A call's positional and keyword arguments. The result is shared: callers must not modify it. */
export function argumentNodes(call: Node): ArgPack {
  let perTree = argumentCache.get(call.tree);
  if (!perTree) {
    perTree = new Map();
    argumentCache.set(call.tree, perTree);
  }
  let pack = perTree.get(call.id);
  if (!pack) {
    pack = parseArguments(call);
    perTree.set(call.id, pack);
  }
  return pack;
}

function parseArguments(call: Node): ArgPack {
  const list = call.childForFieldName('arguments');
  const positional: (Node | undefined)[] = [];
  const keywords = new Map<string, Node>();
  if (!list || list.type !== 'argument_list') return { positional, keywords };
  let starred = false;
  for (const arg of list.namedChildren) {
    if (arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name');
      const value = arg.childForFieldName('value');
      if (name && value) keywords.set(name.text, value);
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      if (arg.type === 'list_splat') starred = true;
    } else if (!starred) positional.push(arg);
  }
  return { positional, keywords };
}

function keywordArg(call: Node, name: string): Node | undefined {
  return argumentNodes(call).keywords.get(name);
}

export function firstArg(call: Node, index: number, keyword: string): Node | undefined {
  const args = argumentNodes(call);
  return args.keywords.get(keyword) ?? args.positional[index];
}

/** The argument pack of an `args=(...)` tuple and `kwargs={...}` dict, as far as it is static. */
function packFrom(argsExpr: Node | undefined, kwargsExpr: Node | undefined): ArgPack {
  const positional: (Node | undefined)[] = [];
  const keywords = new Map<string, Node>();
  if (argsExpr) {
    const e = unparen(argsExpr);
    if (e.type === 'tuple' || e.type === 'list') {
      for (const c of e.namedChildren) if (c.type !== 'comment') positional.push(c.type === 'list_splat' ? undefined : c);
    } else if (argsExpr.type === 'parenthesized_expression') positional.push(e); // `args=(x)`: a common slip, still one value
  }
  if (kwargsExpr) {
    const e = unparen(kwargsExpr);
    if (e.type === 'dictionary') {
      for (const pair of e.namedChildren) {
        if (pair.type !== 'pair') continue;
        const key = stringValue(pair.childForFieldName('key') ?? undefined);
        const value = pair.childForFieldName('value');
        if (key && value) keywords.set(key, value);
      }
    } else if (e.type === 'call' && e.childForFieldName('function')?.text === 'dict') {
      for (const [k, v] of argumentNodes(e).keywords) keywords.set(k, v);
    }
  }
  return { positional, keywords, ...(argsExpr ? { site: argsExpr } : {}) };
}

export function stringValue(node: Node | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  const content = node.namedChildren.filter((c) => c.type === 'string_content');
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return content.map((c) => c.text).join('');
}

function decorators(def: Node): string[] {
  const parent = def.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return parent.namedChildren.filter((c) => c.type === 'decorator').map((d) => d.text.replace(/^@\s*/, ''));
}

export function isStaticMethod(def: Node): boolean {
  return decorators(def).some((d) => d === 'staticmethod' || d.endsWith('.staticmethod'));
}

export function isClassMethod(def: Node): boolean {
  return decorators(def).some((d) => d === 'classmethod' || d.endsWith('.classmethod'));
}
