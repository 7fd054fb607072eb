/**
 * The project's import graph, read from the sources: each TypeScript file with the modules it
 * imports (relative imports resolved to files), so that the architecture test can check who may
 * import whom and that a layer has no import cycle.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ImportGraph {
  root: string;
  /** Repository-relative file -> what it imports: repository-relative files, or package names. */
  edges: Map<string, string[]>;
}

/** Every `.ts` file under `dirs` (relative to `root`) and its imports, `import type` included. */
export function readImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const edges = new Map<string, string[]>();
  for (const file of dirs.flatMap((dir) => sources(root, dir))) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|require\(['"]([^'"]+)['"]\)/g)]
      .map((m) => (m[1] ?? m[2] ?? m[3])!);
    edges.set(file, specifiers.map((s) => (s.startsWith('.') ? resolve(root, file, s) : s)));
  }
  return { root, edges };
}

/** Repository-relative source files under `dir` with one of `extensions` (declaration files left out). */
export function sources(root: string, dir: string, extensions: readonly string[] = ['.ts']): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(root, rel, extensions));
    else if (extensions.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** `./x` from `a/b.ts` -> `a/x.ts` (or `a/x/index.ts`); unresolvable paths are kept as written. */
function resolve(root: string, from: string, specifier: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (fs.existsSync(path.join(root, candidate)) && fs.statSync(path.join(root, candidate)).isFile()) return candidate;
  }
  return base;
}

/** Imports from files under `from` of modules matching `forbidden`, as "file imports module". */
export function forbiddenImports(graph: ImportGraph, from: string | readonly string[], forbidden: RegExp): string[] {
  const prefixes = typeof from === 'string' ? [from] : from;
  const out: string[] = [];
  for (const [file, imports] of graph.edges) {
    if (!prefixes.some((p) => file === p || file.startsWith(`${p}/`))) continue;
    for (const target of imports) if (forbidden.test(target)) out.push(`${file} imports ${target}`);
  }
  return out;
}

/** Import cycles among the files under `dir`, each as the files of one cycle, sorted. */
export function importCycles(graph: ImportGraph, dir: string): string[][] {
  const inside = (f: string): boolean => f.startsWith(`${dir}/`) && graph.edges.has(f);
  // Tarjan's strongly connected components over the files of `dir`.
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (file: string): void => {
    order.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of (graph.edges.get(file) ?? []).filter(inside)) {
      if (!order.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, order.get(next)!));
    }
    if (low.get(file) !== order.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const selfImport = (graph.edges.get(file) ?? []).includes(file);
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };
  for (const file of [...graph.edges.keys()].filter(inside).sort()) if (!order.has(file)) visit(file);
  return cycles;
}

/** Source files (`.ts`, `.py`) under `dirs` longer than `limit` lines whose header gives no reason for it. */
export function oversizedFiles(root: string, dirs: readonly string[], limit: number): string[] {
  return dirs.flatMap((dir) => sources(root, dir, ['.ts', '.py'])).filter((file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    return lines > limit && !/Longer than \d+ lines because/.test(text.slice(0, 2000));
  });
}
