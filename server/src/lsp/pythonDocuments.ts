/**
 * Python analysis of open documents where the analysis runs (the worker): each document's tree is
 * kept and reparsed incrementally (TreeStore), and the findings of the last few texts analysed are
 * remembered by text and options, so that a text seen again (an undo, a deleted character typed
 * back, a re-analysis after a settings change that left the options alone) costs a lookup only.
 * Findings depend on nothing but the text, the options and the project modules the file imports
 * (remembered by path, mtime and size), so a remembered list is exactly the list a fresh analysis
 * would give (server/test/lsp/incrementalAnalysis.test.ts checks it).
 */
import type { Parser } from 'web-tree-sitter';
import { analyzePythonTree, moduleStamp } from '../analysis';
import type { AnalysisOptions, Finding } from '../engine/types';
import { TreeStore, type TreeEditData } from './treeStore';

/** How many analysed texts each document remembers (each costs the text's size in memory). */
const REMEMBERED_TEXTS = 4;
/** Longer texts are not remembered: four copies of a 4 MB file would outweigh what they save. */
const REMEMBERED_MAX_CHARS = 1_000_000;

interface Remembered {
  text: string;
  options: string;
  findings: Finding[];
  /** Stamps of the project modules the analysis read (engine/workspaceModules.ts). */
  modules: string[];
}

export type PythonAnalysisOptions = Omit<AnalysisOptions, 'isCancelled' | 'onlyRules'>;

export class PythonDocuments {
  private readonly trees = new TreeStore();
  private readonly remembered = new Map<string, Remembered[]>();
  /** The module stamps of the last `analyse` that returned findings (remembered or fresh). */
  lastModules: string[] = [];

  /** Replays a document's edits on its tree (the next parse reuses what they left alone). */
  edit(key: string, edits: readonly TreeEditData[]): void {
    this.trees.edit(key, edits);
  }

  drop(key: string): void {
    this.trees.drop(key);
    this.remembered.delete(key);
  }

  dropAll(): void {
    this.trees.dropAll();
    this.remembered.clear();
  }

  /**
   * The findings of `text`; undefined when `cancelled` said stop. `keep` false parses from scratch
   * and keeps neither the tree nor the findings (notebook cells, analysed once).
   */
  analyse(key: string, text: string, parser: Parser, options: PythonAnalysisOptions, cancelled: () => boolean, keep = true): Finding[] | undefined {
    const optionsKey = JSON.stringify([options.file, options.severities ?? null, options.startMethod ?? null, options.notebook ?? null]);
    const seen = keep ? this.remembered.get(key) : undefined;
    const hit = seen?.find((r) => r.options === optionsKey && r.text === text && r.modules.every((m) => moduleStamp(m.slice(0, m.indexOf('\0'))) === m));
    // A hit leaves the tree edited but not reparsed: tree-sitter takes any number of edits
    // before the next parse, which then reuses the same subtrees.
    if (hit) {
      this.lastModules = hit.modules;
      return hit.findings;
    }
    const tree = this.trees.parse(key, text, parser, cancelled, keep);
    if (!tree) return undefined;
    try {
      const modules: string[] = [];
      const findings = analyzePythonTree(tree, text, { ...options, isCancelled: cancelled, importedModules: modules });
      // A cancelled run may have stopped between rules with a partial list: never remember it.
      if (cancelled()) return undefined;
      if (keep && text.length <= REMEMBERED_MAX_CHARS) this.remember(key, { text, options: optionsKey, findings, modules });
      this.lastModules = modules;
      return findings;
    } finally {
      if (!keep) tree.delete();
    }
  }

  private remember(key: string, entry: Remembered): void {
    const list = this.remembered.get(key) ?? [];
    list.unshift(entry);
    if (list.length > REMEMBERED_TEXTS) list.length = REMEMBERED_TEXTS;
    this.remembered.set(key, list);
  }
}
