/**
 * Function lengths, read from the sources: every function of the TypeScript files (by the compiler's
 * syntax tree) and of the Python files (by Python's own `ast`, one interpreter run for all of them),
 * so that the architecture test can hold each function to a line limit unless a comment says why.
 *
 * A function is measured by its own span, from its first line (decorators included) to its last:
 * a nested function counts on its own, and the function around it still counts its full length.
 * It is excused by a comment directly above that first line (no blank line between) with a line
 * holding the marker `Long:` followed by the reason, e.g. `// Long: one case per record kind.`
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { sources } from './importGraph';

/** The marker of a written reason, in the comment block directly above a long function. */
export const LONG_FUNCTION_REASON = /\bLong:\s*\S/;

export interface FunctionSpan {
  /** Repository-relative file. */
  file: string;
  /** Qualified where it helps (`Class.method`); `<anonymous>` for an unnamed callback. */
  name: string;
  /** 1-based first and last line. */
  start: number;
  end: number;
}

const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';

/**
 * Functions of the `.ts` and `.py` files under `dirs` (relative to `root`) longer than `limit`
 * lines and not excused, as "file:line name (N lines)", sorted; files in `skip` are not read.
 */
export function longFunctions(root: string, dirs: readonly string[], limit: number, skip: readonly string[] = []): string[] {
  const files = dirs.flatMap((dir) => sources(root, dir, ['.ts', '.py'])).filter((file) => !skip.includes(file));
  const spans = [
    ...files.filter((f) => f.endsWith('.ts')).flatMap((f) => typeScriptFunctions(root, f)),
    ...pythonFunctions(root, files.filter((f) => f.endsWith('.py'))),
  ];
  const texts = new Map<string, string[]>();
  const linesOf = (file: string): string[] => {
    if (!texts.has(file)) texts.set(file, fs.readFileSync(path.join(root, file), 'utf8').split('\n'));
    return texts.get(file)!;
  };
  return spans
    .filter((s) => s.end - s.start + 1 > limit && !excused(linesOf(s.file), s.start, s.file.endsWith('.py')))
    .sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start)
    .map((s) => `${s.file}:${s.start} ${s.name} (${s.end - s.start + 1} lines)`);
}

/** Whether the comment block ending on the line above `start` (1-based) carries the marker. */
function excused(lines: readonly string[], start: number, python: boolean): boolean {
  const comment = python ? /^\s*#/ : /^\s*(\/\/|\/\*|\*)/;
  for (let i = start - 2; i >= 0 && comment.test(lines[i]!); i--) {
    if (LONG_FUNCTION_REASON.test(lines[i]!)) return true;
  }
  return false;
}

/** Every function of a TypeScript file: declarations, methods, constructors, accessors, arrows, function expressions. */
export function typeScriptFunctions(root: string, file: string): FunctionSpan[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const line = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;
  const out: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      out.push({ file, name: functionName(node), start: line(node.getStart(source)), end: line(node.getEnd()) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function functionName(node: ts.SignatureDeclaration): string {
  const owner = node.parent && (ts.isClassLike(node.parent) ? node.parent.name?.text : undefined);
  const qualify = (name: string): string => (owner ? `${owner}.${name}` : name);
  if (ts.isConstructorDeclaration(node)) return qualify('constructor');
  const own = node.name && ts.isIdentifier(node.name) ? node.name.text : node.name?.getText();
  if (own) return qualify(ts.isGetAccessor(node) ? `get ${own}` : ts.isSetAccessor(node) ? `set ${own}` : own);
  // An unnamed arrow or function expression takes the name it is assigned to, if any.
  const holder = node.parent;
  if (holder && (ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder) || ts.isPropertyDeclaration(holder))) {
    const name = holder.name.getText();
    return ts.isPropertyDeclaration(holder) && ts.isClassLike(holder.parent) && holder.parent.name ? `${holder.parent.name.text}.${name}` : name;
  }
  return '<anonymous>';
}

/** Every `def` and `async def` of the Python files, read by one run of the interpreter's `ast`. */
export function pythonFunctions(root: string, files: readonly string[]): FunctionSpan[] {
  if (files.length === 0) return [];
  const script = [
    'import ast, json, sys',
    'out = []',
    'def walk(node, prefix, file):',
    '    for child in ast.iter_child_nodes(node):',
    '        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):',
    '            start = min([child.lineno] + [d.lineno for d in child.decorator_list])',
    '            out.append([file, prefix + child.name, start, child.end_lineno])',
    '            walk(child, prefix + child.name + ".", file)',
    '        elif isinstance(child, ast.ClassDef):',
    '            walk(child, prefix + child.name + ".", file)',
    '        else:',
    '            walk(child, prefix, file)',
    'for file in sys.argv[1:]:',
    '    with open(file, "rb") as f:',
    '        walk(ast.parse(f.read(), file), "", file)',
    'print(json.dumps(out))',
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', script, ...files], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${PYTHON} could not read the Python sources: ${result.error?.message ?? result.stderr}`);
  return (JSON.parse(result.stdout) as [string, string, number, number][]).map(([file, name, start, end]) => ({ file, name, start, end }));
}
