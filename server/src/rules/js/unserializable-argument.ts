/**
 * ## JavaScript and TypeScript
 * In JavaScript and TypeScript files the rule checks the data sent to another thread or process
 * (the sinks of `unserializable-callable`: `postMessage` of a `worker_threads` `Worker`,
 * `parentPort`, a `MessageChannel` port or a `BroadcastChannel`, a `workerData` option,
 * `structuredClone`, Piscina's `run()`, workerpool's `exec` arguments, and `send()` of a child
 * process from `child_process.fork()` or `process.send`) for values that cannot travel: a Symbol
 * (`Symbol('id')`, `Symbol.for`, `Symbol.iterator`), a property keyed by a Symbol, a `WeakMap`,
 * `WeakSet` or `WeakRef`, a Promise (`new Promise`, `Promise.all(…)`, `fetch(…)`, a call of an
 * `async` function not awaited), a generator object, a socket (`net.connect`,
 * `net.createConnection`, `new net.Socket`, the socket of a `net.createServer` handler), a stream
 * (`fs.createReadStream`, `fs.createWriteStream`, `process.stdout`), an `http` request or response
 * (`http.request`, `http.get`, the `req` and `res` of an `http.createServer` handler), an
 * `EventEmitter`, and an instance of a class of the same file that has methods, accessors or
 * `#private` members. The message names the property path (`job.cache`,
 * `options.logger.stream`). Plain data, `Map`, `Set`, `Date`, `RegExp`, typed arrays,
 * `ArrayBuffer`, `Error` and values the rule does not recognise are not reported; functions are
 * `unserializable-callable`'s findings.
 *
 * The structured clone algorithm (`postMessage`, `structuredClone`, `workerData`, Piscina) throws
 * a `DataCloneError` on Symbols, weak collections, Promises, generators, sockets, streams with
 * listeners and `http` messages, and nothing is sent. It copies a class instance as a plain object:
 * the fields arrive, but methods, accessors and `#private` fields do not, and `instanceof` is false
 * in the receiver; an `EventEmitter` without listeners or a read stream not yet read arrives as an
 * inert object of internal fields. Symbol-keyed properties are dropped without an error.
 * Child-process IPC sends JSON unless the child was forked with `serialization: 'advanced'`:
 * Symbols vanish, Promises, weak collections and generators arrive as `{}`, sockets and streams
 * as a plain object of internal fields (an `http` message makes `send()` throw on its circular
 * structure); with `advanced` serialization `send()` throws as structured clone does. Checked on
 * Node 20 and 24.
 *
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * class Job {
 *   constructor(file) { this.file = file; }
 *   outputName() { return this.file.replace(/\.png$/, '.webp'); }
 * }
 *
 * function convert(file, url) {
 *   const worker = new Worker('./convert.js');
 *   worker.postMessage({ job: new Job(file), image: fetch(url) });
 * }
 * ```
 *
 * Use instead:
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * async function convert(file, url) {
 *   const worker = new Worker('./convert.js');
 *   const image = await (await fetch(url)).arrayBuffer();
 *   // convert.js makes its own Job from the data: new Job(message.file)
 *   worker.postMessage({ file, image }, [image]);
 * }
 * ```
 */
import { ts } from 'ts-morph';
import { carriedValues, messageSinks, pathText, type Carried, type Sink } from '../../engine-js/messages';
import type { JsModel } from '../../engine-js/model';
import type { JsRule, JsRuleContext } from '../../engine-js/rule';
import { propertyName, type InstanceKind, type JsValue } from '../../engine-js/values';
import type { RelatedLocation } from '../../engine/types';

const ID = 'unserializable-argument';

/** How structured clone treats a kind: throws, or (`inert`) throws once it has listeners and otherwise copies its internal fields. */
type CloneEffect = 'throws' | 'inert';

interface Kind {
  noun: string;
  clone: CloneEffect;
  /** What default (JSON) child-process IPC does with it, after "which". */
  json: string;
  instead: string;
}

const FIELDS = 'delivers an inert copy of its internal fields';

const KINDS: Partial<Record<InstanceKind | 'symbol', Kind>> = {
  symbol: { noun: 'a Symbol', clone: 'throws', json: 'drops it (JSON has no Symbols)', instead: 'Send a string (the description) and map it back to a Symbol in the receiver.' },
  weakMap: { noun: 'a `WeakMap`', clone: 'throws', json: 'delivers `{}`', instead: 'Send the data the receiver needs as plain values, a `Map` or an array.' },
  weakSet: { noun: 'a `WeakSet`', clone: 'throws', json: 'delivers `{}`', instead: 'Send the data the receiver needs as plain values, a `Set` or an array.' },
  weakRef: { noun: 'a `WeakRef`', clone: 'throws', json: 'delivers `{}`', instead: 'Send the data of the object it refers to (`ref.deref()`), as plain values.' },
  promise: { noun: 'a Promise', clone: 'throws', json: 'delivers `{}`', instead: 'Send the settled value instead: `await` it first.' },
  generator: { noun: 'a generator object', clone: 'throws', json: 'delivers `{}`', instead: 'Send the values it yields (`[...gen]`) instead.' },
  socket: { noun: 'a socket', clone: 'throws', json: FIELDS, instead: 'Send the data read from it; a child process can take over the connection as `send()`\'s second argument.' },
  stream: { noun: 'a stream', clone: 'inert', json: FIELDS, instead: 'Send the data, or a path the receiver opens itself; a worker writing to its own `process.stdout` reaches the parent\'s.' },
  httpMessage: { noun: 'an `http` request or response', clone: 'throws', json: 'throws a `TypeError` on its circular structure', instead: 'Send the parts the receiver needs (`method`, `url`, `headers`, the body) as plain data and answer in this thread.' },
  emitter: { noun: 'an `EventEmitter`', clone: 'inert', json: FIELDS, instead: 'Send plain data, and post the events across as messages instead of sharing the emitter.' },
};

/** The methods, accessors and `#private` members of a class and its same-file bases, which a copy loses. */
function lostMembers(model: JsModel, cls: ts.ClassLikeDeclaration, depth = 0): string[] {
  const out: string[] = [];
  for (const m of cls.members) {
    const isStatic = ts.canHaveModifiers(m) && (ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) ?? false);
    if (isStatic || ts.isConstructorDeclaration(m) || ts.isClassStaticBlockDeclaration(m) || ts.isIndexSignatureDeclaration(m)) continue;
    const name = m.name && (ts.isPrivateIdentifier(m.name) ? m.name.text : propertyName(m.name));
    if (name === undefined) continue;
    if (ts.isMethodDeclaration(m) || ts.isGetAccessor(m) || ts.isSetAccessor(m) || name.startsWith('#')) out.push(ts.isMethodDeclaration(m) ? `${name}()` : name);
  }
  const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  if (base && depth < 5) {
    for (const b of model.eval(base)) if (b.t === 'callable' && ts.isClassLike(b.node)) out.push(...lostMembers(model, b.node, depth + 1));
  }
  return [...new Set(out)];
}

function definesToJson(model: JsModel, cls: ts.ClassLikeDeclaration): boolean {
  return lostMembers(model, cls).includes('toJSON()');
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => `\`${n}\``);
  return names.length > 3 ? `${shown.join(', ')}, …` : shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown[0] ?? '';
}

function classMessage(model: JsModel, sink: Sink, what: string, v: Extract<JsValue, { t: 'classInstance' }>): string | undefined {
  const lost = lostMembers(model, v.cls);
  if (lost.length === 0) return undefined;
  if (sink.channel === 'ipc' && sink.serialization !== 'advanced' && definesToJson(model, v.cls)) return undefined; // JSON IPC (the default) calls its toJSON
  const name = v.cls.name ? `\`${v.cls.name.text}\`` : 'the class';
  const how = sink.channel === 'clone' ? 'structured clone' : sink.serialization === 'json' ? 'JSON IPC' : 'IPC (JSON or `advanced`)';
  const recreate = v.cls.name ? `re-create a \`${v.cls.name.text}\` from it in the receiver` : 're-create the object from it in the receiver';
  return `Methods lost: \`${what}\` arrives as a plain object, without ${name}'s prototype. `
    + `${sink.via} sends its own fields only (${how}): its ${listed(lost)} ${lost.length === 1 ? 'does' : 'do'} not travel, and \`instanceof\` is false in the receiver. Send the data and ${recreate}.`;
}

function kindMessage(sink: Sink, what: string, kind: Kind): string {
  const subject = `\`${what}\`, ${kind.noun}`;
  const inert = 'Structured clone throws a `DataCloneError` once it has listeners, and otherwise copies only its internal fields.';
  if (sink.channel === 'clone') {
    return kind.clone === 'throws'
      ? `Nothing is sent: \`${what}\` is ${kind.noun}, which cannot be cloned. ${sink.via} throws a \`DataCloneError\`. ${kind.instead}`
      : `Cannot travel: \`${what}\` is ${kind.noun}, which throws or arrives inert. ${sink.via}: ${inert} ${kind.instead}`;
  }
  const advanced = kind.clone === 'throws'
    ? 'With `serialization: \'advanced\'` the channel uses structured clone, and `send()` throws (`… could not be cloned`).'
    : 'With `serialization: \'advanced\'` the channel uses structured clone, and `send()` throws once it has listeners.';
  const json = 'The child-process channel sends JSON unless the child was forked with `serialization: \'advanced\'`.';
  if (sink.serialization === 'advanced') return `Cannot travel: \`${what}\` is ${kind.noun}, on which advanced IPC ${kind.clone === 'throws' ? 'throws' : 'throws or copies it inert'}. ${sink.via}: ${advanced} ${kind.instead}`;
  if (sink.serialization === 'json') return `The receiver never gets \`${what}\`: JSON IPC ${kind.json}. ${sink.via} sends ${subject}. ${json} ${kind.instead}`;
  return `The receiver never gets \`${what}\`, ${kind.noun}: JSON or advanced IPC. ${sink.via}: JSON IPC ${kind.json}, advanced IPC throws. ${json} ${advanced} ${kind.instead}`;
}

function message(model: JsModel, sink: Sink, c: Carried): string | undefined {
  const what = pathText(model, sink.arg, c.path, sink.root);
  const v = c.value;
  if (c.isKey) {
    if (v.t !== 'symbol') return undefined;
    const how = sink.channel === 'clone' ? 'structured clone' : 'IPC (JSON and `advanced` alike)';
    return `\`${what}\` is silently lost: ${how} skips properties keyed by a Symbol. ${sink.via} sends the rest. Use a string key for data the receiver needs.`;
  }
  if (v.t === 'classInstance') return classMessage(model, sink, what, v);
  const kind = v.t === 'symbol' ? KINDS.symbol : v.t === 'instance' ? KINDS[v.of] : undefined;
  return kind && kindMessage(sink, what, kind);
}

function madeAt(v: JsValue): ts.Node | undefined {
  return v.t === 'symbol' || v.t === 'instance' || v.t === 'classInstance' ? v.node : undefined;
}

function check({ model, report }: JsRuleContext): void {
  for (const sink of messageSinks(model)) {
    const seen = new Set<string>();
    for (const c of carriedValues(model, sink.arg)) {
      const text = message(model, sink, c);
      if (!text || seen.has(text)) continue;
      seen.add(text);
      const at = madeAt(c.value);
      const related: RelatedLocation[] = !at || (at.pos >= sink.arg.pos && at.end <= sink.arg.end) ? [] : [{ range: model.range(at), message: 'the value is made here' }];
      report({ message: text, range: model.range(sink.arg), related });
    }
  }
}

export const rule: JsRule = { id: ID, check };
