/**
 * The project's own Python modules a file imports (`from tasks import work`, `import tasks`,
 * `from .tasks import work`, `from pkg.sub import f`): found on disk beside the file, in its
 * parents up to the project root and in the root's `src/`, parsed with the file's grammar (never
 * checked by the rules) and kept by path until their text changes: the editor's unsaved text of an
 * open module (an overlay, `setOverlay`) wins over the file, whose size and mtime stamp it
 * otherwise. An imported module resolves its own imports the same way (a package `__init__.py`
 * re-exporting `from .tasks import work`), so a kept module stays valid only while every module
 * it read holds its stamp. Bounded so that the editor never waits on them: modules over 512 KB are
 * not read, each module's resolver loads at most 8, evaluation depth cuts import cycles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Language, type Node, Parser, type Tree } from 'web-tree-sitter';
import { Model, type ProjectImports } from './model';
import { isModelledLibrary } from './names';
import { STDLIB_MODULES } from './stdlibModules';
import type { Evaluator } from './evaluator';
import type { Binding } from './scopes';
import { parsableText } from './text';
import type { Value } from './values';
import { smallFileStat } from '../common/fileStamp';

const MAX_BYTES = 512 * 1024;
const MAX_PER_ANALYSIS = 8;
const MAX_CACHED = 64;
/** A module that is not on disk is looked for again after this long (a file may be created). */
const MISS_TTL_MS = 3000;
const ROOT_MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', '.git'];

interface Loaded {
  /** `moduleStamp` of the text it was parsed from. */
  stamp: string;
  tree: Tree;
  model: Model;
  file: string;
  /** Its own imports' resolver: what it loads makes it stale when that changes. */
  resolver: WorkspaceModules;
  /** The analysis generation that last used it: entries in use now are never evicted. */
  used: number;
  evicted: boolean;
}

const cache = new Map<string, Loaded>();
/** Every kept module by its tree: a value may hold a node of a module reached through another one. */
const byTreeAll = new Map<Tree, Loaded>();
const misses = new Map<string, number>();
const roots = new Map<string, string | null>();
/** The editor's unsaved texts of open modules, by path, each with a stamp unique to the text set. */
const overlays = new Map<string, { text: string; stamp: string }>();
let overlayGeneration = 0;
let analysisGeneration = 0;
let parser: { language: Language; parser: Parser } | undefined;

/**
 * The editor's text of an open module (undefined: the document closed, the file on disk counts
 * again). Modules read afterwards see it; kept parses of the file and of modules that read it
 * turn stale through their stamps.
 */
export function setOverlay(file: string, text: string | undefined): void {
  const disk = path.resolve(file);
  if (text === undefined) overlays.delete(disk);
  else overlays.set(disk, { text, stamp: `${disk}\0o${++overlayGeneration}` });
}

/** Files created or deleted on disk: a module looked for and not found there is looked for again now. */
export function forgetMisses(files: readonly string[]): void {
  for (const file of files) misses.delete(path.resolve(file));
}

/** The file system path of a path or `file:` URI; undefined for other URIs (untitled, notebook cells). */
export function diskPath(file: string): string | undefined {
  if (file.startsWith('file:')) {
    try { return fileURLToPath(file); } catch { return undefined; }
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(file) && !/^[a-z]:[\\/]/i.test(file)) return undefined;
  return path.resolve(file);
}

/** The nearest folder at or above `dir` holding a project marker; null when none does. */
function projectRoot(dir: string): string | null {
  const known = roots.get(dir);
  if (known !== undefined) return known;
  let found: string | null = null;
  if (ROOT_MARKERS.some((m) => fs.existsSync(path.join(dir, m)))) found = dir;
  else if (path.dirname(dir) !== dir) found = projectRoot(path.dirname(dir));
  roots.set(dir, found);
  return found;
}

/** Folders an absolute import is looked up in: the file's folder, its parents up to the root, the root's `src/`. */
function searchFolders(fromDir: string): string[] {
  const root = projectRoot(fromDir);
  if (!root) return [fromDir];
  const out: string[] = [];
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    out.push(dir);
    if (dir === root || path.dirname(dir) === dir) break;
  }
  out.push(path.join(root, 'src'));
  return out;
}

/** The module file for `dotted` under `base`; each candidate not found is added to `missing`. */
function moduleFile(base: string, dotted: string, missing: string[]): string | undefined {
  const stem = path.join(base, ...dotted.split('.'));
  for (const candidate of [`${stem}.py`, path.join(stem, '__init__.py')]) {
    if (overlays.has(candidate)) return candidate;
    const seen = misses.get(candidate);
    if (seen === undefined || Date.now() - seen >= MISS_TTL_MS) {
      if (fs.existsSync(candidate)) return candidate;
      misses.set(candidate, Date.now());
    }
    missing.push(candidate);
  }
  return undefined;
}

/** The imports of one analysed file: resolves, loads (within the budget) and answers the evaluator. */
export class WorkspaceModules implements ProjectImports {
  private readonly byName = new Map<string, Loaded | null>();
  private readonly byTree = new Map<Tree, Loaded>();
  private loads = 0;
  /** `moduleStamp` of each module this resolver read and of each candidate file it found missing. */
  private readonly own: string[] = [];

  private constructor(private readonly file: string, private readonly language: Language) {}

  /** The resolver for a file at `file` (path or URI) about to be analysed; undefined when it has no folder on disk. */
  static forFile(file: string, language: Language): WorkspaceModules | undefined {
    const disk = diskPath(file);
    analysisGeneration++;
    return disk ? new WorkspaceModules(disk, language) : undefined;
  }

  /**
   * The stamps of every module the analysis read, through imported modules' imports too, and of
   * the candidate files it looked for in vain: the findings hold while `moduleStamp` gives each
   * of them again, and the language server indexes dependants by their paths.
   */
  get stamps(): string[] {
    const out = new Set<string>();
    const seen = new Set<WorkspaceModules>([this]);
    const visit = (r: WorkspaceModules): void => {
      for (const s of r.own) out.add(s);
      for (const loaded of r.byTree.values()) {
        if (!seen.has(loaded.resolver)) {
          seen.add(loaded.resolver);
          visit(loaded.resolver);
        }
      }
    };
    visit(this);
    return [...out];
  }

  /** Whether every module read (and every module found missing) still has the stamp it had, and none was evicted. */
  private holds(): boolean {
    const seen = new Set<WorkspaceModules>();
    const check = (r: WorkspaceModules): boolean => {
      if (seen.has(r)) return true;
      seen.add(r);
      if (!r.own.every((s) => moduleStamp(s.slice(0, s.indexOf('\0'))) === s)) return false;
      return [...r.byTree.values()].every((l) => !l.evicted && check(l.resolver));
    };
    return check(this);
  }

  importedValues(b: Extract<Binding, { k: 'import' }>, depth: number): Value[] | undefined {
    const stmt = importStatement(b.node);
    if (stmt?.type !== 'import_from_statement') return undefined;
    const name = b.qname.slice(b.qname.lastIndexOf('.') + 1);
    return this.exported(this.fromModule(stmt), name, depth);
  }

  memberValues(moduleName: string, name: string, depth: number): Value[] | undefined {
    return this.exported(this.absolute(moduleName), name, depth);
  }

  /** The project modules an import statement runs (`import a, b.c`, `from m import x`, relative too). */
  modulesOf(stmt: Node): { file: string; model: Model }[] {
    const loaded = stmt.type === 'import_from_statement'
      ? [this.fromModule(stmt)]
      : stmt.childrenForFieldName('name').map((item) => this.absolute((item.type === 'aliased_import' ? item.childForFieldName('name') : item)?.text.replace(/\s+/g, '') ?? ''));
    return loaded.filter((l): l is Loaded => !!l).map((l) => ({ file: l.file, model: l.model }));
  }

  moduleNamed(dotted: string): { file: string; model: Model } | undefined {
    const loaded = this.absolute(dotted);
    return loaded ? { file: loaded.file, model: loaded.model } : undefined;
  }

  /** The module of `from m import ...`: absolute, or relative to this file's package. */
  private fromModule(stmt: Node): Loaded | null {
    const moduleNode = stmt.childForFieldName('module_name');
    if (!moduleNode) return null;
    if (moduleNode.type !== 'relative_import') return this.absolute(moduleNode.text.replace(/\s+/g, ''));
    const dots = /^\.+/.exec(moduleNode.text)?.[0].length ?? 1;
    const inner = moduleNode.namedChildren.find((c) => c.type === 'dotted_name')?.text.replace(/\s+/g, '') ?? '';
    let base = path.dirname(this.file);
    if (!inner || !isFile(path.join(base, '__init__.py'))) return null;
    for (let i = 1; i < dots; i++) base = path.dirname(base);
    return this.load(`rel:${base}:${inner}`, (missing) => moduleFile(base, inner, missing));
  }

  private absolute(moduleName: string): Loaded | null {
    if (!/^[A-Za-z_][\w.]*$/.test(moduleName) || isModelledLibrary(moduleName) || STDLIB_MODULES.has(moduleName.split('.')[0]!)) return null;
    return this.load(moduleName, (missing) => {
      for (const dir of searchFolders(path.dirname(this.file))) {
        const found = moduleFile(dir, moduleName, missing);
        if (found) return found;
      }
      return undefined;
    });
  }

  evaluatorOf(node: Node): Evaluator | undefined {
    return byTreeAll.get(node.tree)?.model.evaluation;
  }

  modelOf(node: Node): Model | undefined {
    return byTreeAll.get(node.tree)?.model;
  }

  fileOf(node: Node): string | undefined {
    return byTreeAll.get(node.tree)?.file;
  }

  private exported(loaded: Loaded | null | undefined, name: string, depth: number): Value[] | undefined {
    if (!loaded) return undefined;
    return loaded.model.moduleValues(name, depth);
  }

  private load(key: string, find: (missing: string[]) => string | undefined): Loaded | null {
    const known = this.byName.get(key);
    // An entry evicted since (this resolver belongs to a kept module) is read again.
    if (known === null || (known && !known.evicted)) {
      if (known) known.used = analysisGeneration;
      return known;
    }
    if (known) this.byTree.delete(known.tree);
    let loaded: Loaded | null = null;
    const missing: string[] = [];
    const file = this.loads < MAX_PER_ANALYSIS ? find(missing) : undefined;
    for (const candidate of missing) this.own.push(`${candidate}\0-`);
    if (file && path.resolve(file) !== this.file) {
      this.loads++;
      loaded = WorkspaceModules.read(file, this.language) ?? null;
      if (loaded) {
        this.byTree.set(loaded.tree, loaded);
        this.own.push(loaded.stamp);
      }
    }
    this.byName.set(key, loaded);
    return loaded;
  }

  /** The module at `file`, parsed, from the cache while it and everything it read hold their stamps. */
  static read(file: string, language: Language): Loaded | undefined {
    const kept = cache.get(file);
    // One analysis reads a module once: its nodes stay valid however the file changes meanwhile.
    if (kept?.used === analysisGeneration) return kept;
    const stamp = moduleStamp(file);
    if (kept && kept.stamp === stamp && kept.resolver.holds()) {
      // Most recently used last: the oldest is evicted first, never one this analysis uses.
      cache.delete(file);
      cache.set(file, kept);
      kept.used = analysisGeneration;
      return kept;
    }
    const text = stamp.endsWith('\0-') ? undefined : textOf(file);
    if (text === undefined) return undefined;
    if (!parser || parser.language !== language) {
      const p = new Parser();
      p.setLanguage(language);
      parser = { language, parser: p };
    }
    const tree = parser.parser.parse(text);
    if (!tree) return undefined;
    const resolver = new WorkspaceModules(file, language);
    const loaded: Loaded = { stamp, tree, model: new Model(tree, text, { imports: resolver }), file, resolver, used: analysisGeneration, evicted: false };
    if (kept) retire(file, kept);
    cache.set(file, loaded);
    byTreeAll.set(tree, loaded);
    for (const [oldest, entry] of cache) {
      if (cache.size <= MAX_CACHED) break;
      if (entry.used !== analysisGeneration) retire(oldest, entry);
    }
    return loaded;
  }
}

function retire(file: string, entry: Loaded): void {
  cache.delete(file);
  byTreeAll.delete(entry.tree);
  entry.evicted = true;
  entry.tree.delete();
}

/**
 * The stamp a module read now would get (see `WorkspaceModules.stamps`): its overlay's, else
 * path, mtime and size; `path\0-` when there is no such file (or it is too large to read).
 */
export function moduleStamp(file: string): string {
  const overlay = overlays.get(file);
  if (overlay) return overlay.text.length <= MAX_BYTES ? overlay.stamp : `${file}\0-`;
  const stat = smallFileStat(file, MAX_BYTES);
  return stat ? `${file}\0${stat.mtimeMs}\0${stat.size}` : `${file}\0-`;
}

function isFile(file: string): boolean {
  return overlays.has(file) || fs.existsSync(file);
}

function textOf(file: string): string | undefined {
  const overlay = overlays.get(file);
  if (overlay) return parsableText(overlay.text);
  try {
    return parsableText(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function importStatement(node: Node): Node | undefined {
  for (let n: Node | null = node; n; n = n.parent) {
    if (n.type === 'import_from_statement' || n.type === 'import_statement') return n;
  }
  return undefined;
}
