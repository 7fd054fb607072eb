/**
 * The other files of the workspace a JavaScript/TypeScript file imports by a relative path
 * (`./tasks`, `../lib/tasks.js`): found beside the importing file as Node and TypeScript resolve
 * them (an open document as the editor has it, else on disk), parsed (never bound) and kept by path until their size or mtime changes, and
 * read for what they export. Bounded so that the editor never waits on them: files over 512 KB
 * are not read, and a model reads at most a handful per analysis (see `JsModel.moduleFile`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { isJsFile } from './prefilter';
import { parse } from './project';
import { smallFileStat } from '../common/fileStamp';

export { diskPath } from './project';

const MAX_BYTES = 512 * 1024;
const MAX_CACHED = 64;
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
// `import './tasks.js'` in TypeScript names the `tasks.ts` it compiles to.
const SOURCE_OF: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

const cache = new Map<string, { mtimeMs: number; size: number; file: ts.SourceFile }>();

/**
 * The file a relative specifier names from `fromPath`, parsed; undefined when it is none, not a
 * script, or too large. A document open in the editor (`open`) is read as the editor has it.
 */
export function workspaceModule(fromPath: string, specifier: string, open?: (path: string) => ts.SourceFile | undefined): ts.SourceFile | undefined {
  if (!/^\.\.?(\/|$)/.test(specifier)) return undefined;
  const base = path.resolve(path.dirname(fromPath), specifier);
  for (const candidate of candidates(base)) {
    const file = open?.(candidate) ?? load(candidate);
    if (file) return file;
  }
  return undefined;
}

function candidates(base: string): string[] {
  const ext = path.extname(base);
  const out = [base];
  for (const source of SOURCE_OF[ext] ?? []) out.push(base.slice(0, -ext.length) + source);
  for (const e of EXTENSIONS) out.push(base + e);
  for (const e of EXTENSIONS) out.push(path.join(base, `index${e}`));
  return out;
}

function load(file: string): ts.SourceFile | undefined {
  if (!isJsFile(file)) return undefined;
  const stat = smallFileStat(file, MAX_BYTES);
  if (!stat) return undefined;
  const kept = cache.get(file);
  if (kept && kept.mtimeMs === stat.mtimeMs && kept.size === stat.size) return kept.file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = parse(file, text);
  cache.delete(file);
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, file: parsed });
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return parsed;
}

/** What a module exports: by name, the declarations or expressions that give the value; `module.exports = …` apart. */
export interface ModuleExports {
  named: Map<string, ts.Node[]>;
  /** The right-hand sides of `module.exports = …` and `export = …`. */
  whole: ts.Expression[];
}

const exportsCache = new WeakMap<ts.SourceFile, ModuleExports>();

/** The exports of a file, read from its top-level statements. */
export function exportsOf(file: ts.SourceFile): ModuleExports {
  let found = exportsCache.get(file);
  if (found) return found;
  found = { named: new Map(), whole: [] };
  const add = (name: string, node: ts.Node): void => {
    const list = found!.named.get(name);
    if (list) list.push(node);
    else found!.named.set(name, [node]);
  };
  for (const s of file.statements) exportsOfStatement(file, s, add, found.whole);
  exportsCache.set(file, found);
  return found;
}

function exportsOfStatement(file: ts.SourceFile, s: ts.Statement, add: (name: string, node: ts.Node) => void, whole: ts.Expression[]): void {
  const modifiers = ts.canHaveModifiers(s) ? ts.getModifiers(s) ?? [] : [];
  const exported = modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && exported) {
    if (isDefault) add('default', s);
    else if (s.name) add(s.name.text, s);
  } else if (ts.isVariableStatement(s) && exported) {
    for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) add(d.name.text, d);
  } else if (ts.isExportAssignment(s)) {
    if (s.isExportEquals) whole.push(s.expression);
    else add('default', s.expression);
  } else if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) {
    for (const spec of s.exportClause.elements) {
      const local = topLevelDeclaration(file, (spec.propertyName ?? spec.name).text);
      if (local) add(spec.name.text, local);
    }
  } else if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = s.expression.left;
    if (isModuleExports(target)) whole.push(s.expression.right);
    else if (ts.isPropertyAccessExpression(target) && (isModuleExports(target.expression) || (ts.isIdentifier(target.expression) && target.expression.text === 'exports'))) add(target.name.text, s.expression.right);
  }
}

function isModuleExports(n: ts.Node): boolean {
  return ts.isPropertyAccessExpression(n) && n.name.text === 'exports' && ts.isIdentifier(n.expression) && n.expression.text === 'module';
}

/** A top-level function, class, variable or import of the file by name (what `export { name }` exports). */
function topLevelDeclaration(file: ts.SourceFile, name: string): ts.Node | undefined {
  for (const s of file.statements) {
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name?.text === name) return s;
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return d;
    }
    if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      if (c.name?.text === name) return c;
      if (c.namedBindings && ts.isNamedImports(c.namedBindings)) {
        const spec = c.namedBindings.elements.find((e) => e.name.text === name);
        if (spec) return spec;
      }
    }
  }
  return undefined;
}
