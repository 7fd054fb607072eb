/**
 * What an expression may evaluate to: library objects by canonical name, same-file functions,
 * classes, instances, lambdas and partials; with data flow on, a parameter takes the values its
 * call sites and task submissions pass. Bounded (depth, values) and cached per expression.
 */
import type { Node } from 'web-tree-sitter';
import { argumentNodes, firstArg, isClassMethod, isEmptyListCall, isStaticMethod, keywordArg, stringValue } from './arguments';
import type { CallIndex } from './callIndex';
import type { ArgumentFlow, ClassQueries, Evaluation } from './modelParts';
import { callResult, canonical, forkRoot, isContextAttribute, managerMethodResult } from './names';
import { type Binding, type NodeIndex, type Scopes, unparen } from './scopes';
import { dedupe, MAX_DEPTH, MAX_VALUES, UNKNOWN, type Value } from './values';

const DEF_ONLY = ['function_definition'];
const DEF_OR_LAMBDA = ['function_definition', 'lambda'];

/** The parts evaluation asks, set once the model has built them (they evaluate through us). */
export interface EvaluatorPeers {
  classes: ClassQueries;
  flow: ArgumentFlow;
}

/** Definitions in the project's other modules, for a file that imports them (see workspaceModules.ts). */
export interface ImportedModules {
  /** The values a `from m import name` binding takes when `m` is a project module; undefined otherwise. */
  importedValues(b: Extract<Binding, { k: 'import' }>, depth: number): Value[] | undefined;
  /** The values `module.name` takes when `module` (absolute, dotted) is a project module. */
  memberValues(module: string, name: string, depth: number): Value[] | undefined;
  /** The evaluation of the imported module whose tree holds `node`; undefined for this file's nodes. */
  evaluatorOf(node: Node): Evaluator | undefined;
}

export class Evaluator implements Evaluation {
  private readonly cache = new Map<number, Value[]>();
  private readonly flowCache = new Map<number, Value[]>();
  private readonly inProgress = new Set<number>();
  private readonly enclosingDefCache = new Map<number, Node | null>();
  /** The class whose body holds each def asked about (null: none); `parent` is a search from the root. */
  private readonly methodClassCache = new Map<number, Node | null>();
  private noFlow = false;
  private peers!: EvaluatorPeers;

  constructor(private readonly scopes: Scopes, private readonly nodes: NodeIndex, private readonly calls: CallIndex, private readonly imports?: ImportedModules) {}

  /** The evaluator of another module's node (values of imported names hold them), if `node` is one. */
  private foreign(node: Node): Evaluator | undefined {
    return this.imports && node.tree !== this.scopes.module.node.tree ? this.imports.evaluatorOf(node) : undefined;
  }

  /** What the module-level name `name` holds once the module has run (its last binding); undefined when unbound. */
  moduleValues(name: string, depth: number): Value[] | undefined {
    const list = this.scopes.module.bindings.get(name);
    if (!list || list.length === 0) return undefined;
    const last = list[list.length - 1]!;
    return dedupe((last.k === 'unknown' ? list : [last]).flatMap((b) => this.bindingValues(b, depth + 1)));
  }

  connect(peers: EvaluatorPeers): void {
    this.peers = peers;
  }

  isEvaluating(node: Node): boolean {
    return this.inProgress.has(node.id);
  }

  /** What `expr` may evaluate to; several values when data flow merges call sites. */
  eval(expr: Node | null | undefined, depth = 0): Value[] {
    if (!expr) return [UNKNOWN];
    if (depth > MAX_DEPTH) return [UNKNOWN];
    const owner = this.foreign(expr);
    if (owner) return owner.eval(expr, depth);
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
    const owner = this.foreign(id);
    if (owner) return owner.lookup(id);
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
      case 'import': return crossing(this.imports?.importedValues(b, depth)) ?? [{ t: 'ref', qname: canonical(b.qname) }];
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
        for (const { pack, shift } of this.peers.flow.incoming(b.def)) {
          const arg = pack.positional[b.index - shift] ?? pack.keywords.get(b.name);
          if (arg) out.push(arg);
        }
      }
    }
    return out;
  }

  private attributeOf(v: Value, name: string, depth: number): Value[] {
    const node = v.t === 'inst' ? v.cls : v.t === 'class' ? v.def : undefined;
    const owner = node && this.foreign(node);
    if (owner) return owner.attributeOf(v, name, depth);
    switch (v.t) {
      case 'ref': return crossing(this.imports?.memberValues(v.qname, name, depth)) ?? [{ t: 'ref', qname: canonical(`${v.qname}.${name}`), ...(v.start ? { start: v.start } : {}) }];
      case 'obj':
        if (v.kind === 'context' && isContextAttribute(name)) {
          return [{ t: 'ref', qname: canonical(`${forkRoot(v.qname)}.${name}`), ...(v.start ? { start: v.start } : {}) }];
        }
        if ((v.kind === 'manager' || v.kind === 'managerUnstarted') && managerMethodResult(name)) return [{ t: 'ref', qname: `manager.${name}` }];
        return [UNKNOWN];
      case 'inst': {
        const method = this.peers.classes.findMethod(v.cls, name);
        if (method) return [{ t: 'method', cls: v.cls, def: method, bound: !isStaticMethod(method) }];
        const assigned = this.peers.classes.selfAttributes(v.cls).get(name);
        if (assigned) return assigned.flatMap((n) => this.eval(n, depth + 1));
        return [UNKNOWN];
      }
      case 'class': {
        const method = this.peers.classes.findMethod(v.def, name);
        if (method) return [{ t: 'method', cls: v.def, def: method, bound: isClassMethod(method) }];
        return [UNKNOWN];
      }
      default: return [UNKNOWN];
    }
  }

  evalCall(call: Node, depth: number): Value[] {
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
    const owner = this.foreign(def);
    if (owner) return crossing(owner.returnValues(def, depth))!;
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
    const owner = this.foreign(def);
    if (owner) return owner.isGenerator(def);
    const body = def.childForFieldName('body');
    if (!body) return false;
    return body.descendantsOfType('yield').some((y) => this.enclosingDef(y, true)?.id === def.id);
  }

  /** The nearest enclosing `def` (or lambda, when `lambdas`), or null at module level. */
  enclosingDef(node: Node, lambdas = false): Node | null {
    const owner = this.foreign(node);
    if (owner) return owner.enclosingDef(node, lambdas);
    if (!lambdas) {
      const cached = this.enclosingDefCache.get(node.id);
      if (cached !== undefined) return cached;
    }
    const found = this.nodes.innermost(node, lambdas ? DEF_OR_LAMBDA : DEF_ONLY);
    if (!lambdas) this.enclosingDefCache.set(node.id, found);
    return found;
  }

  /** Static elements of an iterable expression: literals, comprehensions, `[x] * n`, `repeat(x)`. */
  elementsOf(expr: Node | null | undefined, depth = 0, follow = 2): Node[] {
    if (!expr || depth > 8) return [];
    const owner = this.foreign(expr);
    if (owner) return owner.elementsOf(expr, depth, follow);
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
    for (const call of this.calls.callsNamedWithin(scope, 'append', 'extend', 'insert')) {
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

  withFlow<T>(fn: () => T): T {
    return this.inFlowMode(false, fn);
  }

  withoutFlow<T>(fn: () => T): T {
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

  private methodClass(def: Node): Node | undefined {
    let cls = this.methodClassCache.get(def.id);
    if (cls === undefined) {
      const parent = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent;
      cls = parent?.type === 'block' && parent.parent?.type === 'class_definition' ? parent.parent : null;
      this.methodClassCache.set(def.id, cls);
    }
    return cls ?? undefined;
  }

  /** Values a parameter receives from same-file calls and task submissions. */
  private paramValues(b: Extract<Binding, { k: 'param' }>, depth: number): Value[] {
    const def = b.def;
    // `self` and `cls` of methods.
    const cls = this.methodClass(def);
    if (cls && b.index === 0 && b.star === '' && def.type === 'function_definition' && !isStaticMethod(def)) {
      return isClassMethod(def) ? [{ t: 'class', def: cls }] : [{ t: 'inst', cls, node: def }];
    }
    if (this.noFlow || b.star !== '') return [UNKNOWN];
    const out: Value[] = [];
    let sawSite = false;
    for (const { pack, shift } of this.peers.flow.incoming(def)) {
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
}

/**
 * Values that come into this file from an imported module: callables and library names. Objects
 * and instances built there are unknown here (rules would read their nodes as this file's).
 */
function crossing(values: Value[] | undefined): Value[] | undefined {
  return values?.map((v) => (v.t === 'obj' || v.t === 'inst' ? UNKNOWN : v));
}

/** A binding whose statement encloses the use (the `f(x)` of `x = f(x)`) does not precede it;
 * Scopes records, per binding, the offset from which code sees it. */
function containsPos(b: Binding, at: number): boolean {
  return b.k !== 'param' && b.until !== undefined && at < b.until;
}
