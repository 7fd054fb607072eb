/**
 * What the model says an expression may evaluate to, and the bounds every evaluation keeps
 * (depth, number of values), so that bad input degrades to "unknown".
 */
import type { Node } from 'web-tree-sitter';
import type { ObjectKind, StartMethod } from './names';

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

/** A library object the engine models (a pool, a process, a lock...). */
export type ObjectValue = Extract<Value, { t: 'obj' }>;
export type PartialValue = Extract<Value, { t: 'partial' }>;

export const UNKNOWN: Value = { t: 'unknown' };
export const MAX_DEPTH = 30;
export const MAX_VALUES = 16;

/** The definition a callable value runs: a function, a method or a lambda. */
export function defOf(v: Value): Node | undefined {
  if (v.t === 'func' || v.t === 'method') return v.def;
  if (v.t === 'lambda') return v.node;
  return undefined;
}

export function dedupe(values: Value[]): Value[] {
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
