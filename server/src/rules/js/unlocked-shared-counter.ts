/**
 * ## JavaScript and TypeScript
 * In JavaScript and TypeScript files the rule checks read-modify-writes of a typed-array element
 * — `counts[i]++`, `--`, `+=`, `-=`, `|=`, `&=`, `^=` (and the other compound assignments),
 * `counts[i] = counts[i] + n`, `Atomics.store(counts, i, Atomics.load(counts, i) + n)` — outside
 * `Atomics` read-modify-write functions, when another thread can reach the array:
 * it is a view (`new Int32Array(sab)`, `new Int32Array(sab, offset, n)`; in a variable, a
 * parameter of a same-file function, an object literal or a class field) of a
 * `new SharedArrayBuffer(…)` that the file sends to another thread (in a `workerData` option,
 * `postMessage`, Piscina's `run` or workerpool's `exec`), or it came from another thread
 * (`workerData`, the argument of a `message` listener, `receiveMessageOnPort`). A value from
 * another thread counts when it is known to be a typed array — a view made over it, a TypeScript
 * type (`workerData as { hits: Int32Array }`), or what this file sends to itself with
 * `new Worker(__filename, { workerData })` — and the file names `SharedArrayBuffer`, or when
 * the file passes the same array to an `Atomics` function; otherwise it may be a plain array,
 * which a message copies. A
 * `SharedArrayBuffer` that is never sent is not reported: one thread cannot lose its own updates
 * (a module-level buffer in a file that starts `new Worker(__filename)` is a new buffer in each
 * thread). Updates after a recognised lock are not reported: a statement with
 * `Atomics.compareExchange` or `Atomics.wait`, or a call of a function that uses them or is named
 * `lock`/`acquire…`, up to one with `Atomics.store`/`Atomics.notify` or a call named
 * `unlock`/`release…`.
 *
 * `counts[i]++` is a read, an addition and a write. Two threads can read the same value and both
 * write back their own result, so one update is lost, without any error. Two worker threads,
 * started together, each running `counts[0]++` a million times on one shared `Int32Array`: in
 * 15 of 30 runs (Node 20 and Node 24, 15 each) the total fell short of 2,000,000, down to
 * 1,000,000 — a whole thread's work; with `Atomics.add(counts, 0, 1)` all 20 runs reached
 * 2,000,000. `Atomics` works only on integer typed arrays: on a `Float32Array`,
 * `Float64Array` or `Uint8ClampedArray` it throws a TypeError, so there the update needs an
 * integer array (fixed point) or a lock built on `Atomics.wait` and `Atomics.notify`.
 *
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * const counts = new Int32Array(new SharedArrayBuffer(4));
 * new Worker('./count.js', { workerData: counts });
 * for (const file of files) counts[0]++;
 * ```
 *
 * Use instead:
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * const counts = new Int32Array(new SharedArrayBuffer(4));
 * new Worker('./count.js', { workerData: counts });
 * for (const file of files) Atomics.add(counts, 0, 1);
 * ```
 *
 * The quick fix, offered on integer typed arrays, rewrites the update as `Atomics.add`, `sub`,
 * `or`, `and` or `xor` (with `1n` on `BigInt64Array` and `BigUint64Array`). `Atomics` returns
 * the old value: where the update's value is used, a prefix or compound update becomes
 * `(Atomics.add(a, i, n) + n)` when `n` is a literal, and is not fixed otherwise. Two
 * differences remain: `Atomics` throws a RangeError on an index outside the array (where the
 * plain update did nothing), and truncates a fractional operand before adding (where `+=`
 * truncates the sum).
 */
import { ts } from 'ts-morph';
import type { JsModel } from '../../engine-js/model';
import type { JsRule, JsRuleContext } from '../../engine-js/rule';
import { INTEGER_ARRAYS, NON_ATOMIC_ARRAYS, SharedMemory, type SharedView } from '../../engine-js/sharedMemory';
import { unwrap } from '../../engine-js/values';
import type { Report } from '../../engine/rule';
import type { Fix } from '../../engine/types';

const ID = 'unlocked-shared-counter';

type AtomicOp = 'add' | 'sub' | 'or' | 'and' | 'xor';

/** One read-modify-write of a typed-array element. */
interface Update {
  node: ts.Expression;
  /** The array and index of the element: `counts` and `i` in `counts[i]`. */
  array: ts.Expression;
  index: ts.Expression;
  /** How it reads in the message: `counts[0]++`, `counts[i] += …`. */
  label: string;
  op: AtomicOp | undefined;
  /** The operand; undefined for `++` and `--` (one). */
  operand: ts.Expression | undefined;
  /** `++x[i]` and compound assignments evaluate to the new value, `x[i]++` to the old one. */
  yieldsNew: boolean;
}

const K = ts.SyntaxKind;
const COMPOUND: ReadonlyMap<ts.SyntaxKind, AtomicOp | undefined> = new Map<ts.SyntaxKind, AtomicOp | undefined>([
  [K.PlusEqualsToken, 'add'], [K.MinusEqualsToken, 'sub'], [K.BarEqualsToken, 'or'], [K.AmpersandEqualsToken, 'and'], [K.CaretEqualsToken, 'xor'],
  [K.AsteriskEqualsToken, undefined], [K.SlashEqualsToken, undefined], [K.PercentEqualsToken, undefined], [K.AsteriskAsteriskEqualsToken, undefined],
  [K.LessThanLessThanEqualsToken, undefined], [K.GreaterThanGreaterThanEqualsToken, undefined], [K.GreaterThanGreaterThanGreaterThanEqualsToken, undefined],
]);
/** `x[i] = x[i] <op> v`; the commutative ones also as `v <op> x[i]`. */
const BINARY: ReadonlyMap<ts.SyntaxKind, { op: AtomicOp; commutes: boolean; text: string }> = new Map([
  [K.PlusToken, { op: 'add' as const, commutes: true, text: '+' }], [K.MinusToken, { op: 'sub' as const, commutes: false, text: '-' }],
  [K.BarToken, { op: 'or' as const, commutes: true, text: '|' }], [K.AmpersandToken, { op: 'and' as const, commutes: true, text: '&' }], [K.CaretToken, { op: 'xor' as const, commutes: true, text: '^' }],
]);
const OP_TEXT: Record<AtomicOp, string> = { add: '+', sub: '-', or: '|', and: '&', xor: '^' };

function updateAt(model: JsModel, n: ts.Node): Update | undefined {
  if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === K.PlusPlusToken || n.operator === K.MinusMinusToken)) {
    const element = unwrap(n.operand);
    if (!ts.isElementAccessExpression(element)) return undefined;
    const text = n.operator === K.PlusPlusToken ? '++' : '--';
    const label = ts.isPrefixUnaryExpression(n) ? `${text}${model.nodeText(element)}` : `${model.nodeText(element)}${text}`;
    return { node: n, ...parts(element), label, op: text === '++' ? 'add' : 'sub', operand: undefined, yieldsNew: ts.isPrefixUnaryExpression(n) };
  }
  if (atomicsCall(model, n) === 'store') return storeOfLoad(model, n as ts.CallExpression);
  if (!ts.isBinaryExpression(n)) return undefined;
  const element = unwrap(n.left);
  if (!ts.isElementAccessExpression(element)) return undefined;
  const kind = n.operatorToken.kind;
  if (COMPOUND.has(kind)) {
    return { node: n, ...parts(element), label: `${model.nodeText(element)} ${n.operatorToken.getText(model.sourceFile)} …`, op: COMPOUND.get(kind), operand: n.right, yieldsNew: true };
  }
  if (kind !== K.EqualsToken) return undefined;
  const right = unwrap(n.right);
  if (!ts.isBinaryExpression(right)) return undefined;
  const binary = BINARY.get(right.operatorToken.kind);
  if (!binary) return undefined;
  const same = (e: ts.Node): boolean => model.nodeText(unwrap(e)) === model.nodeText(element);
  const operand = same(right.left) ? right.right : binary.commutes && same(right.right) ? right.left : undefined;
  if (!operand) return undefined;
  return { node: n, ...parts(element), label: `${model.nodeText(element)} = ${model.nodeText(element)} ${binary.text} …`, op: binary.op, operand, yieldsNew: true };
}

function parts(element: ts.ElementAccessExpression): { array: ts.Expression; index: ts.Expression } {
  return { array: element.expression, index: element.argumentExpression };
}

/** `Atomics.store(a, i, Atomics.load(a, i) + n)`: each step is atomic, the pair is not. */
function storeOfLoad(model: JsModel, call: ts.CallExpression): Update | undefined {
  const [array, index, value] = call.arguments;
  const right = value && unwrap(value);
  if (!array || !index || !right || !ts.isBinaryExpression(right)) return undefined;
  const binary = BINARY.get(right.operatorToken.kind);
  if (!binary) return undefined;
  const text = (e: ts.Node): string => model.nodeText(unwrap(e));
  const isLoad = (e: ts.Node): boolean => {
    const load = unwrap(e);
    return atomicsCall(model, load) === 'load' && (load as ts.CallExpression).arguments.length === 2
      && text((load as ts.CallExpression).arguments[0]!) === text(array) && text((load as ts.CallExpression).arguments[1]!) === text(index);
  };
  const operand = isLoad(right.left) ? right.right : binary.commutes && isLoad(right.right) ? right.left : undefined;
  if (!operand) return undefined;
  return { node: call, array, index, label: `Atomics.store(…, Atomics.load(…) ${binary.text} …)`, op: binary.op, operand, yieldsNew: true };
}

/** `Atomics.<name>(…)` with the global `Atomics`. */
function atomicsCall(model: JsModel, n: ts.Node): string | undefined {
  if (!ts.isCallExpression(n)) return undefined;
  const callee = unwrap(n.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const obj = unwrap(callee.expression);
  return ts.isIdentifier(obj) && obj.text === 'Atomics' && !model.declarationOf(obj) ? callee.name.text : undefined;
}

const ACQUIRES = new Set(['compareExchange', 'wait', 'waitAsync']);
const RELEASES = new Set(['store', 'notify']);

/** What a statement does to a lock: takes it, gives it back, or neither. */
function lockStep(model: JsModel, stmt: ts.Node): 'acquire' | 'release' | undefined {
  let step: 'acquire' | 'release' | undefined;
  const visit = (n: ts.Node): void => {
    if (step === 'acquire' || ts.isFunctionLike(n)) return;
    const atomic = atomicsCall(model, n);
    if (atomic && ACQUIRES.has(atomic)) step = 'acquire';
    else if (atomic && RELEASES.has(atomic)) step = 'release';
    else if (ts.isCallExpression(n)) {
      const named = calleeStep(model, n);
      if (named) step = named;
    }
    ts.forEachChild(n, visit);
  };
  visit(stmt);
  return step;
}

/** A call of `lock()`/`mutex.acquire()`, `unlock()`/`release()`, or of a same-file function that waits on `Atomics`. */
function calleeStep(model: JsModel, call: ts.CallExpression): 'acquire' | 'release' | undefined {
  const callee = unwrap(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (/^(unlock|release)/i.test(name)) return 'release';
  if (/^(lock|acquire)/i.test(name)) return 'acquire';
  if (!ts.isIdentifier(callee)) return undefined;
  const fn = model.eval(callee).find((v) => v.t === 'callable');
  if (fn?.t !== 'callable') return undefined;
  let step: 'acquire' | 'release' | undefined;
  const visit = (n: ts.Node): void => {
    const atomic = atomicsCall(model, n);
    if (atomic && ACQUIRES.has(atomic)) step = 'acquire';
    else if (atomic && RELEASES.has(atomic) && !step) step = 'release';
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.node, visit);
  return step;
}

/** Whether a recognised lock is held at `node`: taken earlier in an enclosing block and not given back, or a try-lock `if`. */
function lockHeld(model: JsModel, node: ts.Node): boolean {
  for (let child: ts.Node = node, n = node.parent; n && !ts.isFunctionLike(n); child = n, n = n.parent) {
    if (ts.isIfStatement(n) && child !== n.expression && lockStep(model, n.expression) === 'acquire') return true;
    if (!(ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n))) continue;
    let held = false;
    for (const stmt of n.statements) {
      if (stmt === child) break;
      const step = lockStep(model, stmt);
      if (step) held = step === 'acquire';
    }
    if (held) return true;
  }
  return false;
}

/** Whether the array is known to be shared: the file names SharedArrayBuffer, or passes the same array to `Atomics`. */
function evidence(model: JsModel, u: Update, view: SharedView, atomicsTargets: readonly ts.Expression[]): boolean {
  if (view.origin.kind === 'sent') return true;
  if (view.ctor && /\bSharedArrayBuffer\b/.test(model.text)) return true;
  const array = unwrap(u.array);
  const decl = ts.isIdentifier(array) ? model.declarationOf(array) : undefined;
  return atomicsTargets.some((t) => model.nodeText(t) === model.nodeText(array) || (decl !== undefined && ts.isIdentifier(t) && model.declarationOf(t) === decl));
}

// Shared memory is known only from a SharedArrayBuffer this file creates or names (a type, a
// check), or from an Atomics call on a received array: a file mentioning neither has no finding,
// and is not walked on every keystroke.
const SHARED_MEMORY_WORDS = /SharedArrayBuffer|Atomics/;

function check({ model, report }: JsRuleContext): void {
  if (!SHARED_MEMORY_WORDS.test(model.sourceFile.text)) return;
  const updates: Update[] = [];
  const atomicsTargets: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    const u = updateAt(model, n);
    if (u) updates.push(u);
    if (atomicsCall(model, n) && (n as ts.CallExpression).arguments[0]) atomicsTargets.push(unwrap((n as ts.CallExpression).arguments[0]!) as ts.Expression);
    ts.forEachChild(n, visit);
  };
  visit(model.sourceFile);
  if (updates.length === 0) return;
  const memory = new SharedMemory(model);
  for (const u of updates) {
    const view = memory.viewOf(u.array);
    if (!view || !evidence(model, u, view, atomicsTargets) || lockHeld(model, u.node)) continue;
    report(describe(model, u, view));
  }
}

function describe(model: JsModel, u: Update, view: SharedView): Report {
  const array = model.nodeText(u.array);
  const line = (n: ts.Node): number => model.range(n).start.line + 1;
  const origin = view.origin.kind === 'sent' ? `a SharedArrayBuffer view sent on line ${line(view.origin.site)}` : `shared memory from ${view.origin.from}`;
  // The array's name alone in the first sentence keeps it whole in the Problems panel.
  const named = array.length <= 40 ? `\`${array}\`` : 'this array';
  const first = `Lost updates: ${named} is shared memory, changed here without Atomics. \`${u.label}\` is not atomic, and \`${array}\` is ${origin}.`;
  const race = 'Two threads can read the same value and both write back their own result, so one update is lost.';
  const fix = fixFor(model, u, view);
  let advice: string;
  if (view.ctor && NON_ATOMIC_ARRAYS.has(view.ctor)) advice = `Atomics throws a TypeError on a ${view.ctor}: use an integer typed array (fixed point), or a lock built on Atomics.wait and Atomics.notify.`;
  else if (!u.op) advice = 'Atomics has no such operation: hold a lock built on Atomics.wait and Atomics.notify, or loop on Atomics.compareExchange.';
  else advice = `Use \`${fix && fix.call.length <= 60 ? fix.call : `Atomics.${u.op}(${array}, …)`}\`, which reads and writes as one step.`;
  const related = view.origin.kind === 'sent'
    ? [{ range: model.range(view.origin.sab), message: 'the SharedArrayBuffer is created here' }, { range: model.range(view.origin.site), message: 'and sent to another thread here' }]
    : [{ range: model.range(view.origin.at), message: 'received from another thread here' }];
  return { message: `${first} ${race} ${advice}`, range: model.range(u.node), related, fixes: fix ? [fix.fix] : [] };
}

/** Expressions that read the same on a second evaluation: names, literals, member reads of them, arithmetic. */
function isPure(n: ts.Node): boolean {
  const e = unwrap(n);
  if (ts.isIdentifier(e) || ts.isNumericLiteral(e) || ts.isStringLiteral(e) || ts.isBigIntLiteral(e) || e.kind === K.ThisKeyword) return true;
  if (ts.isPropertyAccessExpression(e)) return isPure(e.expression);
  if (ts.isElementAccessExpression(e)) return isPure(e.expression) && isPure(e.argumentExpression);
  if (ts.isBinaryExpression(e)) return BINARY.has(e.operatorToken.kind) || e.operatorToken.kind === K.AsteriskToken ? isPure(e.left) && isPure(e.right) : false;
  if (ts.isPrefixUnaryExpression(e)) return e.operator === K.MinusToken && isPure(e.operand);
  return false;
}

function isLiteral(n: ts.Node): boolean {
  const e = unwrap(n);
  return ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || (ts.isPrefixUnaryExpression(e) && e.operator === K.MinusToken && isLiteral(e.operand));
}

/** Whether the update's value is thrown away: an expression statement, a `for` step, `void`. */
function valueUnused(node: ts.Node): boolean {
  let n = node;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isExpressionStatement(p) || ts.isVoidExpression(p)) return true;
  if (ts.isForStatement(p) && p.incrementor === n) return true;
  return ts.isBinaryExpression(p) && p.operatorToken.kind === K.CommaToken && (p.left === n || valueUnused(p));
}

/** Where `(…)` around a replacement is not needed: the update already is an operand of nothing. */
function standsAlone(node: ts.Node): boolean {
  const p = node.parent;
  return ts.isParenthesizedExpression(p) || (ts.isVariableDeclaration(p) && p.initializer === node) || ts.isReturnStatement(p) || ts.isExpressionStatement(p)
    || ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.includes(node as ts.Expression) === true) || ts.isArrayLiteralExpression(p) || (ts.isPropertyAssignment(p) && p.initializer === node);
}

/** The `Atomics` call that replaces the update, and the fix that writes it. */
function fixFor(model: JsModel, u: Update, view: SharedView): { call: string; fix: Fix } | undefined {
  if (!u.op || model.hasSyntaxErrors) return undefined;
  if (view.ctor ? !INTEGER_ARRAYS.has(view.ctor) : !u.operand) return undefined; // `++` on an array of unknown type: 1 or 1n?
  // `a[i] = a[i] + n` and `Atomics.store(a, i, Atomics.load(a, i) + n)` evaluate `a` and `i` twice, the fix once.
  const twice = ts.isCallExpression(u.node) || (ts.isBinaryExpression(u.node) && u.node.operatorToken.kind === K.EqualsToken);
  if (twice && (!isPure(u.array) || !isPure(u.index))) return undefined;
  const one = view.ctor?.startsWith('Big') ? '1n' : '1';
  const operand = u.operand ? model.nodeText(u.operand) : one; // as written: `unwrap` would drop an `await`
  const array = ts.isParenthesizedExpression(u.array) ? u.array.expression : u.array;
  const call = `Atomics.${u.op}(${model.nodeText(array)}, ${model.nodeText(u.index)}, ${operand})`;
  let text = call;
  if (u.yieldsNew && !valueUnused(u.node)) {
    if (u.operand && !isLiteral(u.operand)) return undefined;
    text = `${call} ${OP_TEXT[u.op]} ${operand}`;
    if (!standsAlone(u.node)) text = `(${text})`;
  }
  return { call, fix: { title: `Update \`${model.nodeText(u.array)}[${model.nodeText(u.index)}]\` with \`Atomics.${u.op}\``, edits: [{ range: model.range(u.node), newText: text }], isPreferred: true } };
}

export const rule: JsRule = { id: ID, check };
