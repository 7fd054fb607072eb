/**
 * Where a JavaScript/TypeScript file sends a message to another thread or process, and what the
 * message carries: the sinks (`postMessage` of workers, ports and channels, `workerData`,
 * `structuredClone`, Piscina's `run()`, workerpool's `exec` arguments, child-process `send()`) and
 * the values reached through object and array literals, spread, locals and parameters, each with
 * its property path. Shared by the rules that judge what may travel (`unserializable-callable`,
 * `unserializable-argument`).
 */
import { ts } from 'ts-morph';
import type { JsModel } from './model';
import { propertyName, unwrap, type JsValue } from './values';

/** `clone`: the structured clone algorithm; `ipc`: child-process IPC (JSON unless `serialization: 'advanced'`). */
export type Channel = 'clone' | 'ipc';

export interface Sink {
  /** The expression sent. */
  arg: ts.Node;
  /** `worker.postMessage(…)`, for the message. */
  via: string;
  channel: Channel;
  /** For `ipc`: the serialization the channel is known to use; undefined when it is not known (`process.send`, `cluster.fork`). */
  serialization?: 'json' | 'advanced';
  /** How the message names its root when it is a literal (`workerData`). */
  root?: string;
}

/** A value found in a message, with the property path leading to it. */
export interface Carried {
  path: string[];
  value: JsValue;
  /** True when the value is the computed key of a property (`{ [Symbol('id')]: 1 }`), not its value. */
  isKey?: boolean;
}

const MAX_DEPTH = 5;

export function short(model: JsModel, node: ts.Node): string {
  const text = model.nodeText(node).replace(/\s+/g, ' ');
  return text.length <= 40 ? text : `${text.slice(0, 37)}…`;
}

export function article(kind: string): string {
  return /^[aeiou]/i.test(kind) ? `an ${kind}` : `a ${kind}`;
}

export function isInstance(values: readonly JsValue[], ...of: string[]): boolean {
  return values.some((v) => v.t === 'instance' && of.includes(v.of));
}

/** The nodes that define property `name` in the object literals `expr` evaluates to. */
function propertyNodes(model: JsModel, expr: ts.Node | undefined, name: string): ts.Node[] {
  const out: ts.Node[] = [];
  for (const v of model.eval(expr)) {
    if (v.t !== 'object') continue;
    for (const p of v.node.properties) {
      if (propertyName(p.name) !== name) continue;
      if (ts.isPropertyAssignment(p)) out.push(p.initializer);
      else if (ts.isShorthandPropertyAssignment(p)) out.push(p.name);
    }
  }
  return out;
}

/** Every place the file sends a message, in source order. */
export function messageSinks(model: JsModel): Sink[] {
  const out: Sink[] = [];
  for (const call of model.calls) {
    const callee = unwrap(call.expression);
    const args = call.arguments ?? [];
    if (ts.isNewExpression(call)) {
      const made = model.eval(call);
      if (isInstance(made, 'worker', 'piscina')) {
        const options = isInstance(made, 'piscina') ? args[0] : args[1];
        for (const node of propertyNodes(model, options, 'workerData')) out.push({ arg: node, via: `\`new ${model.nodeText(call.expression)}(…)\``, channel: 'clone', root: 'workerData' });
      }
      continue;
    }
    const first = args[0];
    if (!first) continue;
    if (ts.isIdentifier(callee) && callee.text === 'structuredClone' && !model.declarationOf(callee)) {
      out.push({ arg: first, via: '`structuredClone(…)`', channel: 'clone' });
      continue;
    }
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const method = callee.name.text;
    const receiver = callee.expression;
    const via = `\`${short(model, receiver)}.${method}(…)\``;
    if (method === 'postMessage') {
      const r = model.eval(receiver);
      if (isInstance(r, 'worker', 'port') || r.some((v) => v.t === 'export' && v.module === 'worker_threads' && v.name === 'parentPort')) out.push({ arg: first, via, channel: 'clone' });
    } else if ((method === 'run' || method === 'runTask') && isInstance(model.eval(receiver), 'piscina')) {
      out.push({ arg: first, via, channel: 'clone' });
    } else if (method === 'send') {
      const isProcess = ts.isIdentifier(receiver) && receiver.text === 'process' && !model.declarationOf(receiver);
      const children = isProcess ? [] : model.eval(receiver).filter((v) => v.t === 'instance' && v.of === 'childProcess');
      if (isProcess || children.length > 0) out.push({ arg: first, via, channel: 'ipc', serialization: serializationOf(model, children) });
    } else if (method === 'exec' && isInstance(model.eval(receiver), 'workerpool') && args[1]) {
      out.push({ arg: args[1], via, channel: 'clone' });
    }
  }
  return out;
}

/**
 * The serialization of children made by `child_process.fork(path, [args], options)`: `json` unless
 * the options literal says `serialization: 'advanced'`; unknown for options that are not a literal
 * and for `cluster.fork()` (set by `cluster.setupPrimary`).
 */
function serializationOf(model: JsModel, children: readonly JsValue[]): Sink['serialization'] {
  const found = new Set<Sink['serialization']>();
  for (const child of children) {
    const call = child.t === 'instance' ? child.node : undefined;
    if (!call || !ts.isCallExpression(call) || !model.eval(call.expression).some((v) => v.t === 'export' && v.module === 'child_process' && v.name === 'fork')) return undefined;
    const options = call.arguments.slice(1).find((a) => !ts.isArrayLiteralExpression(unwrap(a)));
    if (!options) {
      found.add('json');
      continue;
    }
    const literal = unwrap(options);
    if (!ts.isObjectLiteralExpression(literal) || literal.properties.some((p) => !ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p))) return undefined;
    const prop = literal.properties.find((p) => propertyName(p.name) === 'serialization');
    if (!prop) {
      found.add('json');
      continue;
    }
    const value = ts.isPropertyAssignment(prop) ? model.eval(prop.initializer) : model.eval(prop.name);
    const names = new Set(value.map((v) => (v.t === 'string' ? v.value : '?')));
    if (names.size !== 1 || !(names.has('json') || names.has('advanced'))) return undefined;
    found.add(names.has('json') ? 'json' : 'advanced');
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/**
 * The values a message carries, with their property paths: object and array literals are walked
 * (spread included), everything else is a leaf. A method of an object literal is a callable leaf;
 * a computed key that evaluates to something is reported as a key, and its value is not walked
 * (structured clone skips Symbol-keyed properties).
 */
export function carriedValues(model: JsModel, arg: ts.Node): Carried[] {
  const out: Carried[] = [];
  walk(model, arg, [], new Set(), out, 0);
  return out;
}

function walk(model: JsModel, node: ts.Node, path: string[], seen: Set<ts.Node>, out: Carried[], depth: number): void {
  if (depth > MAX_DEPTH || seen.has(node)) return;
  seen.add(node);
  for (const v of model.eval(node)) {
    if (v.t === 'object') {
      for (const p of v.node.properties) {
        const name = propertyName(p.name);
        if (ts.isSpreadAssignment(p)) walk(model, p.expression, path, seen, out, depth + 1);
        else if (p.name && ts.isComputedPropertyName(p.name)) {
          for (const key of model.eval(p.name.expression)) out.push({ path: [...path, `[${short(model, p.name.expression)}]`], value: key, isKey: true });
        } else if (name === undefined) continue;
        else if (ts.isPropertyAssignment(p)) walk(model, p.initializer, [...path, name], seen, out, depth + 1);
        else if (ts.isShorthandPropertyAssignment(p)) walk(model, p.name, [...path, name], seen, out, depth + 1);
        else if (ts.isMethodDeclaration(p)) out.push({ path: [...path, name], value: { t: 'callable', kind: 'method', node: p } });
      }
    } else if (v.t === 'array') {
      v.node.elements.forEach((el, i) => {
        if (ts.isSpreadElement(el)) walk(model, el.expression, path, seen, out, depth + 1);
        else walk(model, el, [...path, String(i)], seen, out, depth + 1);
      });
    } else {
      out.push({ path, value: v });
    }
  }
}

/** `job.onDone`, `workerData.log`, `[0]`: how the message names the carried value. */
export function pathText(model: JsModel, arg: ts.Node, path: readonly string[], rootName?: string): string {
  const root = unwrap(arg);
  const head = ts.isObjectLiteralExpression(root) || ts.isArrayLiteralExpression(root) ? (rootName ? [rootName] : []) : [short(model, root)];
  const parts = [...head, ...path].map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 || p.startsWith('[') ? p : `.${p}`));
  return parts.join('') || short(model, root);
}
