/**
 * Which typed arrays of a JavaScript/TypeScript file are views of memory that another thread also
 * sees: a view made over a `new SharedArrayBuffer(…)` of this file that is sent to another thread
 * (a `workerData` option, `postMessage`, Piscina's `run`, workerpool's `exec`), or a value that
 * arrived from another thread (`workerData`, a `message` listener's argument,
 * `receiveMessageOnPort`). A buffer that is never sent stays with one thread and is not shared.
 */
import { ts } from 'ts-morph';
import type { JsModel } from './model';
import { propertyName, thisClass, unwrap, type JsValue } from './values';

export const INTEGER_ARRAYS: ReadonlySet<string> = new Set(['Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array']);
/** Typed arrays on which every `Atomics` operation throws a TypeError. */
export const NON_ATOMIC_ARRAYS: ReadonlySet<string> = new Set(['Float32Array', 'Float64Array', 'Float16Array', 'Uint8ClampedArray']);

/** Where a value comes from, as far as sharing goes. */
export type Traced =
  | { kind: 'sab'; sab: ts.NewExpression }
  /** `sentAs`: in a file that starts itself as a worker, the `workerData` it sends, which the worker receives. */
  | { kind: 'received'; from: string; at: ts.Node; sentAs?: ts.Node }
  /** A typed array over one of the above; `ctor` is its constructor's name. */
  | { kind: 'view'; ctor: string; base: Extract<Traced, { kind: 'sab' | 'received' }> };

/** A typed array another thread can reach: its constructor when known, and how it is shared. */
export interface SharedView {
  ctor: string | undefined;
  origin: { kind: 'sent'; sab: ts.NewExpression; site: ts.Node } | { kind: 'received'; from: string; at: ts.Node };
}

const LISTEN = new Set(['on', 'once', 'addListener', 'addEventListener', 'prependListener', 'prependOnceListener']);
const MAX_DEPTH = 8;

export class SharedMemory {
  /** Each SharedArrayBuffer of the file that is sent to another thread, with the first place that sends it. */
  private readonly sent = new Map<ts.NewExpression, ts.Node>();
  /** The `workerData` of `new Worker(<this file>, { workerData })`. */
  private readonly selfWorkerData: ts.Node | undefined;

  constructor(private readonly model: JsModel) {
    const sites = this.sendingSites();
    this.selfWorkerData = sites.find((s) => s.self)?.message;
    for (const site of sites) {
      for (const expr of messageParts(model, site.message, 0)) {
        const t = this.trace(expr);
        const sab = t?.kind === 'sab' ? t.sab : t?.kind === 'view' && t.base.kind === 'sab' ? t.base.sab : undefined;
        if (sab && !this.sent.has(sab)) this.sent.set(sab, site.at);
      }
    }
  }

  /** The shared typed array `expr` evaluates to, if any (a received value may be any object: see `received`). */
  viewOf(expr: ts.Expression): SharedView | undefined {
    const t = this.trace(expr);
    if (!t) return undefined;
    if (t.kind === 'received') return { ctor: this.declaredArray(expr), origin: { kind: 'received', from: t.from, at: t.at } };
    if (t.kind !== 'view') return undefined;
    if (t.base.kind === 'received') return { ctor: t.ctor, origin: t.base };
    const site = this.sent.get(t.base.sab);
    return site ? { ctor: t.ctor, origin: { kind: 'sent', sab: t.base.sab, site } } : undefined;
  }

  /** What an expression holds: a SharedArrayBuffer of this file, a view of one, or a value from another thread. */
  trace(expr: ts.Node | undefined, depth = 0): Traced | undefined {
    if (!expr || depth > MAX_DEPTH) return undefined;
    const e = unwrap(expr);
    if (ts.isNewExpression(e)) return this.construct(e, depth);
    if (ts.isIdentifier(e)) return this.identifier(e, depth);
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const name = ts.isPropertyAccessExpression(e) ? e.name.text : literalKey(e.argumentExpression);
      if (name === undefined) return undefined;
      if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) return this.classField(e, depth);
      const base = this.trace(e.expression, depth + 1);
      if (name === 'buffer' && base?.kind === 'view') return base.base;
      if (base?.kind === 'received') return this.receivedPart(base, name, depth); // a part of a message is from the other thread too
      for (const v of this.model.eval(e.expression)) {
        if (v.t !== 'object') continue;
        const init = objectProperty(v.node, name);
        if (init) return this.trace(init, depth + 1);
      }
      return undefined;
    }
    if (ts.isCallExpression(e)) {
      const callee = unwrap(e.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name === 'receiveMessageOnPort') return { kind: 'received', from: '`receiveMessageOnPort`', at: e };
    }
    return undefined;
  }

  /** `this.counts`: the field's initializer, or a `this.counts = …` in the class's own code. */
  private classField(access: ts.PropertyAccessExpression, depth: number): Traced | undefined {
    const cls = thisClass(access);
    if (!cls) return undefined;
    const name = access.name.text;
    for (const m of cls.members) {
      if (ts.isPropertyDeclaration(m) && propertyName(m.name) === name && m.initializer) return this.trace(m.initializer, depth + 1);
    }
    let found: Traced | undefined;
    const visit = (n: ts.Node): void => {
      if (found || (n !== cls && ts.isClassLike(n))) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)
        && n.left.expression.kind === ts.SyntaxKind.ThisKeyword && n.left.name.text === name && thisClass(n.left) === cls) {
        found = this.trace(n.right, depth + 1);
      }
      ts.forEachChild(n, visit);
    };
    visit(cls);
    return found;
  }

  private construct(e: ts.NewExpression, depth: number): Traced | undefined {
    const callee = unwrap(e.expression);
    if (!ts.isIdentifier(callee) || this.model.declarationOf(callee)) return undefined;
    if (callee.text === 'SharedArrayBuffer') return { kind: 'sab', sab: e };
    if (!INTEGER_ARRAYS.has(callee.text) && !NON_ATOMIC_ARRAYS.has(callee.text)) return undefined;
    // `new Int32Array(otherView)` copies into a buffer of its own; only a buffer argument shares.
    const base = this.trace(e.arguments?.[0], depth + 1);
    return base && base.kind !== 'view' ? { kind: 'view', ctor: callee.text, base } : undefined;
  }

  private identifier(id: ts.Identifier, depth: number): Traced | undefined {
    if (this.model.eval(id).some((v) => v.t === 'export' && v.module === 'worker_threads' && v.name === 'workerData')) {
      return this.receivedPart({ kind: 'received', from: '`workerData`', at: id, sentAs: this.selfWorkerData }, undefined, depth);
    }
    const decl = this.model.declarationOf(id);
    if (!decl) return undefined;
    if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
      if (decl.initializer) return this.trace(decl.initializer, depth + 1);
      for (const a of this.model.assignmentsTo(decl)) {
        const t = this.trace(a, depth + 1);
        if (t) return t;
      }
      return undefined;
    }
    if (ts.isBindingElement(decl)) return this.bindingElement(decl, depth);
    if (ts.isParameter(decl)) return this.parameter(decl, depth);
    return undefined;
  }

  /** `const { counts } = workerData`, `({ data }) => …` in a message listener. */
  private bindingElement(el: ts.BindingElement, depth: number): Traced | undefined {
    const path: string[] = [];
    let node: ts.Node = el;
    while (ts.isBindingElement(node)) {
      const pattern: ts.BindingPattern = node.parent;
      const key = ts.isArrayBindingPattern(pattern) ? String(pattern.elements.indexOf(node)) : propertyName(node.propertyName ?? node.name);
      if (key === undefined) return undefined;
      path.unshift(key);
      node = pattern.parent;
    }
    let t: Traced | undefined;
    if (ts.isVariableDeclaration(node)) t = this.trace(node.initializer, depth + 1);
    else if (ts.isParameter(node)) t = this.parameter(node, depth);
    if (t?.kind === 'received') {
      for (const key of path) if (t?.kind === 'received') t = this.receivedPart(t, key, depth);
      return t;
    }
    // `const { counts } = shared` where `shared` is an object literal: follow the path through literals.
    if (!ts.isVariableDeclaration(node) || !node.initializer) return undefined;
    let expr: ts.Node | undefined = node.initializer;
    for (const key of path) {
      const obj: JsValue | undefined = expr ? this.model.eval(expr).find((v) => v.t === 'object') : undefined;
      expr = obj?.t === 'object' ? objectProperty(obj.node, key) : undefined;
    }
    return expr ? this.trace(expr, depth + 1) : undefined;
  }

  /**
   * Property `key` of a received value (the value itself without a key). When this file sent it
   * to itself, what was sent tells whether it is a typed array, and of which type.
   */
  private receivedPart(t: Extract<Traced, { kind: 'received' }>, key: string | undefined, depth: number): Traced {
    let sentAs: ts.Node | undefined = t.sentAs;
    if (sentAs && key !== undefined) {
      const obj: JsValue | undefined = this.model.eval(sentAs).find((v) => v.t === 'object');
      sentAs = obj?.t === 'object' ? objectProperty(obj.node, key) : undefined;
    }
    const received = { kind: 'received' as const, from: t.from, at: t.at, sentAs };
    const sent = sentAs && this.trace(sentAs, depth + 1);
    return sent && sent.kind === 'view' ? { kind: 'view', ctor: sent.ctor, base: { kind: 'received', from: t.from, at: t.at } } : received;
  }

  /** A message listener's argument is from another thread; other parameters are what the call sites pass. */
  private parameter(param: ts.ParameterDeclaration, depth: number): Traced | undefined {
    const fn = param.parent;
    const index = fn.parameters.indexOf(param);
    if (index === 0 && isMessageListener(fn)) return { kind: 'received', from: 'a message', at: param };
    if (param.dotDotDotToken || !ts.isFunctionLike(fn)) return undefined;
    for (const call of this.model.callSitesOf(fn)) {
      const t = this.trace(call.arguments[index], depth + 1);
      if (t) return t;
    }
    return undefined;
  }

  /**
   * The typed array TypeScript declares a value to be: `x as Int32Array`, `const x: Int32Array`,
   * a parameter's type, or a property of a declared type (`const { hits } = workerData as Shared`).
   */
  private declaredArray(expr: ts.Node, depth = 0): string | undefined {
    if (depth > MAX_DEPTH) return undefined;
    let e = expr;
    while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    if (ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return typedArrayType(e.type);
    if (ts.isPropertyAccessExpression(e)) {
      let base: ts.Node = e.expression;
      while (ts.isParenthesizedExpression(base) || ts.isNonNullExpression(base)) base = base.expression;
      const baseDecl = ts.isIdentifier(base) ? this.model.declarationOf(base) : undefined;
      const baseType = baseDecl && (ts.isVariableDeclaration(baseDecl) || ts.isParameter(baseDecl)) ? declaredType(baseDecl) : typeOf(base);
      return typedArrayType(this.memberType(baseType, [e.name.text]));
    }
    if (!ts.isIdentifier(e)) return undefined;
    const decl = this.model.declarationOf(e);
    if (decl && ts.isVariableDeclaration(decl) && !decl.type && decl.initializer && !typeOf(decl.initializer)) return this.declaredArray(decl.initializer, depth + 1);
    if (decl && (ts.isVariableDeclaration(decl) || ts.isParameter(decl))) return typedArrayType(declaredType(decl));
    if (!decl || !ts.isBindingElement(decl)) return undefined;
    const path: string[] = [];
    let node: ts.Node = decl;
    while (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const key = propertyName(node.propertyName ?? node.name);
      if (key === undefined) return undefined;
      path.unshift(key);
      node = node.parent.parent;
    }
    return ts.isVariableDeclaration(node) || ts.isParameter(node) ? typedArrayType(this.memberType(declaredType(node), path)) : undefined;
  }

  /** The declared type of property `path` under a type: an inline `{ … }`, or a same-file interface or type alias. */
  private memberType(type: ts.TypeNode | undefined, path: readonly string[]): ts.TypeNode | undefined {
    let t = type;
    for (const key of path) {
      let members: ts.NodeArray<ts.TypeElement> | undefined;
      if (t && ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName)) {
        const decl = this.model.declarationOf(t.typeName);
        t = decl && ts.isTypeAliasDeclaration(decl) ? decl.type : undefined;
        if (decl && ts.isInterfaceDeclaration(decl)) members = decl.members;
      }
      if (t && ts.isTypeLiteralNode(t)) members = t.members;
      const member = members?.find((m) => ts.isPropertySignature(m) && propertyName(m.name) === key);
      t = member && ts.isPropertySignature(member) ? member.type : undefined;
    }
    return t;
  }

  /** Calls and options that hand a value to another thread. */
  private sendingSites(): { message: ts.Node; at: ts.Node; self?: boolean }[] {
    const out: { message: ts.Node; at: ts.Node; self?: boolean }[] = [];
    for (const call of this.model.calls) {
      const args = call.arguments ?? [];
      const callee = unwrap(call.expression);
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      // Any `postMessage`: a SharedArrayBuffer is posted only to share it with another thread.
      if (method === 'postMessage' && args[0]) out.push({ message: args[0], at: call });
      else if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(callee) && args[0] && (method === 'run' || method === 'runTask' || method === 'exec')) {
        const pool = this.model.eval(callee.expression).some((v) => v.t === 'instance' && (v.of === 'piscina' || v.of === 'workerpool'));
        if (pool) out.push({ message: method === 'exec' ? args[1] ?? args[0] : args[0], at: call });
      }
      // `new Worker(file, { workerData })`, also when the options are built elsewhere.
      for (const arg of args) {
        for (const v of this.model.eval(arg)) {
          if (v.t !== 'object') continue;
          const data = objectProperty(v.node, 'workerData');
          if (data) out.push({ message: data, at: call, self: ts.isNewExpression(call) && this.model.eval(args[0]).some((x) => x.t === 'self') });
        }
      }
    }
    return out;
  }
}

/** `Int32Array`, `Int32Array<SharedArrayBuffer>`: the typed array a type names. */
function typedArrayType(type: ts.TypeNode | undefined): string | undefined {
  if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
  const name = type.typeName.text;
  return INTEGER_ARRAYS.has(name) || NON_ATOMIC_ARRAYS.has(name) ? name : undefined;
}

/** A variable's or parameter's written type, or the type its initializer is cast to. */
function declaredType(decl: ts.VariableDeclaration | ts.ParameterDeclaration): ts.TypeNode | undefined {
  if (decl.type) return decl.type;
  return decl.initializer ? typeOf(decl.initializer) : undefined;
}

/** The type an expression is cast to (`workerData as Shared`). */
function typeOf(expr: ts.Node): ts.TypeNode | undefined {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e) ? e.type : undefined;
}

/** The parts of a message: the value itself, and what its object and array literals hold. */
function messageParts(model: JsModel, message: ts.Node, depth: number): ts.Node[] {
  if (depth > 4) return [];
  const out: ts.Node[] = [message];
  for (const v of model.eval(message)) {
    const items = v.t === 'object' ? v.node.properties : v.t === 'array' ? v.node.elements : [];
    for (const item of items) {
      const part = ts.isPropertyAssignment(item) ? item.initializer : ts.isShorthandPropertyAssignment(item) ? item.name : ts.isSpreadAssignment(item) || ts.isSpreadElement(item) ? item.expression : ts.isExpression(item) ? item : undefined;
      if (part) out.push(...messageParts(model, part, depth + 1));
    }
  }
  return out;
}

/** The initializer of property `name` of an object literal (the last definition). */
function objectProperty(obj: ts.ObjectLiteralExpression, name: string): ts.Node | undefined {
  for (let i = obj.properties.length - 1; i >= 0; i--) {
    const p = obj.properties[i]!;
    if (propertyName(p.name) !== name) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
    return undefined;
  }
  return undefined;
}

function literalKey(arg: ts.Expression): string | undefined {
  const a = unwrap(arg);
  return ts.isStringLiteral(a) || ts.isNumericLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a) ? a.text : undefined;
}

/** `x.on('message', fn)`, `x.addEventListener('message', fn)`, `x.onmessage = fn`. */
function isMessageListener(fn: ts.Node): boolean {
  let n: ts.Node = fn;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isCallExpression(p) && p.arguments[1] === n && ts.isPropertyAccessExpression(unwrap(p.expression))) {
    const method = (unwrap(p.expression) as ts.PropertyAccessExpression).name.text;
    const event = p.arguments[0] && unwrap(p.arguments[0]);
    return LISTEN.has(method) && event !== undefined && ts.isStringLiteralLike(event) && event.text === 'message';
  }
  return ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(p.left) && p.left.name.text === 'onmessage';
}
