/**
 * Syntax trees of open documents, kept where the analysis runs (the analysis worker): edits from
 * the document store are replayed on each tree so that the next parse is incremental, and a parse
 * can be cancelled part-way (the edited tree stays usable for the next attempt).
 */
import { Edit, type Parser, type Tree } from 'web-tree-sitter';
import { parsableText } from '../engine/text';

/** A tree-sitter edit as plain data, so that it can cross to the worker. */
export interface TreeEditData {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: { row: number; column: number };
  oldEndPosition: { row: number; column: number };
  newEndPosition: { row: number; column: number };
}

export class TreeStore {
  private readonly trees = new Map<string, Tree>();

  /** Replays edits on the key's tree; without a tree there is nothing to keep in step. */
  edit(key: string, edits: readonly TreeEditData[]): void {
    const tree = this.trees.get(key);
    if (tree) for (const e of edits) tree.edit(new Edit(e));
  }

  drop(key: string): void {
    this.trees.get(key)?.delete();
    this.trees.delete(key);
  }

  dropAll(): void {
    for (const tree of this.trees.values()) tree.delete();
    this.trees.clear();
  }

  /**
   * Parses `text`, reusing the key's edited tree; undefined when `cancelled` said stop (the old
   * tree is kept for the next attempt). `keep` false parses from scratch and keeps nothing.
   */
  parse(key: string, text: string, parser: Parser, cancelled: () => boolean, keep = true): Tree | undefined {
    const old = keep ? this.trees.get(key) : undefined;
    const next = parser.parse(parsableText(text), old, { progressCallback: () => cancelled() as unknown as void }) ?? undefined;
    // A cancelled parse leaves the parser mid-way: reset it so the next parse starts clean.
    if (!next) {
      parser.reset();
      return undefined;
    }
    if (keep) {
      if (old && old !== next) old.delete();
      this.trees.set(key, next);
    }
    return next;
  }
}
