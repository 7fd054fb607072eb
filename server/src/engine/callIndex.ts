/**
 * Where the file calls what: every call whose callee ends in a given name, found through the
 * source text and looked up in the tree only at those places, and each call's callee. Syntax
 * only; nothing here evaluates an expression.
 */
import type { Node } from 'web-tree-sitter';
import { lowerBound } from './intervals';
import type { NodeIndex } from './scopes';

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

/** A call's callee expression and the name it ends in. */
export interface Callee {
  fn: Node | null;
  name: string | undefined;
  isAttribute: boolean;
}

export class CallIndex {
  private allCalls: Node[] | undefined;
  /** Call nodes by the name their callee ends in, found through the source text (see callsNamed). */
  private readonly callsByName = new Map<string, Node[]>();
  private callNamePositions: Map<string, number[]> | undefined;
  private readonly callsByPosition = new Map<number, Node | null>();
  /** For each name start in callNameIndex, where its `(` is. */
  private readonly parenAfter = new Map<number, number>();
  private readonly callees = new Map<number, Callee>();

  constructor(private readonly root: Node, private readonly source: string, private readonly nodes: NodeIndex) {}

  /** Every call in the file (costly on large files: prefer callsNamed). */
  get calls(): Node[] {
    this.allCalls ??= this.nodes.of('call');
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
  callAt(name: string, at: number): Node | null {
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
  callNameIndex(): Map<string, number[]> {
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

  /**
   * A call's callee expression and the name it ends in (`f` for `f()`, `map` for `pool.map()`),
   * computed once per call: several passes ask, and each tree access crosses into wasm.
   */
  calleeOf(call: Node): Callee {
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
}
