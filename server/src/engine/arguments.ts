/**
 * Call arguments as the rules see them: positional and keyword argument nodes of a call, the
 * static contents of `args=`/`kwargs=` expressions, string literals and method decorators.
 * Pure functions over the syntax tree.
 */
import type { Node } from 'web-tree-sitter';
import { unparen } from './scopes';

/** Positional and keyword arguments one invocation passes to a callable. */
export interface ArgPack {
  positional: (Node | undefined)[];
  keywords: Map<string, Node>;
  /** The argument expression at the submission site this pack came from (for ranges). */
  site?: Node;
}

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

export function keywordArg(call: Node, name: string): Node | undefined {
  return argumentNodes(call).keywords.get(name);
}

export function firstArg(call: Node, index: number, keyword: string): Node | undefined {
  const args = argumentNodes(call);
  return args.keywords.get(keyword) ?? args.positional[index];
}

/** The argument pack of an `args=(...)` tuple and `kwargs={...}` dict, as far as it is static. */
export function packFrom(argsExpr: Node | undefined, kwargsExpr: Node | undefined): ArgPack {
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

/** `list()` with no argument. */
export function isEmptyListCall(node: Node): boolean {
  return node.type === 'call' && node.childForFieldName('function')?.text === 'list' && argumentNodes(node).positional.length === 0;
}
