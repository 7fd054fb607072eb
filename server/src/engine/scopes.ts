/**
 * Scopes and bindings: which name is bound where, by what. Collected in one pass over the tree
 * (iteratively: deeply nested code must not exhaust the stack).
 */
import type { Node } from 'web-tree-sitter';
import { type Interval, IntervalNest, lowerBound } from './intervals';

export type ScopeKind = 'module' | 'function' | 'class' | 'lambda' | 'comprehension';

export type Binding = (
  | { k: 'value'; pos: number; node: Node; value: Node }
  | { k: 'element'; pos: number; node: Node; iter: Node }
  | { k: 'import'; pos: number; node: Node; qname: string }
  | { k: 'def'; pos: number; node: Node; def: Node }
  | { k: 'class'; pos: number; node: Node; def: Node }
  | { k: 'param'; pos: number; node: Node; def: Node; index: number; name: string; star: '' | '*' | '**'; defaultValue?: Node }
  | { k: 'unknown'; pos: number; node: Node }
  /** `a, b = source`: element `index` of whatever `source` holds (a tuple passed in, say). */
  | { k: 'unpack'; pos: number; node: Node; source: Node; index: number }
) & {
  /** Where code starts to see the binding: the end of `x = f(x)`, the body of `for x in …:`. */
  until?: number;
};

export interface Scope {
  node: Node;
  kind: ScopeKind;
  parent: Scope | undefined;
  bindings: Map<string, Binding[]>;
  globals: Set<string>;
  nonlocals: Set<string>;
}

const SCOPE_TYPES: Record<string, ScopeKind> = {
  module: 'module',
  function_definition: 'function',
  class_definition: 'class',
  lambda: 'lambda',
  list_comprehension: 'comprehension',
  set_comprehension: 'comprehension',
  dictionary_comprehension: 'comprehension',
  generator_expression: 'comprehension',
};

const BINDING_TYPES = [
  'import_statement', 'import_from_statement', 'function_definition', 'class_definition', 'assignment',
  'augmented_assignment', 'for_statement', 'for_in_clause', 'with_item', 'named_expression', 'global_statement',
  'nonlocal_statement', 'lambda', 'except_clause',
];

/**
 * One walk over the tree collecting every node type the engine looks at, bucketed by type
 * (each walk of a large tree costs milliseconds, so the engine walks it once).
 */
export class NodeIndex {
  private readonly byType = new Map<string, Node[]>();

  constructor(private readonly root: Node) {
    // Calls are not collected here: there are many, and the engine finds the few it needs by name
    // (Model.callsNamed); `of('call')` lists them all on demand.
    const types = [...new Set([...BINDING_TYPES, ...Object.keys(SCOPE_TYPES), 'decorated_definition'])].filter((t) => t !== 'module');
    for (const n of root.descendantsOfType(types)) {
      const list = this.byType.get(n.type);
      if (list) list.push(n);
      else this.byType.set(n.type, [n]);
    }
  }

  private readonly nestings = new Map<string, IntervalNest<Node>>();

  /**
   * The innermost node of one of `types` (indexed types only) that strictly contains `node`, found
   * through the nodes' source intervals: `node.parent` costs a search from the root in
   * web-tree-sitter, which adds up on large modules.
   */
  innermost(node: Node, types: readonly string[]): Node | null {
    const key = types.join(',');
    let nest = this.nestings.get(key);
    if (!nest) {
      nest = new IntervalNest(types.flatMap((t) => this.byType.get(t) ?? []).map((n) => ({ start: n.startIndex, end: n.endIndex, value: n, id: n.id })));
      this.nestings.set(key, nest);
    }
    // Same span, another node: the candidate lies inside `node` (a block holding only a def).
    return nest.innermost(node.startIndex, node.endIndex, node.id, true)?.value ?? null;
  }

  /** Nodes of one type that lie inside `outer` (document order), found by binary search. */
  within(type: string, outer: Node): Node[] {
    if (type === 'call') this.loadCalls();
    const list = this.byType.get(type) ?? [];
    const out: Node[] = [];
    for (let i = lowerBound(list.length, (k) => list[k]!.startIndex, outer.startIndex); i < list.length && list[i]!.startIndex < outer.endIndex; i++) {
      if (list[i]!.endIndex <= outer.endIndex) out.push(list[i]!);
    }
    return out;
  }

  private loadCalls(): void {
    if (!this.byType.has('call')) this.byType.set('call', this.root.descendantsOfType('call'));
  }

  /** Nodes of the given types in document order. */
  of(...types: string[]): Node[] {
    if (types.includes('call')) this.loadCalls();
    if (types.length === 1) return this.byType.get(types[0]!) ?? [];
    return types.flatMap((t) => this.byType.get(t) ?? []).sort((a, b) => a.startIndex - b.startIndex);
  }

  /** Whether the file imports a module whose pools, processes, threads or locks the rules know. */
  importsParallelism(): boolean {
    for (const stmt of this.of('import_statement', 'import_from_statement')) {
      if (/\b(multiprocessing|multiprocess|concurrent|threading|_thread|billiard|pathos|joblib|loky|distributed|dask|ray|mpire)\b/.test(stmt.text)) return true;
    }
    return false;
  }
}

export function isScopeNode(node: Node): boolean {
  return node.type in SCOPE_TYPES;
}

export function dottedName(node: Node | null): string {
  if (!node) return '';
  return node.namedChildren.map((c) => c.text).join('.');
}

export class Scopes {
  private readonly byNode = new Map<number, Scope>();
  readonly module: Scope;
  /** Modules imported with `from m import *`. */
  readonly starImports: string[] = [];
  /** Every module or name imported anywhere in the file, as qualified names. */
  readonly imported: string[] = [];

  constructor(readonly root: Node, private readonly packageName: string, private readonly index: NodeIndex = new NodeIndex(root)) {
    this.module = this.create(root, undefined);
    const nodes = index.of(...BINDING_TYPES);
    // Global and nonlocal declarations first: they decide where later assignments bind.
    for (const n of nodes) {
      if (n.type === 'global_statement' || n.type === 'nonlocal_statement') {
        const scope = this.scopeOf(n);
        for (const id of n.namedChildren) {
          if (id.type === 'identifier') (n.type === 'global_statement' ? scope.globals : scope.nonlocals).add(id.text);
        }
      }
    }
    for (const n of nodes) this.collect(n);
  }

  *allScopes(): IterableIterator<Scope> {
    yield* this.byNode.values();
  }

  /** The scope a scope-creating node opens. */
  scopeFor(node: Node): Scope {
    const found = this.byNode.get(node.id);
    if (found) return found;
    return this.create(node, node.type === 'module' ? undefined : this.scopeOf(node));
  }

  /**
   * The innermost scope in which `node` is evaluated. Uses the scopes' source intervals (a
   * function's interval starts at its parameters, a class's at its body), so no parent walk
   * through the tree is needed.
   */
  scopeOf(node: Node): Scope {
    const found = this.intervals().innermost(node.startIndex, node.endIndex, node.id);
    return found ? this.scopeFor(found.value) : this.module;
  }

  private scopeIntervals: IntervalNest<Node> | undefined;

  private intervals(): IntervalNest<Node> {
    if (this.scopeIntervals) return this.scopeIntervals;
    const list: Interval<Node>[] = [];
    for (const n of this.index.of(...Object.keys(SCOPE_TYPES).filter((t) => t !== 'module'))) {
      let start = n.startIndex;
      if (n.type === 'function_definition') start = (n.childForFieldName('parameters') ?? n.childForFieldName('body') ?? n).startIndex;
      else if (n.type === 'class_definition') start = (n.childForFieldName('body') ?? n).startIndex;
      list.push({ start, end: n.endIndex, value: n, id: n.id });
    }
    this.scopeIntervals = new IntervalNest(list);
    return this.scopeIntervals;
  }

  private create(node: Node, parent: Scope | undefined): Scope {
    const scope: Scope = {
      node, kind: SCOPE_TYPES[node.type] ?? 'module', parent,
      bindings: new Map(), globals: new Set(), nonlocals: new Set(),
    };
    this.byNode.set(node.id, scope);
    return scope;
  }

  private bind(scope: Scope, name: string, binding: Binding): void {
    // Error recovery inserts zero-width MISSING identifiers: they bind nothing a program could read.
    if (name === '') return;
    if (this.until !== undefined && binding.k !== 'param') binding.until = this.until;
    let target = scope;
    if (scope.globals.has(name)) target = this.module;
    else if (scope.nonlocals.has(name)) {
      for (let s = scope.parent; s; s = s.parent) {
        if (s.kind === 'function' && s.bindings.has(name)) { target = s; break; }
      }
    }
    const list = target.bindings.get(name);
    if (list) list.push(binding);
    else target.bindings.set(name, [binding]);
  }

  /** Binds every identifier of an assignment target; `value` only for a plain name. */
  private bindTarget(scope: Scope, target: Node, value: Node | undefined, pos: number): void {
    const stack: { node: Node; value: Node | undefined; unpack?: { source: Node; index: number } }[] = [{ node: target, value }];
    while (stack.length > 0) {
      const { node: t, value: v, unpack } = stack.pop()!;
      switch (t.type) {
        case 'identifier':
          this.bind(scope, t.text, v ? { k: 'value', pos, node: t, value: v } : unpack ? { k: 'unpack', pos, node: t, ...unpack } : { k: 'unknown', pos, node: t });
          break;
        case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list': case 'expression_list': {
          const targets = t.namedChildren;
          const values = v && ['tuple', 'list', 'expression_list', 'parenthesized_expression'].includes(v.type) ? unparen(v).namedChildren : undefined;
          const literal = !!values && values.length === targets.length;
          const starred = targets.some((c) => c.type === 'list_splat_pattern');
          targets.forEach((child, i) => {
            stack.push({ node: child, value: literal ? values![i] : undefined, unpack: !literal && v && v.type === 'identifier' && !starred ? { source: v, index: i } : undefined });
          });
          break;
        }
        case 'parenthesized_expression': case 'list_splat_pattern':
          for (const c of t.namedChildren) stack.push({ node: c, value: undefined });
          break;
        case 'as_pattern_target':
          for (const c of t.namedChildren) stack.push({ node: c, value: v });
          break;
        default:
          break; // attribute and subscript targets bind no name
      }
    }
  }

  /** Set while `collect` handles one node: the offset from which its bindings are visible. */
  private until: number | undefined;

  private collect(n: Node): void {
    this.until = visibleFrom(n);
    try {
      this.collectBindings(n);
    } finally {
      this.until = undefined;
    }
  }

  private collectBindings(n: Node): void {
    const pos = n.startIndex;
    switch (n.type) {
      case 'import_statement':
        this.bindImport(n, pos);
        break;
      case 'import_from_statement':
        this.bindImportFrom(n, pos);
        break;
      case 'function_definition': case 'class_definition': {
        const name = n.childForFieldName('name');
        if (name) {
          const outer = this.scopeOf(n);
          this.bind(outer, name.text, n.type === 'class_definition' ? { k: 'class', pos, node: name, def: n } : { k: 'def', pos, node: name, def: n });
        }
        if (n.type === 'function_definition') this.bindParameters(n);
        else this.scopeFor(n);
        break;
      }
      case 'lambda':
        this.bindParameters(n);
        break;
      case 'assignment': {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left) break;
        const scope = this.scopeOf(n);
        // Chained `a = b = value`: the right side is itself an assignment.
        let value = right ?? undefined;
        while (value?.type === 'assignment') value = value.childForFieldName('right') ?? undefined;
        this.bindTarget(scope, left, value, pos);
        break;
      }
      case 'augmented_assignment': {
        const left = n.childForFieldName('left');
        if (left?.type === 'identifier') {
          const scope = this.scopeOf(n);
          if (!scope.bindings.has(left.text) && !scope.globals.has(left.text) && !scope.nonlocals.has(left.text)) this.bind(scope, left.text, { k: 'unknown', pos, node: left });
        }
        break;
      }
      case 'for_statement': case 'for_in_clause': {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left) break;
        const scope = this.scopeOf(left);
        if (left.type === 'identifier' && right) this.bind(scope, left.text, { k: 'element', pos, node: left, iter: right });
        else this.bindTarget(scope, left, undefined, pos);
        break;
      }
      case 'with_item': {
        const value = n.childForFieldName('value');
        if (value?.type !== 'as_pattern') break;
        const expr = value.namedChildren[0];
        const alias = value.childForFieldName('alias');
        if (alias && expr) this.bindTarget(this.scopeOf(n), alias, expr, pos);
        break;
      }
      case 'named_expression': {
        const name = n.childForFieldName('name');
        const value = n.childForFieldName('value');
        if (!name) break;
        // A walrus in a comprehension binds in the enclosing function scope.
        let scope = this.scopeOf(n);
        while (scope.kind === 'comprehension' && scope.parent) scope = scope.parent;
        this.bind(scope, name.text, value ? { k: 'value', pos, node: name, value } : { k: 'unknown', pos, node: name });
        break;
      }
      case 'except_clause': {
        const value = n.childForFieldName('value');
        const alias = value?.type === 'as_pattern' ? value.childForFieldName('alias') : null;
        if (alias) this.bindTarget(this.scopeOf(n), alias, undefined, pos);
        break;
      }
      default:
        break;
    }
  }

  /** `import a.b as c` binds `c`; `import a.b.c` binds `a` to the package a. */
  private bindImport(n: Node, pos: number): void {
    const scope = this.scopeOf(n);
    for (const item of n.childrenForFieldName('name')) {
      if (item.type === 'aliased_import') {
        const alias = item.childForFieldName('alias');
        if (alias) this.bind(scope, alias.text, { k: 'import', pos, node: alias, qname: dottedName(item.childForFieldName('name')) });
        this.imported.push(dottedName(item.childForFieldName('name')));
      } else {
        const first = item.namedChildren[0];
        if (first) this.bind(scope, first.text, { k: 'import', pos, node: first, qname: first.text });
        this.imported.push(dottedName(item));
      }
    }
  }

  /** `from m import a as b` (relative or `*` too) binds each name to `m.a`. */
  private bindImportFrom(n: Node, pos: number): void {
    const scope = this.scopeOf(n);
    const moduleNode = n.childForFieldName('module_name');
    let moduleName = '';
    if (moduleNode?.type === 'relative_import') {
      const inner = moduleNode.namedChildren.find((c) => c.type === 'dotted_name');
      moduleName = `${this.packageName}.${inner ? dottedName(inner) : ''}`;
    } else moduleName = dottedName(moduleNode);
    if (n.namedChildren.some((c) => c.type === 'wildcard_import')) this.starImports.push(moduleName);
    this.imported.push(moduleName);
    for (const item of n.childrenForFieldName('name')) {
      const nameNode = item.type === 'aliased_import' ? item.childForFieldName('name') : item;
      const bound = item.type === 'aliased_import' ? item.childForFieldName('alias') : item.namedChildren[0];
      if (!nameNode || !bound) continue;
      this.bind(scope, bound.text, { k: 'import', pos, node: bound, qname: `${moduleName}.${dottedName(nameNode)}` });
    }
  }

  private bindParameters(def: Node): void {
    const scope = this.scopeFor(def);
    const params = def.childForFieldName('parameters');
    if (!params) return;
    let index = 0;
    for (const p of params.namedChildren) {
      let nameNode: Node | null = null;
      let star: '' | '*' | '**' = '';
      let defaultValue: Node | undefined;
      switch (p.type) {
        case 'identifier': nameNode = p; break;
        case 'typed_parameter': {
          const inner = p.namedChildren[0];
          if (inner?.type === 'identifier') nameNode = inner;
          else if (inner?.type === 'list_splat_pattern') { nameNode = inner.namedChildren[0] ?? null; star = '*'; }
          else if (inner?.type === 'dictionary_splat_pattern') { nameNode = inner.namedChildren[0] ?? null; star = '**'; }
          break;
        }
        case 'default_parameter': case 'typed_default_parameter':
          nameNode = p.childForFieldName('name');
          defaultValue = p.childForFieldName('value') ?? undefined;
          break;
        case 'list_splat_pattern': nameNode = p.namedChildren[0] ?? null; star = '*'; break;
        case 'dictionary_splat_pattern': nameNode = p.namedChildren[0] ?? null; star = '**'; break;
        default: break;
      }
      if (nameNode?.type !== 'identifier') continue;
      this.bind(scope, nameNode.text, { k: 'param', pos: def.startIndex, node: nameNode, def, index, name: nameNode.text, star, defaultValue });
      if (star === '') index++;
    }
  }
}

/**
 * The offset from which the names a binding node binds are visible to later code in the same
 * scope: after the whole statement for `x = f(x)` (whose `f(x)` still sees the old `x`), at the
 * body for `for`/`except`, after the item for `with … as x` (later items see it).
 */
function visibleFrom(n: Node): number | undefined {
  switch (n.type) {
    case 'assignment': case 'augmented_assignment': case 'named_expression': case 'with_item':
    case 'import_statement': case 'import_from_statement': case 'function_definition': case 'class_definition':
    case 'for_in_clause':
      return n.endIndex;
    case 'for_statement':
      return (n.childForFieldName('body') ?? n).startIndex;
    case 'except_clause':
      return (n.lastChild ?? n).startIndex;
    default:
      return undefined;
  }
}

export function unparen(node: Node): Node {
  let cur = node;
  for (let i = 0; i < 100 && cur.type === 'parenthesized_expression'; i++) {
    const inner = cur.namedChildren.find((c) => c.type !== 'comment');
    if (!inner) break;
    cur = inner;
  }
  return cur;
}
