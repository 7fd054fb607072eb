/**
 * "Does this run when the module loads, outside a check of which thread or process this is?" —
 * answered by walking up from a node through conditions, synchronous callbacks and the call sites
 * of same-file functions, up to the top of the module. Any condition that reads `isMainThread`,
 * `parentPort`, `workerData`, `threadId` (threads) or `isPrimary`, `isMaster`, `isWorker`
 * (cluster) counts as a guard, as does an earlier `if` on one of them in an enclosing block
 * (the early-exit pattern): a guard the rules cannot read precisely is still a guard.
 */
import { ts } from 'ts-morph';
import type { JsModel } from './model';
import { unwrap } from './values';

export type Role = 'thread' | 'cluster';

const ROLE_NAMES: Record<Role, ReadonlySet<string>> = {
  thread: new Set(['isMainThread', 'parentPort', 'workerData', 'threadId']),
  cluster: new Set(['isPrimary', 'isMaster', 'isWorker', 'NODE_UNIQUE_ID']),
};

/** Calls whose callback runs while the module loads (or right after, in the same thread). */
const RUNS_CALLBACK = new Set(['forEach', 'map', 'flatMap', 'from', 'filter', 'reduce', 'some', 'every', 'then', 'catch', 'finally', 'setImmediate', 'setTimeout', 'queueMicrotask', 'nextTick']);

const MAX_CALL_DEPTH = 5;

/**
 * Whether `cond` reads which thread or process this is, directly or through a variable computed
 * from it (`const isWorker = workerData?.id !== undefined`).
 */
export function testsRole(model: JsModel, cond: ts.Node, role: Role, depth = 0): boolean {
  const names = ROLE_NAMES[role];
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && (names.has(n.text) || model.eval(n).some((v) => v.t === 'export' && names.has(v.name)) || derivedFromRole(model, n, role, depth))) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(cond);
  return found;
}

function derivedFromRole(model: JsModel, id: ts.Identifier, role: Role, depth: number): boolean {
  if (depth >= 2) return false;
  const decl = model.declarationOf(id);
  return decl !== undefined && ts.isVariableDeclaration(decl) && decl.initializer !== undefined && !ts.isFunctionLike(decl.initializer) && testsRole(model, decl.initializer, role, depth + 1);
}

/**
 * The calls through which `node` runs at load time without a guard: [] when it is module-level
 * code itself, the chain of same-file calls (outermost last) when a function that contains it is
 * called at load time, undefined when it is guarded or not known to run at load time.
 */
export function unguardedAtLoad(model: JsModel, node: ts.Node, role: Role, depth = 0): ts.CallExpression[] | undefined {
  if (depth > MAX_CALL_DEPTH) return undefined;
  for (let child: ts.Node = node, n = node.parent; n; child = n, n = n.parent) {
    if (guards(model, n, child, role)) return undefined;
    if (ts.isClassLike(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n) || ts.isConstructorDeclaration(n) || ts.isMethodDeclaration(n)) return undefined;
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n)) {
      if (!ts.isFunctionDeclaration(n) && isSynchronousCallback(n)) continue;
      for (const site of model.callSitesOf(n)) {
        const chain = unguardedAtLoad(model, site, role, depth + 1);
        if (chain) return [site, ...chain];
      }
      return undefined;
    }
  }
  return [];
}

function isSynchronousCallback(fn: ts.FunctionExpression | ts.ArrowFunction): boolean {
  let n: ts.Node = fn;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const call = n.parent;
  if (!ts.isCallExpression(call) || call.expression === n) return false;
  const callee = unwrap(call.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  return name !== undefined && RUNS_CALLBACK.has(name);
}

/** Whether the step from `child` up to `n` passes a check of the thread's or process's role. */
function guards(model: JsModel, n: ts.Node, child: ts.Node, role: Role): boolean {
  if (ts.isIfStatement(n)) return child !== n.expression && testsRole(model, n.expression, role);
  if (ts.isConditionalExpression(n)) return child !== n.condition && testsRole(model, n.condition, role);
  if (ts.isBinaryExpression(n)) {
    const op = n.operatorToken.kind;
    const logical = op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken;
    return logical && child === n.right && testsRole(model, n.left, role);
  }
  if (ts.isSwitchStatement(n)) return testsRole(model, n.expression, role);
  if (ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n) || ts.isModuleBlock(n)) {
    for (const stmt of n.statements) {
      if (stmt === child) break;
      if (ts.isIfStatement(stmt) && testsRole(model, stmt.expression, role)) return true;
    }
  }
  return false;
}
