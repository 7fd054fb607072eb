/**
 * Building blocks for quick fixes: free names, captured variables, re-indentation that leaves
 * multi-line strings alone.
 */
import type { Node } from 'web-tree-sitter';
import type { Model } from './model';
import { identifiersNamed } from './references';
import { indentOf, indentUnit, pos } from './text';
import type { TextEdit } from './types';

/**
 * Allocates names no identifier in the file uses, stable within one analysis. Candidates are
 * looked up in the source text, so a fix on a large file does not list every identifier.
 */
export class NameAllocator {
  private readonly allocated = new Set<string>();

  constructor(private readonly model: Model) {}

  has(name: string): boolean {
    return this.allocated.has(name) || identifiersNamed(this.model, name, this.model.root).length > 0;
  }

  allocate(base: string): string {
    let name = base;
    for (let i = 2; this.has(name); i++) name = `${base}_${i}`;
    this.allocated.add(name);
    return name;
  }
}

/**
 * Whether `node` (a lambda or a def) reads names bound in an enclosing function, lambda,
 * comprehension or class: moving it to module level would change what those names mean.
 */
export function capturesLocals(model: Model, node: Node): boolean {
  for (const id of node.descendantsOfType('identifier')) {
    const parent = id.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) continue;
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id) continue;
    const bindings = model.lookup(id);
    if (!bindings) continue;
    for (const b of bindings) {
      const scope = model.scopes.scopeOf(b.k === 'param' ? b.node : b.node);
      const bindingScopeNode = b.k === 'param' ? b.def : scope.node;
      if (scope.kind === 'module') continue;
      if (bindingScopeNode.startIndex >= node.startIndex && bindingScopeNode.endIndex <= node.endIndex) continue;
      if (b.k === 'def' && b.def.id === node.id) continue; // recursion through its own name
      return true;
    }
  }
  return false;
}

/** Lines strictly inside a multi-line string (their text is part of the string value). */
export function stringInteriorLines(node: Node): Set<number> {
  const lines = new Set<number>();
  for (const s of node.descendantsOfType('string')) {
    for (let l = s.startPosition.row + 1; l <= s.endPosition.row; l++) lines.add(l);
  }
  if (node.type === 'string') for (let l = node.startPosition.row + 1; l <= node.endPosition.row; l++) lines.add(l);
  return lines;
}

/** Edits that add `prefixLine` before `firstLine` and indent lines firstLine..lastLine by one unit. */
export function wrapLines(model: Model, firstLine: number, lastLine: number, prefixLine: string, interior: Set<number>): TextEdit[] {
  const unit = indentUnit(model.lines);
  const baseIndent = indentOf(model.lines.line(firstLine));
  const edits: TextEdit[] = [];
  for (let l = firstLine; l <= lastLine; l++) {
    if (interior.has(l)) continue;
    const text = model.lines.line(l);
    if (l === firstLine) {
      edits.push({ range: { start: pos(l, 0), end: pos(l, 0) }, newText: `${baseIndent}${prefixLine}\n${unit}` });
      continue;
    }
    if (text.trim() === '') continue;
    edits.push({ range: { start: pos(l, 0), end: pos(l, 0) }, newText: unit });
  }
  return edits;
}

/** Whether `node` is the only thing on its lines (comments after it allowed). */
export function ownsItsLines(model: Model, node: Node): boolean {
  const first = model.lines.line(node.startPosition.row);
  const last = model.lines.line(node.endPosition.row);
  if (first.slice(0, node.startPosition.column).trim() !== '') return false;
  const rest = last.slice(node.endPosition.column).trim();
  return rest === '' || rest.startsWith('#');
}
