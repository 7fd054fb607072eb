/**
 * ## JavaScript and TypeScript
 * In JavaScript and TypeScript files the rule checks what is sent to another thread or process:
 * a function, arrow function, class, bound function or method reaching `postMessage` of a
 * `worker_threads` `Worker`, `parentPort`, a `MessageChannel` port or a `BroadcastChannel`, a
 * `workerData` option, `structuredClone`, Piscina's `run()`, or `send()` of a child process from
 * `child_process.fork()` (and `process.send`) — directly, as a property of an object or array
 * literal (the message names the path, as in `job.onDone`), through spread, local variables,
 * destructuring and parameters of same-file functions. It also checks the function given to
 * `workerpool`'s `exec`, which travels as source text: it must not read bindings of the module
 * or of an enclosing function (imports included), and cannot be a bound function or a method. A
 * binding that shadows a global the worker also has (`Promise`, `Math`, `console`, …) is not
 * reported: in the worker the name finds the global and the task still runs.
 *
 * The structured clone algorithm cannot copy code: a function anywhere in a message makes
 * `postMessage` throw a `DataCloneError` and nothing is sent. Child-process IPC serializes to
 * JSON by default, which drops functions silently. workerpool rebuilds the function in the worker
 * from `String(fn)`, where the variables it closed over do not exist: the task fails with a
 * `ReferenceError` when it runs.
 *
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * const worker = new Worker('./resize.js');
 * worker.postMessage({ file: 'a.png', onDone: (out) => console.log(out) });
 * ```
 *
 * Use instead:
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * const worker = new Worker('./resize.js');
 * worker.on('message', (out) => console.log(out));
 * worker.postMessage({ file: 'a.png' });
 * ```
 */
import { ts } from 'ts-morph';
import type { JsModel } from '../../engine-js/model';
import type { JsRule, JsRuleContext } from '../../engine-js/rule';
import { article, carriedValues, isInstance, messageSinks, pathText, short } from '../../engine-js/messages';
import { unwrap } from '../../engine-js/values';
import type { RelatedLocation } from '../../engine/types';

const ID = 'unserializable-callable';

/**
 * Names the worker has as globals: a task reading a module binding that shadows one of them (a
 * Promise library imported as `Promise`) gets the worker's global instead and still runs.
 */
const WORKER_GLOBALS = new Set([
  'Array', 'ArrayBuffer', 'Atomics', 'BigInt', 'Boolean', 'Buffer', 'DataView', 'Date', 'Error', 'EvalError', 'Float32Array', 'Float64Array',
  'Function', 'Int8Array', 'Int16Array', 'Int32Array', 'Intl', 'JSON', 'Map', 'Math', 'Number', 'Object', 'Promise', 'Proxy', 'RangeError',
  'ReferenceError', 'Reflect', 'RegExp', 'Set', 'SharedArrayBuffer', 'String', 'Symbol', 'SyntaxError', 'TextDecoder', 'TextEncoder', 'TypeError',
  'URL', 'URLSearchParams', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'WeakMap', 'WeakRef', 'WeakSet', 'AbortController',
  'clearInterval', 'clearTimeout', 'console', 'fetch', 'globalThis', 'performance', 'process', 'queueMicrotask', 'setImmediate', 'setInterval',
  'setTimeout', 'structuredClone',
]);

function check({ model, report }: JsRuleContext): void {
  for (const sink of messageSinks(model)) {
    for (const c of carriedValues(model, sink.arg)) {
      const r = c.value;
      if (r.t !== 'callable' || c.isKey) continue;
      const what = pathText(model, sink.arg, c.path, sink.root);
      const message = sink.channel === 'ipc'
        ? `The receiver never gets \`${what}\`: ${article(r.kind)} does not survive IPC. ${sink.via} sends JSON, which drops functions (and \`advanced\` serialization makes \`send()\` throw).`
        : `Nothing is sent: \`${what}\` is ${article(r.kind)}, which cannot be cloned. ${sink.via} throws a \`DataCloneError\`: the structured clone algorithm cannot copy code. Send data, and keep the code on this side.`;
      const related: RelatedLocation[] = r.node.pos >= sink.arg.pos && r.node.end <= sink.arg.end ? [] : [{ range: model.range(r.node), message: `the ${r.kind} is defined here` }];
      report({ message, range: model.range(sink.arg), related });
    }
  }
  for (const call of model.calls) checkWorkerpoolExec(model, call, report);
}

/** `pool.exec(fn, args)`: `fn` travels as source text and must stand alone. */
function checkWorkerpoolExec(model: JsModel, call: ts.CallExpression | ts.NewExpression, report: JsRuleContext['report']): void {
  if (!ts.isCallExpression(call)) return;
  const callee = unwrap(call.expression);
  const fnArg = call.arguments[0];
  if (!fnArg || !ts.isPropertyAccessExpression(callee) || callee.name.text !== 'exec' || !isInstance(model.eval(callee.expression), 'workerpool')) return;
  for (const v of model.eval(fnArg)) {
    if (v.t !== 'callable') continue;
    if (v.kind === 'bound function' || v.kind === 'method' || v.kind === 'class') {
      report({ message: `The task fails in the worker: workerpool rebuilds it from its source text. \`${short(model, callee)}(…)\` sends \`${short(model, fnArg)}\`, ${article(v.kind)}, whose \`String(fn)\` is not a standalone function.`, range: model.range(fnArg) });
      continue;
    }
    const free = freeBindings(model, v.node);
    if (free.length === 0) continue;
    const names = free.map((f) => `\`${f.text}\``).join(', ');
    report({
      message: `The task fails with a ReferenceError: ${names} ${free.length === 1 ? 'is' : 'are'} not defined in the worker. \`${short(model, callee)}(…)\` sends \`${short(model, fnArg)}\` as source text (workerpool rebuilds it from \`String(fn)\`), and it reads ${free.length === 1 ? 'that name' : 'those names'} from the enclosing scope. Pass the values as arguments instead.`,
      range: model.range(fnArg),
      related: free.map((f) => ({ range: model.range(f), message: `\`${f.text}\` is bound outside the function` })),
    });
  }
}

/** First use of each name the function reads from an enclosing scope of this file. */
function freeBindings(model: JsModel, fn: ts.Node): ts.Identifier[] {
  const seen = new Set<ts.Node>();
  const out: ts.Identifier[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isTypeNode(n) || ts.isTypeParameterDeclaration(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
    if (ts.isIdentifier(n) && isReference(n)) {
      const decl = model.declarationOf(n);
      if (decl && (decl.pos < fn.pos || decl.end > fn.end) && !isTypeOnly(decl) && !WORKER_GLOBALS.has(n.text) && !seen.has(decl)) {
        seen.add(decl);
        out.push(n);
      }
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn, visit);
  return out;
}

/** An identifier read as a value (not a property name, a declaration's own name or a label). */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isPropertySignature(p)) && p.name === id) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isClassExpression(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && (p.name === id || p.propertyName === id)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

function isTypeOnly(decl: ts.Node): boolean {
  return ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl) || ts.isTypeParameterDeclaration(decl) || (ts.isImportSpecifier(decl) && (decl.isTypeOnly || decl.parent.parent.isTypeOnly));
}

export const rule: JsRule = { id: ID, check };
