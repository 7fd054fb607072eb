/**
 * ## JavaScript and TypeScript
 * The rule looks at `postMessage(message, [transfer…])` (or `{ transfer: […] }`) on a
 * `worker_threads` `Worker`, `parentPort`, a `MessageChannel` port or a `BroadcastChannel`, and at
 * what the transfer list names: a view's `.buffer` (`pixels.buffer`) or a variable holding an
 * `ArrayBuffer` (`new ArrayBuffer(…)`, `x.buffer`, `await blob.arrayBuffer()`). It reports a read
 * of that variable later in the same function. Reads in another branch of an `if`, after a
 * `return` or `throw` that ends the transferring block, or of a variable assigned again after the
 * transfer are not reported.
 *
 * The quick fix takes the element out of the transfer list when the message itself carries the
 * variable: the receiver then gets a copy (structured clone copies what is not transferred) and
 * the sender keeps its data, at the cost of the copy.
 */
import { ts } from 'ts-morph';
import type { JsModel } from '../../engine-js/model';
import type { JsRule, JsRuleContext } from '../../engine-js/rule';
import type { Fix } from '../../engine/types';
import { propertyName, unwrap } from '../../engine-js/values';

const ID = 'transferred-buffer-used';

/** The transfer list of a `postMessage` call on a known port, worker or channel. */
function transferList(model: JsModel, call: ts.CallExpression | ts.NewExpression): ts.ArrayLiteralExpression | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'postMessage' || call.arguments.length < 2) return undefined;
  const receiver = model.eval(callee.expression);
  const known = receiver.some((v) => (v.t === 'instance' && (v.of === 'worker' || v.of === 'port')) || (v.t === 'export' && v.module === 'worker_threads' && v.name === 'parentPort'));
  if (!known) return undefined;
  const second = unwrap(call.arguments[1]!);
  if (ts.isArrayLiteralExpression(second)) return second;
  if (ts.isObjectLiteralExpression(second)) {
    const prop = second.properties.find((p) => propertyName(p.name) === 'transfer');
    const value = prop && ts.isPropertyAssignment(prop) ? unwrap(prop.initializer) : undefined;
    if (value && ts.isArrayLiteralExpression(value)) return value;
  }
  return undefined;
}

/** Whether an expression makes an ArrayBuffer: `new ArrayBuffer(n)`, `x.buffer`, `await r.arrayBuffer()`, `buf.slice(…)` of one. */
function makesArrayBuffer(expr: ts.Expression | undefined): boolean {
  if (!expr) return false;
  const e = unwrap(expr);
  if (ts.isNewExpression(e)) return ts.isIdentifier(e.expression) && e.expression.text === 'ArrayBuffer';
  if (ts.isPropertyAccessExpression(e)) return e.name.text === 'buffer';
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) return e.expression.name.text === 'arrayBuffer';
  return false;
}

/** The variable detached by a transfer list element: `view.buffer` (the view), or an ArrayBuffer variable. */
function detached(model: JsModel, element: ts.Expression): ts.VariableDeclaration | undefined {
  const e = unwrap(element);
  const id = ts.isPropertyAccessExpression(e) && e.name.text === 'buffer' ? unwrap(e.expression) : e;
  if (!ts.isIdentifier(id)) return undefined;
  const decl = model.declarationOf(id);
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return undefined;
  if (id === e && !makesArrayBuffer(decl.initializer)) return undefined;
  return decl;
}

/** Uses of the variable in `scope` (identifiers resolving to it). */
function usesOf(model: JsModel, decl: ts.VariableDeclaration, scope: ts.Node): ts.Identifier[] {
  const name = (decl.name as ts.Identifier).text;
  const out: ts.Identifier[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n.text === name && n !== decl.name && model.declarationOf(n) === decl) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return out;
}

function isAssignmentTarget(id: ts.Identifier): boolean {
  const p = id.parent;
  return ts.isBinaryExpression(p) && p.left === id && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

const EXITS = (s: ts.Statement): boolean => ts.isReturnStatement(s) || ts.isThrowStatement(s) || ts.isBreakStatement(s) || ts.isContinueStatement(s);

/** Whether `use` runs after `call` on some path: not in another branch, not after the transferring block has exited. */
function runsAfter(call: ts.Node, use: ts.Node): boolean {
  if (use.pos < call.end) return false;
  const callChain = new Set<ts.Node>();
  for (let n: ts.Node | undefined = call; n; n = n.parent) callChain.add(n);
  let common: ts.Node | undefined = use;
  while (common && !callChain.has(common)) common = common.parent;
  if (!common) return false;
  if (ts.isIfStatement(common) || ts.isConditionalExpression(common) || ts.isCaseBlock(common)) return false;
  // A block between the call and the common ancestor that ends by leaving (return, throw, …).
  for (let n: ts.Node = call; n !== common && n.parent; n = n.parent) {
    const parent: ts.Node = n.parent;
    if ((ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) && parent !== common) {
      const stmts = parent.statements;
      const at = stmts.indexOf(n as ts.Statement);
      if (at !== -1 && stmts.slice(at + 1).some(EXITS)) return false;
    }
  }
  return true;
}

function check({ model, report }: JsRuleContext): void {
  for (const call of model.calls) {
    const list = transferList(model, call);
    if (!list) continue;
    const scope = model.enclosingFunction(call)?.body ?? model.sourceFile;
    for (const element of list.elements) {
      const decl = detached(model, element);
      if (!decl) continue;
      const uses = usesOf(model, decl, scope);
      const after = uses.filter((u) => u.pos >= call.end);
      if (after.some(isAssignmentTarget)) continue; // assigned again: later reads may see the new buffer
      const use = after.find((u) => runsAfter(call, u));
      if (!use) continue;
      const name = use.text;
      const what = ts.isPropertyAccessExpression(unwrap(element)) ? `\`${name}.buffer\` was transferred` : `\`${name}\` was transferred`;
      report({
        message: `Reads as empty: ${what} on line ${model.range(call).start.line + 1} and is detached in this thread. \`${model.nodeText((call as ts.CallExpression).expression)}(…)\` moved its ArrayBuffer to the other side, so here \`${name}\` has length and byteLength 0. Copy it before transferring (\`${name}.slice()\`), or read it before the transfer.`,
        range: model.range(use),
        related: [{ range: model.range(element), message: 'transferred here' }],
        fixes: copyInstead(model, call as ts.CallExpression, list, element, decl),
      });
    }
  }
}

/**
 * Drops `element` from the transfer list, so the message is copied instead of moved: only when the
 * message names the variable (else the data would no longer reach the receiver at all).
 */
function copyInstead(model: JsModel, call: ts.CallExpression, list: ts.ArrayLiteralExpression, element: ts.Expression, decl: ts.VariableDeclaration): Fix[] {
  const message = call.arguments[0];
  if (model.hasSyntaxErrors || !message || usesOf(model, decl, message).length === 0) return [];
  const sf = model.sourceFile;
  const elements = list.elements;
  const at = elements.indexOf(element);
  // The element with the comma after it, or before it when it is the last one.
  const start = at > 0 && at === elements.length - 1 ? elements[at - 1]!.end : element.getStart(sf);
  const end = at < elements.length - 1 ? elements[at + 1]!.getStart(sf) : element.end;
  const range = { start: sf.getLineAndCharacterOfPosition(start), end: sf.getLineAndCharacterOfPosition(end) };
  const name = model.nodeText(element);
  return [{ title: `Copy instead of transferring: take \`${name}\` out of the transfer list`, edits: [{ range, newText: '' }], isPreferred: true }];
}

export const rule: JsRule = { id: ID, check };
