/**
 * ## JavaScript and TypeScript
 * In JavaScript and TypeScript files the rule checks for a `worker_threads` `Worker` started on
 * the file itself — `new Worker(__filename)`, `new Worker(new URL(import.meta.url))`,
 * `fileURLToPath(import.meta.url)`, `path.join(__dirname, '<this file>')`, or a Piscina pool
 * whose `filename` is the file itself — and for
 * `cluster.fork()`, when either runs while the module loads (at module level, in a synchronous
 * callback, or in a same-file function called at module level) without a check of
 * `isMainThread` (or `parentPort`, `workerData`) or `cluster.isPrimary` (`isMaster`, `isWorker`).
 *
 * A worker thread runs its file from the top, so an unguarded `new Worker(__filename)` starts a
 * worker in every worker, without end, until the process runs out of memory. A cluster worker
 * runs the main module again too, but `cluster.fork` does not exist there: every worker dies
 * with a `TypeError`, and a primary that forks again on `exit` keeps replacing them.
 * `require.main === module` is no guard: it is true in a worker thread too.
 *
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * const worker = new Worker(__filename);
 * worker.on('message', console.log);
 * ```
 *
 * Use instead:
 * ```js
 * const { Worker, isMainThread, parentPort } = require('node:worker_threads');
 *
 * if (isMainThread) {
 *   const worker = new Worker(__filename);
 *   worker.on('message', console.log);
 * } else {
 *   parentPort.postMessage('hello from the worker');
 * }
 * ```
 *
 * The quick fix wraps the statements in `if (isMainThread) { … }` (or `if (cluster.isPrimary)`),
 * adding `isMainThread` to the `worker_threads` import when needed; it is not offered when a
 * variable declared there is used after them.
 */
import { ts } from 'ts-morph';
import { testsRole, unguardedAtLoad, type Role } from '../../engine-js/guards';
import { statementRun, topLevelStatement, wrapRun } from '../../engine-js/fixes';
import type { JsModel } from '../../engine-js/model';
import type { JsRule, JsRuleContext } from '../../engine-js/rule';
import { unwrap, type JsValue } from '../../engine-js/values';
import type { Fix, TextEdit } from '../../engine/types';

const ID = 'unguarded-entry-point';

interface Start {
  node: ts.NewExpression | ts.CallExpression;
  role: Role;
}

const isExport = (module: string, name: string) => (v: JsValue): boolean => v.t === 'export' && v.module === module && v.name === name;

function starts(model: JsModel): Start[] {
  const out: Start[] = [];
  for (const call of model.calls) {
    if (ts.isNewExpression(call)) {
      const file = call.arguments?.[0];
      const ctor = model.eval(call.expression);
      if (file && ctor.some(isExport('worker_threads', 'Worker')) && model.eval(file).some((v) => v.t === 'self')) out.push({ node: call, role: 'thread' });
      // Piscina's workers load `filename` the same way.
      else if (file && ctor.some(isExport('piscina', 'Piscina')) && model.evalMember(file, 'filename').some((v) => v.t === 'self')) out.push({ node: call, role: 'thread' });
    } else if (call.arguments.length <= 1 && model.eval(call.expression).some(isExport('cluster', 'fork'))) {
      out.push({ node: call, role: 'cluster' });
    }
  }
  return out;
}

function short(model: JsModel, node: ts.Node): string {
  const text = model.nodeText(node).replace(/\s+/g, ' ');
  if (text.length <= 48) return text;
  if (ts.isNewExpression(node)) return `new ${model.nodeText(node.expression)}(…)`;
  return `${model.nodeText((node as ts.CallExpression).expression)}(…)`;
}

function check({ model, report }: JsRuleContext): void {
  for (const start of starts(model)) {
    const chain = unguardedAtLoad(model, start.node, start.role);
    if (!chain) continue;
    const outer = chain[chain.length - 1];
    const where = outer ? `runs at load time (through \`${short(model, outer)}\` on line ${model.range(outer).start.line + 1})` : 'runs at load time';
    const message = start.role === 'thread'
      ? `Workers without end: each worker runs this file again and starts a worker of its own. \`${short(model, start.node)}\` starts this same file in a worker thread and ${where} without an \`isMainThread\` guard, so workers multiply until the process runs out of memory.`
      : `Every worker process dies with a TypeError: it runs this file, where \`cluster.fork\` is missing. \`${short(model, start.node)}\` ${where} outside an \`if (cluster.isPrimary)\` branch (and a primary that forks again on \`exit\` keeps replacing the workers).`;
    report({
      message,
      range: model.range(start.node),
      related: outer ? [{ range: model.range(outer), message: 'called at load time here' }] : [],
      fixes: guardFix(model, outer ?? start.node, start),
    });
  }
}

function guardFix(model: JsModel, loadTime: ts.Node, start: Start): Fix[] {
  if (model.hasSyntaxErrors) return [];
  const stmt = topLevelStatement(loadTime);
  const run = stmt && statementRun(stmt, (s) => ts.isIfStatement(s) && (testsRole(model, s.expression, 'thread') || testsRole(model, s.expression, 'cluster')));
  if (!run) return [];
  const guard = start.role === 'thread' ? threadGuard(model, start.node) : clusterGuard(start.node);
  if (!guard) return [];
  const wrap = wrapRun(model, run, guard.condition);
  if (!wrap) return [];
  const title = start.role === 'thread' ? 'Run this only in the main thread: wrap in `if (isMainThread)`' : 'Fork only in the primary: wrap in `if (cluster.isPrimary)`';
  return [{ title, edits: [...guard.edits, wrap], isPreferred: true }];
}

/** `isMainThread` as the file can name it, and the import edit that makes it nameable. */
function threadGuard(model: JsModel, worker: ts.Node): { condition: string; edits: TextEdit[] } | undefined {
  const top = topLevelBindings(model);
  const direct = top.find((b) => b.values.some(isExport('worker_threads', 'isMainThread')));
  if (direct) return { condition: direct.name, edits: [] };
  const namespace = top.find((b) => b.values.some((v) => v.t === 'module' && v.name === 'worker_threads'));
  if (namespace) return { condition: `${namespace.name}.isMainThread`, edits: [] };
  if (/\bisMainThread\b/.test(model.text)) return undefined;
  // Add it beside the `Worker` the file imports or destructures.
  const callee = unwrap((worker as ts.NewExpression).expression);
  const decl = ts.isIdentifier(callee) ? model.declarationOf(callee) : undefined;
  if (decl && (ts.isImportSpecifier(decl) || (ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent)))) {
    const at = model.sourceFile.getLineAndCharacterOfPosition(decl.getEnd());
    return { condition: 'isMainThread', edits: [{ range: { start: at, end: at }, newText: ', isMainThread' }] };
  }
  return undefined;
}

function clusterGuard(fork: ts.Node): { condition: string; edits: TextEdit[] } | undefined {
  const callee = unwrap((fork as ts.CallExpression).expression);
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) return { condition: `${callee.expression.text}.isPrimary`, edits: [] };
  return undefined;
}

/** Names bound at module level by variables and imports, with their values. */
function topLevelBindings(model: JsModel): { name: string; values: JsValue[] }[] {
  const out: { name: string; values: JsValue[] }[] = [];
  const add = (id: ts.Identifier): void => {
    out.push({ name: id.text, values: model.eval(id) });
  };
  const addPattern = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) add(name);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addPattern(el.name);
  };
  for (const stmt of model.sourceFile.statements) {
    if (ts.isVariableStatement(stmt)) for (const d of stmt.declarationList.declarations) addPattern(d.name);
    else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const clause = stmt.importClause;
      if (clause.name) add(clause.name);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name);
      else if (bindings) for (const s of bindings.elements) add(s.name);
    } else if (ts.isImportEqualsDeclaration(stmt)) add(stmt.name);
  }
  return out;
}

export const rule: JsRule = { id: ID, check };
