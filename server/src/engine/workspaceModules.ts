/**
 * The project's own Python modules a file imports (`from tasks import work`, `import tasks`,
 * `from .tasks import work`, `from pkg.sub import f`): found on disk beside the file, in its
 * parents up to the project root and in the root's `src/`, parsed with the file's grammar (never
 * checked by the rules) and kept by path until their size or mtime changes. Bounded so that the
 * editor never waits on them: modules over 512 KB are not read, an analysis loads at most 8, and an
 * imported module's own imports are not followed (so there are no cycles).
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
  mtimeMs: number;
  size: number;
  tree: Tree;
  model: Model;
  file: string;
}

const cache = new Map<string, Loaded>();
const misses = new Map<string, number>();
const roots = new Map<string, string | null>();
let parser: { language: Language; parser: Parser } | undefined;

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

function moduleFile(base: string, dotted: string): string | undefined {
  const stem = path.join(base, ...dotted.split('.'));
  for (const candidate of [`${stem}.py`, path.join(stem, '__init__.py')]) {
    const seen = misses.get(candidate);
    if (seen !== undefined && Date.now() - seen < MISS_TTL_MS) continue;
    if (fs.existsSync(candidate)) return candidate;
    misses.set(candidate, Date.now());
  }
  return undefined;
}

/** The imports of one analysed file: resolves, loads (within the budget) and answers the evaluator. */
export class WorkspaceModules implements ProjectImports {
  private readonly byName = new Map<string, Loaded | null>();
  private readonly byTree = new Map<Tree, Loaded>();
  private loads = 0;
  /** `moduleStamp` of each module read, for callers that remember findings. */
  readonly stamps: string[] = [];

  private constructor(private readonly file: string, private readonly language: Language) {}

  /** The resolver for a file at `file` (path or URI); undefined when it has no folder on disk. */
  static forFile(file: string, language: Language): WorkspaceModules | undefined {
    const disk = diskPath(file);
    return disk ? new WorkspaceModules(disk, language) : undefined;
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

  /** The module of `from m import ...`: absolute, or relative to this file's package. */
  private fromModule(stmt: Node): Loaded | null {
    const moduleNode = stmt.childForFieldName('module_name');
    if (!moduleNode) return null;
    if (moduleNode.type !== 'relative_import') return this.absolute(moduleNode.text.replace(/\s+/g, ''));
    const dots = /^\.+/.exec(moduleNode.text)?.[0].length ?? 1;
    const inner = moduleNode.namedChildren.find((c) => c.type === 'dotted_name')?.text.replace(/\s+/g, '') ?? '';
    let base = path.dirname(this.file);
    if (!inner || !fs.existsSync(path.join(base, '__init__.py'))) return null;
    for (let i = 1; i < dots; i++) base = path.dirname(base);
    return this.load(`rel:${base}:${inner}`, () => moduleFile(base, inner));
  }

  private absolute(moduleName: string): Loaded | null {
    if (!/^[A-Za-z_][\w.]*$/.test(moduleName) || isModelledLibrary(moduleName) || STDLIB_MODULES.has(moduleName.split('.')[0]!)) return null;
    return this.load(moduleName, () => {
      for (const dir of searchFolders(path.dirname(this.file))) {
        const found = moduleFile(dir, moduleName);
        if (found) return found;
      }
      return undefined;
    });
  }

  evaluatorOf(node: Node): Evaluator | undefined {
    return this.byTree.get(node.tree)?.model.evaluation;
  }

  modelOf(node: Node): Model | undefined {
    return this.byTree.get(node.tree)?.model;
  }

  fileOf(node: Node): string | undefined {
    return this.byTree.get(node.tree)?.file;
  }

  private exported(loaded: Loaded | null | undefined, name: string, depth: number): Value[] | undefined {
    if (!loaded) return undefined;
    return loaded.model.moduleValues(name, depth);
  }

  private load(key: string, find: () => string | undefined): Loaded | null {
    const known = this.byName.get(key);
    if (known !== undefined) return known;
    let loaded: Loaded | null = null;
    const file = this.loads < MAX_PER_ANALYSIS ? find() : undefined;
    if (file && path.resolve(file) !== this.file) {
      this.loads++;
      loaded = read(file, this.language) ?? null;
      if (loaded) {
        this.byTree.set(loaded.tree, loaded);
        this.stamps.push(`${loaded.file}\0${loaded.mtimeMs}\0${loaded.size}`);
      }
    }
    this.byName.set(key, loaded);
    return loaded;
  }
}

/** The stamp a module read now would get (see `WorkspaceModules.stamps`); undefined when it is gone. */
export function moduleStamp(file: string): string | undefined {
  try {
    const stat = fs.statSync(file);
    return `${file}\0${stat.mtimeMs}\0${stat.size}`;
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

/** The module at `file`, parsed, from the cache while its size and mtime hold. */
function read(file: string, language: Language): Loaded | undefined {
  const stat = smallFileStat(file, MAX_BYTES);
  if (!stat) return undefined;
  const kept = cache.get(file);
  if (kept && kept.mtimeMs === stat.mtimeMs && kept.size === stat.size) {
    // Most recently used last: the oldest is evicted first, never one this analysis holds.
    cache.delete(file);
    cache.set(file, kept);
    return kept;
  }
  let text: string;
  try {
    text = parsableText(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!parser || parser.language !== language) {
    const p = new Parser();
    p.setLanguage(language);
    parser = { language, parser: p };
  }
  const tree = parser.parser.parse(text);
  if (!tree) return undefined;
  const loaded: Loaded = { mtimeMs: stat.mtimeMs, size: stat.size, tree, model: new Model(tree, text), file };
  if (kept) {
    cache.delete(file);
    kept.tree.delete();
  }
  cache.set(file, loaded);
  while (cache.size > MAX_CACHED) {
    const [oldest, entry] = cache.entries().next().value as [string, Loaded];
    cache.delete(oldest);
    entry.tree.delete();
  }
  return loaded;
}
