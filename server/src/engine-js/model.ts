/**
 * The JavaScript/TypeScript model the JS rules query, one per analysis of a file: the compiler's
 * syntax tree (walked as plain `ts.Node`s, which is far cheaper than ts-morph's wrappers), names
 * resolved to their declarations by the file's own scopes (`scopes.ts`, built on the first
 * question), the calls and `new` expressions of the file indexed once, and the evaluator of `values.ts`.
 */
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { LineIndex } from '../engine/text';
import type { Range } from '../engine/types';
import { Scopes } from './scopes';
import { diskPath, workspaceModule } from './workspace';
import { Evaluator, unwrap, type EvalContext, type JsValue } from './values';

const MAX_MODULES = 8;

export type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

export class JsModel implements EvalContext {
  readonly lines: LineIndex;
  /** Every call and `new` expression, in source order. */
  readonly calls: (ts.CallExpression | ts.NewExpression)[] = [];
  private readonly evaluator = new Evaluator(this);
  private readonly callSiteCache = new Map<ts.Node, ts.CallExpression[]>();
  /** `name = value` assignments by name, for variables declared without an initializer. */
  private readonly assignments = new Map<string, ts.BinaryExpression[]>();
  private readonly selfNames: ReadonlySet<string>;
  private scopes: Scopes | undefined;
  /** Workspace files read for this analysis, by importing path and specifier. */
  private readonly modules = new Map<string, ts.SourceFile | undefined>();
  /** Nodes of other files, by the import in this file (or another one) they were reached through. */
  private readonly origins = new Map<ts.Node, ts.Node>();

  constructor(
    readonly sourceFile: ts.SourceFile,
    /** The file's path (or URI), whose base name tells paths naming the file itself. */
    readonly file: string,
    /** Documents open in the editor by their path on disk, read before the disk for imports. */
    private readonly openFile?: (path: string) => ts.SourceFile | undefined,
  ) {
    this.lines = new LineIndex(sourceFile.text);
    for (const statement of sourceFile.statements) {
      const index = indexOf(statement);
      for (const call of index.calls) this.calls.push(call);
      for (const a of index.assignments) {
        const name = (a.left as ts.Identifier).text;
        const list = this.assignments.get(name);
        if (list) list.push(a);
        else this.assignments.set(name, [a]);
      }
    }
    this.selfNames = selfNames(file);
  }

  /** Whether the parser had to recover from syntax errors (quick fixes are not offered then). */
  get hasSyntaxErrors(): boolean {
    return ((this.sourceFile as unknown as { parseDiagnostics?: readonly unknown[] }).parseDiagnostics?.length ?? 0) > 0;
  }

  get text(): string {
    return this.sourceFile.text;
  }

  nodeText(node: ts.Node): string {
    return node.getText(node.getSourceFile());
  }

  /** The node's range in this file; a node of another file answers with the import it was reached through. */
  range(node: ts.Node): Range {
    for (let hops = 0; node.getSourceFile() !== this.sourceFile; hops++) {
      const via = hops < MAX_MODULES ? this.originOf(node) : undefined;
      if (!via) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      node = via;
    }
    const start = this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile));
    const end = this.sourceFile.getLineAndCharacterOfPosition(node.getEnd());
    return { start, end };
  }

  eval(node: ts.Node | undefined): JsValue[] {
    return this.evaluator.eval(node);
  }

  /** The values of property `name` of what `node` evaluates to. */
  evalMember(node: ts.Node, name: string): JsValue[] {
    return this.evaluator.member(this.evaluator.eval(node), name, 0);
  }

  /** The declaration a name refers to in this file; undefined for globals and unresolved names. */
  declarationOf(id: ts.Identifier): ts.Declaration | undefined {
    this.scopes ??= new Scopes();
    return this.scopes.declarationOf(id);
  }

  moduleFile(specifier: string, from: ts.Node): ts.SourceFile | undefined {
    const sf = from.getSourceFile();
    const fromPath = sf === this.sourceFile ? diskPath(this.file) : path.isAbsolute(sf.fileName) ? sf.fileName : undefined;
    if (!fromPath) return undefined;
    const key = `${fromPath}\0${specifier}`;
    if (this.modules.has(key)) return this.modules.get(key);
    // A bounded number of files per analysis: following imports never holds the editor up for long.
    const file = this.modules.size < MAX_MODULES ? workspaceModule(fromPath, specifier, this.openFile) : undefined;
    this.modules.set(key, file);
    return file;
  }

  noteOrigin(node: ts.Node, via: ts.Node): void {
    if (!this.origins.has(node)) this.origins.set(node, via);
  }

  private originOf(node: ts.Node): ts.Node | undefined {
    for (let n: ts.Node | undefined = node; n; n = n.parent) {
      const via = this.origins.get(n);
      if (via) return via;
    }
    return undefined;
  }

  /** The right-hand sides assigned to a variable declared without an initializer. */
  assignmentsTo(decl: ts.VariableDeclaration): ts.Expression[] {
    if (!ts.isIdentifier(decl.name)) return [];
    const out: ts.Expression[] = [];
    for (const a of this.assignments.get(decl.name.text) ?? []) if (this.declarationOf(a.left as ts.Identifier) === decl) out.push(a.right);
    return out;
  }

  /** Whether a relative path or URL (`./worker.js`, `worker.ts`) names the analysed file. */
  namesSelf(relative: string): boolean {
    const clean = relative.replace(/^\.\//, '');
    return !clean.includes('/') && this.selfNames.has(clean);
  }

  /** The calls of a same-file function: by its name (declaration or `const f = …`), or as an IIFE. */
  callSitesOf(fn: ts.SignatureDeclaration): ts.CallExpression[] {
    const cached = this.callSiteCache.get(fn);
    if (cached) return cached;
    const sites: ts.CallExpression[] = [];
    this.callSiteCache.set(fn, sites);
    const iife = immediateCall(fn);
    if (iife) sites.push(iife);
    const name = functionName(fn);
    if (name) {
      for (const call of this.calls) {
        if (!ts.isCallExpression(call)) continue;
        const callee = unwrap(call.expression);
        if (ts.isIdentifier(callee) && callee.text === name.text && this.declarationOf(callee) === declarationNode(fn)) sites.push(call);
      }
    }
    return sites;
  }

  /** The innermost function around `node`, if any. */
  enclosingFunction(node: ts.Node): FunctionLike | undefined {
    for (let n = node.parent; n; n = n.parent) {
      if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n)) return n;
      if (ts.isClassStaticBlockDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n)) return undefined;
    }
    return undefined;
  }
}

interface StatementIndex {
  calls: (ts.CallExpression | ts.NewExpression)[];
  assignments: ts.BinaryExpression[];
}

/**
 * The calls and `name = value` assignments of each top-level statement, kept across analyses:
 * the incremental parser hands back the very node objects of the statements an edit did not
 * touch (and new ones for those it did), so an edit re-walks only the statements it changed.
 */
const statementIndexes = new WeakMap<ts.Statement, StatementIndex>();
const CALL = ts.SyntaxKind.CallExpression;
const NEW = ts.SyntaxKind.NewExpression;
const BINARY = ts.SyntaxKind.BinaryExpression;
const EQUALS = ts.SyntaxKind.EqualsToken;
const IDENTIFIER = ts.SyntaxKind.Identifier;
const forEachChild = ts.forEachChild;

function indexOf(statement: ts.Statement): StatementIndex {
  let index = statementIndexes.get(statement);
  if (index) return index;
  const found: StatementIndex = { calls: [], assignments: [] };
  const visit = (n: ts.Node): void => {
    const kind = n.kind;
    if (kind === CALL || kind === NEW) found.calls.push(n as ts.CallExpression | ts.NewExpression);
    else if (kind === BINARY && (n as ts.BinaryExpression).operatorToken.kind === EQUALS && (n as ts.BinaryExpression).left.kind === IDENTIFIER) found.assignments.push(n as ts.BinaryExpression);
    forEachChild(n, visit);
  };
  visit(statement);
  index = found;
  statementIndexes.set(statement, index);
  return index;
}

/** The binding a function is reachable by: its own name, or the variable it initialises. */
function functionName(fn: ts.SignatureDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  if ((ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name;
  return undefined;
}

function declarationNode(fn: ts.SignatureDeclaration): ts.Node {
  return ts.isFunctionDeclaration(fn) ? fn : fn.parent;
}

/** `(function () { … })()` and `(async () => { … })()`. */
export function immediateCall(fn: ts.Node): ts.CallExpression | undefined {
  let n = fn;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return ts.isCallExpression(n.parent) && n.parent.expression === n ? n.parent : undefined;
}

/** The base names by which the file may name itself: as written, and as its compiled JavaScript. */
function selfNames(file: string): Set<string> {
  const isUri = /^[a-z][\w+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file);
  let base = path.basename(isUri ? file.replace(/[?#].*$/, '') : file);
  if (isUri) {
    try {
      base = decodeURIComponent(base);
    } catch {
      // A malformed escape: keep the name as written.
    }
  }
  const names = new Set([base]);
  const compiled: Record<string, string> = { '.ts': '.js', '.tsx': '.js', '.mts': '.mjs', '.cts': '.cjs' };
  const ext = path.extname(base);
  const js = compiled[ext];
  if (js) names.add(base.slice(0, -ext.length) + js);
  return names;
}
