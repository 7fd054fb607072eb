/**
 * What a JavaScript/TypeScript expression may evaluate to, as far as the worker rules care: the
 * parallelism modules and their exports, workers, pools and ports, callables, object and array
 * literals, and paths naming the analysed file itself. The evaluator follows local bindings,
 * destructuring, object literals and spread, parameters of same-file functions (through their
 * call sites), and the exports of workspace files imported or required by a relative path
 * (`workspace.ts`); anything else evaluates to nothing, which the rules read as "not known".
 */
import { ts } from 'ts-morph';
import { awaited, isAsync, propertyName, thisClass, unwrap } from './syntax';
import { exportsOf } from './workspace';

export { propertyName, thisClass, unwrap } from './syntax';

/** Node modules (and npm packages) the rules know, by their name without a `node:` prefix. */
export type ModuleName = 'worker_threads' | 'cluster' | 'child_process' | 'piscina' | 'workerpool' | 'path' | 'url' | 'events' | 'fs' | 'net' | 'tls' | 'http' | 'https';

const MODULES: ReadonlySet<string> = new Set<ModuleName>(['worker_threads', 'cluster', 'child_process', 'piscina', 'workerpool', 'path', 'url', 'events', 'fs', 'net', 'tls', 'http', 'https']);

/**
 * Objects created by the known APIs: the parallelism ones, and the objects a message cannot carry
 * (`httpMessage` is an `http` request or response, `generator` a generator object).
 */
export type InstanceKind = 'worker' | 'port' | 'channel' | 'piscina' | 'workerpool' | 'childProcess'
  | 'promise' | 'weakMap' | 'weakSet' | 'weakRef' | 'socket' | 'stream' | 'emitter' | 'httpMessage' | 'generator';

export type CallableKind = 'function' | 'arrow function' | 'class' | 'bound function' | 'method';

export type JsValue =
  | { t: 'module'; name: ModuleName }
  | { t: 'export'; module: ModuleName; name: string }
  | { t: 'instance'; of: InstanceKind; node: ts.Node }
  | { t: 'callable'; kind: CallableKind; node: ts.Node }
  | { t: 'object'; node: ts.ObjectLiteralExpression }
  | { t: 'array'; node: ts.ArrayLiteralExpression }
  /** A Symbol: `Symbol('id')`, `Symbol.for('id')`, `Symbol.iterator`. */
  | { t: 'symbol'; node: ts.Node }
  /** `new C()` of a class of this file that extends nothing or another such class. */
  | { t: 'classInstance'; cls: ts.ClassLikeDeclaration; node: ts.Node }
  | { t: 'string'; value: string }
  /** A path or URL naming the analysed file itself. */
  | { t: 'self' }
  /** The analysed file's directory (`__dirname`, `path.dirname(__filename)`). */
  | { t: 'dirname' }
  | { t: 'metaUrl' }
  /** A file of the workspace imported by a relative path (`import * as t from './tasks'`); `via` is where it was imported. */
  | { t: 'file'; file: ts.SourceFile; via: ts.Node };

const MAX_DEPTH = 12;

/** Objects made by calling a module export, by `module.export`. */
const MADE_BY_CALL: Readonly<Record<string, InstanceKind>> = {
  'net.connect': 'socket', 'net.createConnection': 'socket', 'tls.connect': 'socket',
  'fs.createReadStream': 'stream', 'fs.createWriteStream': 'stream',
  'http.request': 'httpMessage', 'http.get': 'httpMessage', 'https.request': 'httpMessage', 'https.get': 'httpMessage',
};

/** Objects made by `new` of a module export or of a global. */
const MADE_BY_NEW: Readonly<Record<string, InstanceKind>> = {
  'net.Socket': 'socket', 'tls.TLSSocket': 'socket', 'events.EventEmitter': 'emitter',
  'Promise': 'promise', 'WeakMap': 'weakMap', 'WeakSet': 'weakSet', 'WeakRef': 'weakRef',
};

const THEN: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);

const PROMISE_STATICS: ReadonlySet<string> = new Set(['resolve', 'reject', 'all', 'allSettled', 'any', 'race']);

/** What the evaluator asks of the file's model (kept here so that the model may build an evaluator without an import cycle). */
export interface EvalContext {
  declarationOf(id: ts.Identifier): ts.Declaration | undefined;
  callSitesOf(fn: ts.SignatureDeclaration): ts.CallExpression[];
  assignmentsTo(decl: ts.VariableDeclaration): ts.Expression[];
  namesSelf(relative: string): boolean;
  /** The workspace file a relative specifier names from the file of `from`, if it can be read. */
  moduleFile(specifier: string, from: ts.Node): ts.SourceFile | undefined;
  /** Records that a value defined in another file (`node`) was reached through `via` (an import). */
  noteOrigin(node: ts.Node, via: ts.Node): void;
}

export function moduleName(specifier: string): ModuleName | undefined {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return MODULES.has(name) ? (name as ModuleName) : undefined;
}

export class Evaluator {
  private readonly cache = new Map<ts.Node, JsValue[]>();
  private readonly active = new Set<ts.Node>();

  constructor(private readonly model: EvalContext) {}

  eval(node: ts.Node | undefined, depth = 0): JsValue[] {
    if (!node || depth > MAX_DEPTH) return [];
    const cached = this.cache.get(node);
    if (cached) return cached;
    if (this.active.has(node)) return []; // a binding that refers to itself
    this.active.add(node);
    try {
      let values = this.compute(unwrap(node), depth + 1);
      if (awaited(node)) values = values.filter((v) => !(v.t === 'instance' && v.of === 'promise'));
      if (depth === 0) this.cache.set(node, values);
      return values;
    } finally {
      this.active.delete(node);
    }
  }

  private compute(n: ts.Node, depth: number): JsValue[] {
    if (ts.isIdentifier(n)) return this.identifier(n, depth);
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return [{ t: 'string', value: n.text }];
    if (ts.isTemplateExpression(n)) return this.template(n, depth);
    if (ts.isFunctionExpression(n)) return [{ t: 'callable', kind: 'function', node: n }];
    if (ts.isArrowFunction(n)) return [{ t: 'callable', kind: 'arrow function', node: n }];
    if (ts.isClassExpression(n)) return [{ t: 'callable', kind: 'class', node: n }];
    if (ts.isObjectLiteralExpression(n)) return [{ t: 'object', node: n }];
    if (ts.isArrayLiteralExpression(n)) return [{ t: 'array', node: n }];
    if (ts.isConditionalExpression(n)) return [...this.eval(n.whenTrue, depth), ...this.eval(n.whenFalse, depth)];
    if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return [...this.eval(n.left, depth), ...this.eval(n.right, depth)];
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.CommaToken) return this.eval(n.right, depth);
      if (op === ts.SyntaxKind.EqualsToken) return this.eval(n.right, depth);
      return [];
    }
    if (ts.isMetaProperty(n)) return [];
    if (ts.isPropertyAccessExpression(n)) {
      if (ts.isMetaProperty(n.expression) && n.expression.keywordToken === ts.SyntaxKind.ImportKeyword && n.name.text === 'url') return [{ t: 'metaUrl' }];
      if (n.expression.kind === ts.SyntaxKind.ThisKeyword) return this.classField(n, depth);
      const global = ts.isIdentifier(n.expression) && (n.expression.text === 'Symbol' || n.expression.text === 'process') && !this.model.declarationOf(n.expression) ? n.expression.text : undefined;
      if (global === 'Symbol' && n.name.text !== 'for' && n.name.text !== 'keyFor') return [{ t: 'symbol', node: n }];
      if (global === 'process' && /^std(in|out|err)$/.test(n.name.text)) return [{ t: 'instance', of: 'stream', node: n }];
      return this.member(this.eval(n.expression, depth), n.name.text, depth);
    }
    if (ts.isElementAccessExpression(n)) {
      const key = unwrap(n.argumentExpression);
      if (ts.isStringLiteral(key) || ts.isNumericLiteral(key)) return this.member(this.eval(n.expression, depth), key.text, depth);
      return [];
    }
    if (ts.isCallExpression(n)) return this.call(n, depth);
    if (ts.isNewExpression(n)) return this.construct(n, depth);
    return [];
  }

  private identifier(id: ts.Identifier, depth: number): JsValue[] {
    const decl = this.model.declarationOf(id);
    if (!decl) {
      if (id.text === '__filename') return [{ t: 'self' }];
      if (id.text === '__dirname') return [{ t: 'dirname' }];
      return [];
    }
    return this.declaration(decl, depth);
  }

  /** The values a declaration binds. */
  declaration(decl: ts.Node, depth: number): JsValue[] {
    if (ts.isVariableDeclaration(decl)) {
      if (!ts.isIdentifier(decl.name)) return [];
      // `let x; try { x = require('worker_threads'); } catch {}`: the assignments stand in for an initializer.
      const assigned = decl.initializer ? [] : this.model.assignmentsTo(decl).flatMap((a) => this.eval(a, depth));
      return decl.initializer ? this.eval(decl.initializer, depth) : assigned;
    }
    if (ts.isFunctionDeclaration(decl)) return [{ t: 'callable', kind: 'function', node: decl }];
    if (ts.isClassDeclaration(decl)) return [{ t: 'callable', kind: 'class', node: decl }];
    if (ts.isMethodDeclaration(decl)) return [{ t: 'callable', kind: 'method', node: decl }];
    if (ts.isBindingElement(decl)) return this.bindingElement(decl, depth);
    if (ts.isParameter(decl)) return this.parameter(decl, depth);
    if (ts.isImportSpecifier(decl)) {
      const mod = this.importModule(decl.parent.parent.parent);
      const name = (decl.propertyName ?? decl.name).text;
      return mod ? this.member([{ t: 'module', name: mod }], name, depth) : this.member(this.workspaceImport(decl.parent.parent.parent, decl), name, depth);
    }
    if (ts.isImportClause(decl)) {
      const mod = this.importModule(decl.parent);
      return mod ? this.member([{ t: 'module', name: mod }], 'default', depth) : this.member(this.workspaceImport(decl.parent, decl), 'default', depth);
    }
    if (ts.isNamespaceImport(decl)) {
      const mod = this.importModule(decl.parent.parent);
      return mod ? [{ t: 'module', name: mod }] : this.workspaceImport(decl.parent.parent, decl);
    }
    if (ts.isImportEqualsDeclaration(decl) && ts.isExternalModuleReference(decl.moduleReference) && ts.isStringLiteral(decl.moduleReference.expression)) {
      const mod = moduleName(decl.moduleReference.expression.text);
      return mod ? [{ t: 'module', name: mod }] : [];
    }
    if (ts.isShorthandPropertyAssignment(decl)) return this.eval(decl.name, depth);
    return [];
  }

  private importModule(decl: ts.ImportDeclaration | ts.JSDocImportTag): ModuleName | undefined {
    return ts.isImportDeclaration(decl) && ts.isStringLiteral(decl.moduleSpecifier) ? moduleName(decl.moduleSpecifier.text) : undefined;
  }

  /** `import … from './tasks'`: the workspace file, as a value whose members are its exports. */
  private workspaceImport(decl: ts.ImportDeclaration | ts.JSDocImportTag, via: ts.Node): JsValue[] {
    if (!ts.isImportDeclaration(decl) || !ts.isStringLiteral(decl.moduleSpecifier)) return [];
    const file = this.model.moduleFile(decl.moduleSpecifier.text, decl);
    return file ? [{ t: 'file', file, via }] : [];
  }

  /** `require('./tasks')`: what the file assigns to `module.exports`, or the file itself (its `exports.x = …`, its ES exports). */
  private workspaceRequire(specifier: string, call: ts.CallExpression, depth: number): JsValue[] {
    const file = this.model.moduleFile(specifier, call);
    if (!file) return [];
    const whole = exportsOf(file).whole;
    if (whole.length === 0) return [{ t: 'file', file, via: call }];
    return this.noted(whole.flatMap((e) => this.eval(e, depth)), call);
  }

  /** Export `name` of a workspace file: its declaration's values, or the member of what `module.exports` is set to. */
  private fileMember(v: Extract<JsValue, { t: 'file' }>, name: string, at: number): JsValue[] {
    // Each step into a file counts: files that re-export each other's names end here.
    const depth = at + 1;
    if (depth > MAX_DEPTH) return [];
    const exports = exportsOf(v.file);
    const out: JsValue[] = [];
    for (const node of exports.named.get(name) ?? []) out.push(...(ts.isExpression(node) ? this.eval(node, depth) : this.declaration(node, depth)));
    if (out.length === 0 && exports.whole.length > 0) {
      const whole = exports.whole.flatMap((e) => this.eval(e, depth));
      out.push(...(name === 'default' ? whole : this.member(whole, name, depth)));
    }
    return this.noted(out, v.via);
  }

  private noted(values: JsValue[], via: ts.Node): JsValue[] {
    for (const v of values) if ('node' in v) this.model.noteOrigin(v.node, via);
    return values;
  }

  /** `const { a: { b } } = init`: the member path from the pattern's initializer. */
  private bindingElement(el: ts.BindingElement, depth: number): JsValue[] {
    const path: string[] = [];
    let node: ts.Node = el;
    while (ts.isBindingElement(node)) {
      const pattern: ts.BindingPattern = node.parent;
      if (ts.isArrayBindingPattern(pattern)) return []; // positions in arrays are not followed
      const key = propertyName(node.propertyName ?? node.name);
      if (key === undefined) return [];
      path.unshift(key);
      node = pattern.parent;
    }
    let values: JsValue[];
    if (ts.isVariableDeclaration(node)) values = this.eval(node.initializer, depth);
    else if (ts.isParameter(node)) values = this.parameter(node, depth);
    else return [];
    for (const key of path) values = this.member(values, key, depth);
    return values;
  }

  /** A parameter of a same-file function: the arguments its call sites pass at that position. */
  private parameter(param: ts.ParameterDeclaration, depth: number): JsValue[] {
    const fn = param.parent;
    if (param.dotDotDotToken) return [];
    const index = fn.parameters.indexOf(param);
    const out: JsValue[] = [];
    const served = this.serverCallback(fn, index, depth);
    if (served) return [{ t: 'instance', of: served, node: param }];
    for (const call of this.model.callSitesOf(fn)) out.push(...this.eval(call.arguments?.[index] ?? param.initializer, depth));
    return out;
  }

  /** A parameter of the handler given to `http.createServer` (`req`, `res`) or `net.createServer` (`socket`). */
  private serverCallback(fn: ts.SignatureDeclaration, index: number, depth: number): InstanceKind | undefined {
    const call = fn.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(fn as ts.Expression)) return undefined;
    const callee = unwrap(call.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
    if (name !== 'createServer') return undefined; // named first: evaluating every callback's callee is costly
    for (const f of this.eval(call.expression, depth)) {
      if (f.t !== 'export' || f.name !== 'createServer') continue;
      if ((f.module === 'http' || f.module === 'https') && index <= 1) return 'httpMessage';
      if ((f.module === 'net' || f.module === 'tls') && index === 0) return 'socket';
    }
    return undefined;
  }

  private template(n: ts.TemplateExpression, depth: number): JsValue[] {
    // `${__dirname}/self.js`
    if (n.head.text !== '' || n.templateSpans.length !== 1) return [];
    const span = n.templateSpans[0]!;
    if (!this.eval(span.expression, depth).some((v) => v.t === 'dirname')) return [];
    return this.model.namesSelf(span.literal.text.replace(/^[/\\]/, '')) ? [{ t: 'self' }] : [];
  }

  /** The values of property `name` of each value. */
  member(values: readonly JsValue[], name: string, depth: number): JsValue[] {
    const out: JsValue[] = [];
    for (const v of values) {
      if (v.t === 'module') {
        if (name === 'default' && v.name !== 'piscina') out.push(v);
        else if (v.name === 'piscina' && (name === 'default' || name === 'Piscina')) out.push({ t: 'export', module: 'piscina', name: 'Piscina' });
        else out.push({ t: 'export', module: v.name, name });
      } else if (v.t === 'self' && (name === 'href' || name === 'pathname')) {
        out.push(v); // `new URL(import.meta.url).href`
      } else if (v.t === 'instance' && v.of === 'channel' && (name === 'port1' || name === 'port2')) {
        out.push({ t: 'instance', of: 'port', node: v.node });
      } else if (v.t === 'instance' && v.of === 'promise' && THEN.has(name)) {
        out.push(v); // stands for `p.then` itself, whose call makes a Promise (see `applied`)
      } else if (v.t === 'object') {
        out.push(...this.objectMember(v.node, name, depth));
      } else if (v.t === 'file') {
        out.push(...this.fileMember(v, name, depth));
      } else if (v.t === 'array' && /^\d+$/.test(name)) {
        const el = v.node.elements[Number(name)];
        if (el && !ts.isSpreadElement(el)) out.push(...this.eval(el, depth));
      }
    }
    return out;
  }

  /** Property `name` of an object literal: the last definition wins, spreads are searched. */
  private objectMember(obj: ts.ObjectLiteralExpression, name: string, depth: number): JsValue[] {
    for (let i = obj.properties.length - 1; i >= 0; i--) {
      const p = obj.properties[i]!;
      if (ts.isSpreadAssignment(p)) {
        const inner = this.member(this.eval(p.expression, depth), name, depth);
        if (inner.length > 0) return inner;
        continue;
      }
      if (propertyName(p.name) !== name) continue;
      if (ts.isPropertyAssignment(p)) return this.eval(p.initializer, depth);
      if (ts.isShorthandPropertyAssignment(p)) return this.eval(p.name, depth);
      if (ts.isMethodDeclaration(p)) return [{ t: 'callable', kind: 'method', node: p }];
      return [];
    }
    return [];
  }

  private call(n: ts.CallExpression, depth: number): JsValue[] {
    const callee = unwrap(n.expression);
    const args = n.arguments;
    const isImport = callee.kind === ts.SyntaxKind.ImportKeyword; // `await import('node:worker_threads')`
    if (isImport || (ts.isIdentifier(callee) && callee.text === 'require' && !this.model.declarationOf(callee))) {
      const arg = args[0] && unwrap(args[0]);
      const specifier = arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) ? arg.text : undefined;
      const mod = specifier === undefined ? undefined : moduleName(specifier);
      if (mod) return [{ t: 'module', name: mod }];
      return specifier !== undefined && !isImport ? this.workspaceRequire(specifier, n, depth) : [];
    }
    // Function.prototype.bind: a known callable, or `a.b.bind(thisArg)` (jQuery's old `.bind('click', …)` takes a string).
    const bindArg = args[0] && unwrap(args[0]);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind' && (this.eval(callee.expression, depth).some((v) => v.t === 'callable') || (bindArg && !ts.isStringLiteralLike(bindArg) && ts.isPropertyAccessExpression(unwrap(callee.expression))))) {
      return [{ t: 'callable', kind: 'bound function', node: n }];
    }
    const global = this.globalCall(n, callee);
    if (global) return global;
    return this.applied(n, this.eval(callee, depth), depth);
  }

  /** What calling `n`'s callee, which evaluates to `callees`, makes. */
  private applied(n: ts.CallExpression, callees: readonly JsValue[], depth: number): JsValue[] {
    const args = n.arguments;
    const out: JsValue[] = [];
    for (const f of callees) {
      if (f.t === 'instance' && f.of === 'promise') out.push({ t: 'instance', of: 'promise', node: n }); // `p.then(…)`: see `member`
      if (f.t === 'callable' && ts.isFunctionLike(f.node) && (f.node as ts.FunctionLikeDeclaration).asteriskToken) out.push({ t: 'instance', of: 'generator', node: n });
      else if (f.t === 'callable' && f.kind !== 'class' && f.kind !== 'bound function' && isAsync(f.node)) out.push({ t: 'instance', of: 'promise', node: n }, ...this.returns(f.node, depth));
      else if (f.t === 'callable' && (f.kind === 'function' || f.kind === 'arrow function')) out.push(...this.returns(f.node, depth));
      if (f.t !== 'export') continue;
      const key = `${f.module}.${f.name}`;
      const made = MADE_BY_CALL[key];
      if (made) out.push({ t: 'instance', of: made, node: n });
      const first = (): JsValue[] => (args[0] ? this.eval(args[0], depth) : []); // only for the path helpers: evaluating every argument is costly
      if (key === 'url.fileURLToPath' && first().some((v) => v.t === 'metaUrl' || v.t === 'self')) out.push({ t: 'self' });
      else if (key === 'path.dirname' && first().some((v) => v.t === 'self')) out.push({ t: 'dirname' });
      else if ((key === 'path.resolve' || key === 'path.join' || key === 'path.normalize') && this.pathNamesSelf(args, depth)) out.push({ t: 'self' });
      else if (key === 'child_process.fork' || key === 'cluster.fork') out.push({ t: 'instance', of: 'childProcess', node: n });
      else if (key === 'workerpool.pool') out.push({ t: 'instance', of: 'workerpool', node: n });
    }
    return out;
  }

  /** Calls of globals that make a Promise or a Symbol: `fetch(…)`, `Promise.all(…)`, `Symbol('id')`. */
  private globalCall(n: ts.CallExpression, callee: ts.Node): JsValue[] | undefined {
    const isGlobal = (e: ts.Node, name: string): boolean => ts.isIdentifier(e) && e.text === name && !this.model.declarationOf(e);
    if (isGlobal(callee, 'fetch')) return [{ t: 'instance', of: 'promise', node: n }];
    if (isGlobal(callee, 'Symbol')) return [{ t: 'symbol', node: n }];
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    if (isGlobal(callee.expression, 'Symbol') && method === 'for') return [{ t: 'symbol', node: n }];
    if (isGlobal(callee.expression, 'Promise') && PROMISE_STATICS.has(method)) return [{ t: 'instance', of: 'promise', node: n }];
    return undefined;
  }

  /** What a same-file function returns: its expression body, or its `return` statements (not those of nested functions). */
  private returns(fn: ts.Node, depth: number): JsValue[] {
    if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) return this.eval(fn.body, depth);
    const body = (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) ? fn.body : undefined;
    if (!body) return [];
    const out: JsValue[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
      if (ts.isReturnStatement(n)) out.push(...this.eval(n.expression, depth));
      else ts.forEachChild(n, visit);
    };
    ts.forEachChild(body, visit);
    return out;
  }

  /** `this.worker`: the field's initializer and every `this.worker = …` in the class's own methods. */
  private classField(access: ts.PropertyAccessExpression, depth: number): JsValue[] {
    const cls = thisClass(access);
    if (!cls) return [];
    const name = access.name.text;
    const out: JsValue[] = [];
    for (const m of cls.members) {
      if (ts.isPropertyDeclaration(m) && propertyName(m.name) === name && m.initializer) out.push(...this.eval(m.initializer, depth));
    }
    const visit = (n: ts.Node): void => {
      if (n !== cls && ts.isClassLike(n)) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)
        && n.left.expression.kind === ts.SyntaxKind.ThisKeyword && n.left.name.text === name && thisClass(n.left) === cls) {
        out.push(...this.eval(n.right, depth));
      }
      ts.forEachChild(n, visit);
    };
    visit(cls);
    return out;
  }

  /** `path.join(__dirname, 'self.js')`, `path.resolve(__filename)`. */
  private pathNamesSelf(args: ts.NodeArray<ts.Expression>, depth: number): boolean {
    if (args.length === 1) return this.eval(args[0], depth).some((v) => v.t === 'self');
    if (args.length !== 2 || !this.eval(args[0], depth).some((v) => v.t === 'dirname')) return false;
    return this.eval(args[1], depth).some((v) => v.t === 'string' && this.model.namesSelf(v.value));
  }

  private construct(n: ts.NewExpression, depth: number): JsValue[] {
    const callee = unwrap(n.expression);
    if (ts.isIdentifier(callee) && !this.model.declarationOf(callee)) {
      if (callee.text === 'URL') return this.url(n, depth);
      if (callee.text === 'MessageChannel') return [{ t: 'instance', of: 'channel', node: n }];
      if (callee.text === 'BroadcastChannel') return [{ t: 'instance', of: 'port', node: n }];
      const made = MADE_BY_NEW[callee.text];
      if (made) return [{ t: 'instance', of: made, node: n }];
    }
    const out: JsValue[] = [];
    for (const f of this.eval(callee, depth)) {
      // `const Piscina = require('piscina')`: the CommonJS module is the class itself.
      if (f.t === 'module' && f.name === 'piscina') out.push({ t: 'instance', of: 'piscina', node: n });
      if (f.t === 'module' && f.name === 'events') out.push({ t: 'instance', of: 'emitter', node: n }); // `new (require('events'))()`
      if (f.t === 'callable' && f.kind === 'class' && ts.isClassLike(f.node)) out.push(...this.instanceOf(f.node, n, depth));
      if (f.t !== 'export') continue;
      const key = `${f.module}.${f.name}`;
      const made = MADE_BY_NEW[key];
      if (made) out.push({ t: 'instance', of: made, node: n });
      if (key === 'worker_threads.Worker') out.push({ t: 'instance', of: 'worker', node: n });
      else if (key === 'worker_threads.MessageChannel') out.push({ t: 'instance', of: 'channel', node: n });
      else if (key === 'worker_threads.BroadcastChannel') out.push({ t: 'instance', of: 'port', node: n });
      else if (key === 'piscina.Piscina') out.push({ t: 'instance', of: 'piscina', node: n });
      else if (key === 'url.URL') out.push(...this.url(n, depth));
    }
    return out;
  }

  /** `new C()` of a same-file class: an instance of it, or an EventEmitter when its chain of same-file bases extends one; nothing for other bases. */
  private instanceOf(cls: ts.ClassLikeDeclaration, n: ts.Node, depth: number): JsValue[] {
    const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!base) return [{ t: 'classInstance', cls, node: n }];
    if (depth > MAX_DEPTH) return [];
    const out: JsValue[] = [];
    for (const b of this.eval(base, depth)) {
      if ((b.t === 'module' && b.name === 'events') || (b.t === 'export' && b.module === 'events' && b.name === 'EventEmitter')) out.push({ t: 'instance', of: 'emitter', node: n });
      else if (b.t === 'callable' && b.kind === 'class' && ts.isClassLike(b.node)) {
        for (const v of this.instanceOf(b.node, n, depth + 1)) out.push(v.t === 'classInstance' ? { t: 'classInstance', cls, node: n } : v);
      }
    }
    return out;
  }

  /** `new URL(import.meta.url)`, `new URL('./self.mjs', import.meta.url)`. */
  private url(n: ts.NewExpression, depth: number): JsValue[] {
    const args = n.arguments ?? [];
    const first = this.eval(args[0], depth);
    if (args.length === 1 && first.some((v) => v.t === 'metaUrl' || v.t === 'self')) return [{ t: 'self' }];
    if (args.length === 2 && this.eval(args[1], depth).some((v) => v.t === 'metaUrl') && first.some((v) => v.t === 'string' && this.model.namesSelf(v.value))) return [{ t: 'self' }];
    return [];
  }
}
