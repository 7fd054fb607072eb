/**
 * ## JavaScript and TypeScript
 * The rule looks at each `new Promise((resolve, reject) => …)` whose executor creates a
 * `worker_threads` `Worker` and settles on its `message` event (`worker.on('message', resolve)`, or
 * a listener that calls `resolve`), and reports it when the executor attaches neither an `error`
 * nor an `exit` listener to that worker. A worker handed to another function, or listened to with
 * a computed event name, is left alone: the listeners may be attached there.
 *
 * The quick fix adds, after the `message` listener, `worker.on('error', reject)` and an `exit`
 * listener that rejects on a non-zero exit code; it is offered when the executor takes `reject`.
 */
import { ts } from 'ts-morph';
import type { JsModel } from '../../engine-js/model';
import type { JsRule, JsRuleContext } from '../../engine-js/rule';
import { unwrap } from '../../engine-js/values';
import type { Fix } from '../../engine/types';

const ID = 'worker-result-never-settles';

const LISTEN = new Set(['on', 'once', 'addListener', 'addEventListener', 'prependListener', 'prependOnceListener']);

interface Listener {
  call: ts.CallExpression;
  event: string | undefined;
  handler: ts.Node | undefined;
}

/** The executor of `new Promise(executor)` when `Promise` is the global one. */
function executorOf(model: JsModel, call: ts.CallExpression | ts.NewExpression): ts.ArrowFunction | ts.FunctionExpression | undefined {
  if (!ts.isNewExpression(call)) return undefined;
  const callee = unwrap(call.expression);
  if (!ts.isIdentifier(callee) || callee.text !== 'Promise' || model.declarationOf(callee)) return undefined;
  const fn = call.arguments?.[0] && unwrap(call.arguments[0]);
  return fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters.length > 0 ? fn : undefined;
}

function paramName(fn: ts.SignatureDeclaration, index: number): ts.Identifier | undefined {
  const p = fn.parameters[index];
  return p && ts.isIdentifier(p.name) ? p.name : undefined;
}

/** Whether `node` is, or its body mentions, one of the settle functions. */
function settles(model: JsModel, node: ts.Node | undefined, settlers: readonly ts.Identifier[]): boolean {
  if (!node) return false;
  const decls = new Set(settlers.map((s) => s.parent));
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const d = model.declarationOf(n);
      if (d && decls.has(d)) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** The workers created in the executor, by their variable declaration. */
function workersIn(model: JsModel, executor: ts.Node): ts.VariableDeclaration[] {
  const out: ts.VariableDeclaration[] = [];
  for (const call of model.calls) {
    if (!ts.isNewExpression(call) || call.pos < executor.pos || call.end > executor.end) continue;
    const decl = call.parent;
    if (!ts.isVariableDeclaration(decl) || decl.initializer !== call || !ts.isIdentifier(decl.name)) continue;
    if (model.eval(call).some((v) => v.t === 'instance' && v.of === 'worker')) out.push(decl);
  }
  return out;
}

/** Listeners on the worker, or undefined when the worker escapes (passed on, stored, returned). */
function listenersOf(model: JsModel, decl: ts.VariableDeclaration, executor: ts.Node): Listener[] | undefined {
  const listeners: Listener[] = [];
  let escapes = false;
  const visit = (n: ts.Node): void => {
    if (escapes) return;
    if (ts.isIdentifier(n) && n !== decl.name && model.declarationOf(n) === decl) {
      const use = n.parent;
      if (ts.isPropertyAccessExpression(use) && use.expression === n) {
        const call = use.parent;
        const name = use.name.text;
        if (ts.isCallExpression(call) && call.expression === use && LISTEN.has(name)) {
          const event = call.arguments[0] && unwrap(call.arguments[0]);
          listeners.push({ call, event: event && ts.isStringLiteralLike(event) ? event.text : undefined, handler: call.arguments[1] });
        } else if (ts.isBinaryExpression(call) && call.left === use && (name === 'onerror' || name === 'onexit')) {
          escapes = true; // `worker.onerror = …`: handled some other way
        }
      } else {
        escapes = true; // passed to a function, stored, returned: listeners may be attached elsewhere
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(executor);
  return escapes ? undefined : listeners;
}

function check({ model, report }: JsRuleContext): void {
  for (const call of model.calls) {
    const executor = executorOf(model, call);
    if (!executor) continue;
    const resolve = paramName(executor, 0);
    const reject = paramName(executor, 1);
    if (!resolve) continue;
    for (const decl of workersIn(model, executor)) {
      const listeners = listenersOf(model, decl, executor);
      if (!listeners || listeners.some((l) => l.event === undefined)) continue;
      const onMessage = listeners.find((l) => l.event === 'message' && settles(model, l.handler, [resolve]));
      if (!onMessage || listeners.some((l) => l.event === 'error' || l.event === 'exit' || l.event === 'messageerror')) continue;
      const name = (decl.name as ts.Identifier).text;
      report({
        message: `Hangs if the worker fails: this Promise settles only on \`${name}\`'s \`message\` event. If the worker throws or exits without posting, no \`error\` or \`exit\` listener rejects it and every \`await\` on it waits forever. Reject on \`error\`, and on \`exit\` with a non-zero code.`,
        range: model.range(onMessage.call),
        related: [{ range: model.range(decl), message: 'the worker is created here' }],
        fixes: reject ? addRejections(model, onMessage.call, name, reject.text) : [],
      });
    }
  }
}

function addRejections(model: JsModel, listen: ts.CallExpression, worker: string, reject: string): Fix[] {
  const stmt = listen.parent;
  if (!ts.isExpressionStatement(stmt) || model.hasSyntaxErrors) return [];
  const sf = model.sourceFile;
  const end = sf.getLineAndCharacterOfPosition(stmt.getEnd());
  const start = sf.getLineAndCharacterOfPosition(stmt.getStart(sf));
  const indent = /^[ \t]*/.exec(model.lines.line(start.line))?.[0] ?? '';
  const rest = model.lines.line(end.line).slice(end.character).trim();
  if (rest !== '' && !rest.startsWith('//')) return [];
  const at = { line: end.line, character: model.lines.line(end.line).length };
  // A TypeScript file under `noImplicitAny` needs the parameter's type when the Worker is untyped.
  const code = /\.[mc]?tsx?$/i.test(model.sourceFile.fileName) ? 'code: number' : 'code';
  const text = `\n${indent}${worker}.on('error', ${reject});\n${indent}${worker}.on('exit', (${code}) => {\n${indent}  if (code !== 0) ${reject}(new Error(\`Worker stopped with exit code \${code}\`));\n${indent}});`;
  return [{ title: `Reject when \`${worker}\` fails: add \`error\` and \`exit\` listeners`, edits: [{ range: { start: at, end: at }, newText: text }], isPreferred: true }];
}

export const rule: JsRule = { id: ID, check };
