/**
 * ## What it does
 * Checks for read-modify-writes (`+=`, `x.value = x.value + 1`, `d[k] = d.get(k, 0) + 1`) of
 * shared state in code that runs in workers, without holding a lock:
 * a `multiprocessing.Value`/`Array` (or `RawValue`/`RawArray`), a Manager proxy (`Value`, `dict`,
 * `list`, `Namespace`) reaching a pool task or `Process` target, or a module global updated in a
 * thread target or thread-pool task.
 *
 * Recognised locks: `with lock:`, `with v.get_lock():`, and `lock.acquire()` followed by the
 * update (typically in `try:`/`finally: lock.release()`; code after the `finally` is unlocked
 * again). `with threading.Lock():` (a new lock per call) and `v.get_lock()` on a Manager proxy
 * (no such method) protect nothing and are reported as such.
 *
 * Not flagged: an object written by a single `Process` (not started in a loop) and by no other
 * worker function, since one writer loses nothing; and `arr[i] += ...` where every worker gets
 * its own `i` from `range` (`pool.map(f, range(n))`, a `Process` per `for i in range(n)`).
 *
 * ## Why is this bad?
 * `counter.value += 1` is a read, an addition and a write. Two workers can read the same value and
 * both write back value + 1, so one update is lost; the final count is silently wrong, and more so
 * the more workers there are. A synchronized `Value` or `Array` only locks each single read and
 * write, not the pair; `RawValue`, `RawArray` and objects created with `lock=False` have no lock
 * at all. Manager proxies make the read and the write two separate calls to the manager process.
 * Threads race on globals the same way: the GIL does not make `+=` atomic. CPython 3.8 and 3.9
 * lose updates even on a plain `counter += 1`; later versions switch threads less often, but
 * still lose them when the update calls a function (`d[k] = d.get(k, 0) + 1`), and nothing
 * promises that they will not.
 *
 * ## Example
 * ```python
 * from multiprocessing import Pool, Value
 *
 * def init(v):
 *     global counter
 *     counter = v
 *
 * def work(x):
 *     counter.value += 1
 *
 * if __name__ == "__main__":
 *     counter = Value("i", 0)
 *     with Pool(initializer=init, initargs=(counter,)) as pool:
 *         pool.map(work, range(1000))
 * ```
 *
 * Use instead:
 * ```python
 * from multiprocessing import Pool, Value
 *
 * def init(v):
 *     global counter
 *     counter = v
 *
 * def work(x):
 *     with counter.get_lock():
 *         counter.value += 1
 *
 * if __name__ == "__main__":
 *     counter = Value("i", 0)
 *     with Pool(initializer=init, initargs=(counter,)) as pool:
 *         pool.map(work, range(1000))
 * ```
 *
 * ## References
 * - [Python docs: sharing state between processes](https://docs.python.org/3/library/multiprocessing.html#sharing-state-between-processes)
 * - [Python docs: `multiprocessing.Value` (the `+=` note)](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Value)
 * - [Python docs: managers](https://docs.python.org/3/library/multiprocessing.html#managers)
 */
import type { Node } from 'web-tree-sitter';
import { ownsItsLines } from '../engine/fixes';
import { argumentNodes, type Model, type Value } from '../engine/model';
import { canonical } from '../engine/names';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { contains } from '../engine/references';
import { unparen } from '../engine/scopes';
import { indentOf, indentUnit, nodeRange } from '../engine/text';
import type { Fix } from '../engine/types';
import { RULE_DOCS } from './docs.generated';

const ID = 'unlocked-shared-counter';
const LOCK_NAME = /(lock|mutex|mtx|cond|condition|guard)\w*$/i;

interface WorkerInfo {
  process: boolean;
  thread: boolean;
  /** How many processes may run it at once: 1 for a single `Process`, 2 meaning "several". */
  instances: number;
}

/** Functions that run in workers: task targets and what they call in this file. */
function workerFunctions(model: Model): Map<number, { def: Node; info: WorkerInfo }> {
  const workers = new Map<number, { def: Node; info: WorkerInfo }>();
  const queue: Node[] = [];
  const mark = (def: Node, info: WorkerInfo): void => {
    const existing = workers.get(def.id);
    if (existing) {
      const before = `${existing.info.process}${existing.info.thread}${existing.info.instances}`;
      existing.info.process ||= info.process;
      existing.info.thread ||= info.thread;
      existing.info.instances = Math.min(2, existing.info.instances + info.instances);
      if (before !== `${existing.info.process}${existing.info.thread}${existing.info.instances}`) queue.push(def);
      return;
    }
    workers.set(def.id, { def, info: { ...info } });
    queue.push(def);
  };
  for (const task of model.tasks()) {
    const kind = task.executor.kind;
    if (singleWorker(task.executor.node)) continue; // one worker cannot race with itself
    const single = kind === 'process' && task.role === 'target' && !repeated(task.site);
    const info = { process: kind === 'processPool' || kind === 'process' || kind === 'cluster' || kind === 'parallel' || kind === 'processGroup', thread: kind === 'threadPool' || kind === 'thread', instances: single ? 1 : 2 };
    for (const target of model.taskTargets(task)) mark(target.def, info);
  }
  // `class Worker(threading.Thread): def run(self): ...` runs in its thread (or process).
  for (const { run, kind } of model.workerClasses()) mark(run, { process: kind === 'process', thread: kind === 'thread', instances: 2 });
  // Same-file functions each worker function calls in its own body (not in nested functions).
  const callees = (def: Node): Node[] => {
    const body = def.type === 'lambda' ? def : def.childForFieldName('body');
    if (!body) return [];
    return model.directCallSitesWithin(body, (call) => model.enclosingDef(call, true)?.id === def.id)
      .flatMap((site) => (site.callee.t === 'func' || site.callee.t === 'method' ? [site.callee.def] : []));
  };
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const def = queue.shift()!;
    const info = workers.get(def.id)!.info;
    for (const callee of callees(def)) mark(callee, info);
  }
  return workers;
}

const REPEATING = new Set(['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** Whether a creation runs more than once: in a loop or a comprehension of its function. */
function repeated(site: Node): boolean {
  for (let cur = site.parent; cur && cur.type !== 'function_definition' && cur.type !== 'module'; cur = cur.parent) {
    if (REPEATING.has(cur.type)) return true;
  }
  return false;
}

/** `Pool(1)`, `Pool(processes=1)`, `ProcessPoolExecutor(max_workers=1)`. */
function singleWorker(creation: Node): boolean {
  if (creation.type !== 'call') return false;
  const args = argumentNodes(creation);
  const count = args.keywords.get('processes') ?? args.keywords.get('max_workers') ?? args.positional[0];
  return count?.type === 'integer' && count.text === '1';
}

type SharedKind = 'value' | 'array' | 'raw' | 'proxy' | 'global';

interface Shared {
  kind: SharedKind;
  label: string;
  /** The same, without user names, for the message's head. */
  short: string;
  /** The expression holding the shared object (`counter` in `counter.value`). */
  holder: Node;
  created?: Node;
}

function sharedTarget(model: Model, target: Node, def: Node, info: WorkerInfo): Shared | undefined {
  const t = unparen(target);
  if (t.type === 'attribute' || t.type === 'subscript') {
    const holder = t.type === 'attribute' ? t.childForFieldName('object') : t.childForFieldName('value');
    const attr = t.type === 'attribute' ? t.childForFieldName('attribute')?.text : undefined;
    if (!holder) return undefined;
    for (const v of model.eval(holder)) {
      const shared = sharedObject(v, t.type, attr, holder);
      if (shared) return shared;
    }
    // A module-level dict or list updated by threads.
    if (t.type === 'subscript' && info.thread && holder.type === 'identifier') {
      const bindings = model.lookup(holder);
      if (bindings && bindings.length > 0 && bindings.every((b) => model.scopes.scopeOf(b.node).kind === 'module' && b.k === 'value' && isContainer(model, b.value))) {
        return { kind: 'global', label: `the module-level container \`${holder.text}\``, short: 'a module-level container', holder };
      }
    }
    return undefined;
  }
  if (t.type === 'identifier' && info.thread) {
    const scope = model.scopes.scopeFor(def);
    if (scope.globals.has(t.text)) return { kind: 'global', label: `the module global \`${t.text}\``, short: 'a module global', holder: t };
  }
  return undefined;
}

function isContainer(model: Model, value: Node): boolean {
  const v = unparen(value);
  if (['dictionary', 'list', 'dictionary_comprehension', 'list_comprehension'].includes(v.type)) return true;
  if (v.type !== 'call') return false;
  const fn = v.childForFieldName('function');
  return !!fn && /^(dict|list|(collections\.)?(defaultdict|Counter|OrderedDict))$/.test(model.text(fn));
}

function sharedObject(v: Value, access: string, attr: string | undefined, holder: Node): Shared | undefined {
  if (v.t !== 'obj') return undefined;
  const short = canonical(v.qname).slice(canonical(v.qname).lastIndexOf('.') + 1);
  if (access === 'attribute') {
    if (attr === 'value' && v.kind === 'value') return { kind: v.noLock ? 'raw' : 'value', label: `a shared \`Value\`${v.noLock ? ' created with `lock=False`' : ''}`, short: `a shared \`Value\`${v.noLock ? ' (`lock=False`)' : ''}`, holder, created: v.node };
    if (attr === 'value' && v.kind === 'rawValue') return { kind: 'raw', label: 'a shared `RawValue`', short: 'a shared `RawValue`', holder, created: v.node };
    if (attr === 'value' && v.kind === 'proxyValue') return { kind: 'proxy', label: 'a Manager `Value` proxy', short: 'a Manager `Value` proxy', holder, created: v.node };
    if (v.kind === 'proxyNamespace') return { kind: 'proxy', label: 'a Manager `Namespace` proxy', short: 'a Manager `Namespace` proxy', holder, created: v.node };
    return undefined;
  }
  switch (v.kind) {
    case 'array': return { kind: v.noLock ? 'raw' : 'array', label: `a shared \`Array\` element${v.noLock ? ' (created with `lock=False`)' : ''}`, short: `a shared \`Array\` element${v.noLock ? ' (`lock=False`)' : ''}`, holder, created: v.node };
    case 'rawArray': return { kind: 'raw', label: 'a shared `RawArray` element', short: 'a shared `RawArray` element', holder, created: v.node };
    case 'proxyDict': case 'proxyList': case 'proxyArray':
      return { kind: 'proxy', label: `a Manager \`${short}\` proxy`, short: `a Manager \`${short}\` proxy`, holder, created: v.node };
    default: return undefined;
  }
}

/** Whether the right side of `target = right` reads the target (a read-modify-write). */
function readsTarget(model: Model, target: Node, right: Node): boolean {
  const t = unparen(target);
  const wanted = model.text(t).replace(/\s+/g, '');
  const holder = t.type === 'subscript' ? t.childForFieldName('value') : undefined;
  const holderText = holder ? model.text(holder).replace(/\s+/g, '') : undefined;
  for (const n of right.descendantsOfType(['identifier', 'attribute', 'subscript', 'call'])) {
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (holderText && fn?.type === 'attribute' && ['get', 'setdefault'].includes(fn.childForFieldName('attribute')?.text ?? '')) {
        const obj = fn.childForFieldName('object');
        if (obj && model.text(obj).replace(/\s+/g, '') === holderText) return true;
      }
      continue;
    }
    if (model.text(n).replace(/\s+/g, '') === wanted) return true;
  }
  return false;
}

/** `v.get_lock()` on a Manager proxy: proxies have no such method (AttributeError), so no lock. */
function proxyGetLock(model: Model, expr: Node): Node | undefined {
  const e = unparen(expr);
  if (e.type !== 'call') return undefined;
  const fn = e.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'get_lock') return undefined;
  const holder = fn.childForFieldName('object');
  return holder && model.eval(holder).some((v) => v.t === 'obj' && v.kind.startsWith('proxy')) ? e : undefined;
}

function isLockExpression(model: Model, expr: Node): boolean {
  const e = unparen(expr);
  if (proxyGetLock(model, e) || freshLock(model, e)) return false;
  if (e.type === 'call') {
    const fn = e.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get_lock') return true;
  }
  const values = model.eval(e);
  // `Semaphore(5)` lets five holders in at once: no mutual exclusion.
  if (values.some((v) => v.t === 'obj' && admitsSeveral(v))) return false;
  for (const v of values) {
    if (v.t === 'obj' && ['lock', 'proxyLock', 'value', 'array'].includes(v.kind)) return true;
  }
  const last = e.type === 'attribute' ? e.childForFieldName('attribute')?.text : e.type === 'identifier' ? e.text : e.type === 'call' ? model.text(e.childForFieldName('function') ?? e) : undefined;
  return !!last && LOCK_NAME.test(last);
}

/** Whether `stmt` runs while a lock is held within `def`. */
function lockHeld(model: Model, stmt: Node, def: Node): boolean {
  let prev = stmt;
  for (let cur = stmt.parent; cur && cur.id !== def.id; prev = cur, cur = cur.parent) {
    if (cur.type === 'with_statement') {
      for (const item of withItems(cur)) {
        const value = item.childForFieldName('value');
        const expr = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
        if (expr && isLockExpression(model, expr)) return true;
      }
    }
    if (cur.type === 'if_statement' || cur.type === 'while_statement') {
      const condition = cur.childForFieldName('condition');
      if (condition && /\.acquire\s*\(/.test(model.text(condition)) && prev.id !== condition.id) return true;
    }
    if (cur.type === 'block' || cur.type === 'module') {
      // `lock.acquire()` earlier in the same block, not released before this statement.
      let held = false;
      for (const sibling of cur.namedChildren) {
        if (sibling.id === prev.id) break;
        const text = model.text(sibling);
        if (sibling.type === 'expression_statement' && /\.acquire\s*\(/.test(text)) held = true;
        else if (sibling.type === 'expression_statement' && /\.release\s*\(/.test(text)) held = false;
        // `try: ... finally: lock.release()` ends the locked region too.
        else if (held && sibling.type === 'try_statement' && releasedInFinally(model, sibling)) held = false;
      }
      if (held) return true;
    }
  }
  return false;
}

function releasedInFinally(model: Model, tryStmt: Node): boolean {
  const fin = tryStmt.namedChildren.find((c) => c.type === 'finally_clause');
  return !!fin && /\.release\s*\(/.test(model.text(fin));
}

/** A semaphore created with a count other than 1 (or one we cannot read). */
function admitsSeveral(v: Extract<Value, { t: 'obj' }>): boolean {
  if (!/Semaphore$/.test(v.qname) || v.node.type !== 'call') return false;
  const count = argumentNodes(v.node).positional[0] ?? argumentNodes(v.node).keywords.get('value');
  return !!count && count.text !== '1';
}

/** `with threading.Lock():` creates a lock on the spot: every caller gets its own, nobody waits. */
function freshLock(model: Model, e: Node): boolean {
  return e.type === 'call' && model.eval(e).some((v) => v.t === 'obj' && (v.kind === 'lock' || v.kind === 'proxyLock') && v.node.id === e.id);
}

/** A `with` around `stmt` that looks like a lock and is not: `v.get_lock()` on a Manager proxy,
 * or a lock created on the spot. */
function uselessLockAround(model: Model, stmt: Node, def: Node): { node: Node; fresh: boolean } | undefined {
  for (let cur = stmt.parent; cur && cur.id !== def.id; cur = cur.parent) {
    if (cur.type !== 'with_statement') continue;
    for (const item of withItems(cur)) {
      const value = item.childForFieldName('value');
      const expr = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
      if (!expr) continue;
      const proxy = proxyGetLock(model, expr);
      if (proxy) return { node: proxy, fresh: false };
      if (freshLock(model, unparen(expr))) return { node: unparen(expr), fresh: true };
    }
  }
  return undefined;
}

const MAP_METHODS = new Set(['map', 'imap', 'imap_unordered', 'map_async']);

/**
 * `arr[i] += ...` where `i` is the worker's own parameter and every submission gives each worker
 * a different `i` (`pool.map(f, range(n))`, `Process(target=f, args=(arr, i))` in
 * `for i in range(n)`): each slot has a single writer, so no update can be lost.
 */
function ownSlot(model: Model, target: Node, def: Node): boolean {
  const t = unparen(target);
  const index = t.type === 'subscript' ? t.childForFieldName('subscript') : null;
  if (index?.type !== 'identifier') return false;
  const binding = model.lookup(index)?.[0];
  if (!binding || binding.k !== 'param' || binding.def.id !== def.id || binding.star !== '') return false;
  if (model.scopes.scopeFor(def).bindings.get(index.text)?.length !== 1) return false; // reassigned in the body
  let submissions = 0;
  for (const task of model.tasks()) {
    for (const tt of model.taskTargets(task)) {
      if (tt.def.id !== def.id) continue;
      submissions++;
      const pos = binding.index - tt.shift;
      if (tt.via) return false;
      if (task.role === 'task' && MAP_METHODS.has(task.method)) {
        if (pos !== 0 || !isRange(argumentNodes(task.site).positional[1])) return false;
      } else if (task.role === 'target' && task.executor.kind === 'process') {
        if (tt.packs.length === 0 || !tt.packs.every((p) => rangeLoopVariable(model, p.positional[pos]))) return false;
      } else {
        return false;
      }
    }
  }
  return submissions > 0;
}

function isRange(expr: Node | undefined): boolean {
  const e = expr ? unparen(expr) : undefined;
  return e?.type === 'call' && e.childForFieldName('function')?.text === 'range';
}

/** `i` bound by the `for i in range(...)` loop the submission sits in. */
function rangeLoopVariable(model: Model, arg: Node | undefined): boolean {
  if (arg?.type !== 'identifier') return false;
  const bindings = model.lookup(arg);
  if (!bindings || bindings.length !== 1 || bindings[0]!.k !== 'element' || !isRange(bindings[0]!.iter)) return false;
  // The loop, or the comprehension whose `for` clause binds it.
  const clause = bindings[0]!.node.parent;
  const loop = clause?.type === 'for_in_clause' ? clause.parent : clause;
  return !!loop && contains(loop, arg);
}

/** The items of a `with` statement (`with a, b:` and `with (a, b):`). */
function withItems(withStmt: Node): Node[] {
  const clause = withStmt.namedChildren.find((c) => c.type === 'with_clause');
  return clause ? clause.namedChildren.filter((c) => c.type === 'with_item') : [];
}

/** Whether every same-file call of `def` holds a lock around it. */
function callersHoldLock(model: Model, def: Node): boolean {
  const sites = model.callSitesOf(def);
  if (sites.length === 0) return false;
  return sites.every((site) => {
    const caller = model.enclosingDef(site.call);
    return !!caller && lockHeld(model, site.call, caller);
  });
}

function check({ model, report }: RuleContext): void {
  const workers = workerFunctions(model);
  if (workers.size === 0) return;
  const unit = indentUnit(model.lines);
  const candidates: { def: Node; info: WorkerInfo; shared: Shared; finding: Parameters<RuleContext['report']>[0] }[] = [];
  for (const { def, info } of workers.values()) {
    const body = def.childForFieldName('body');
    if (!body || def.type !== 'function_definition') continue;
    let callersLocked: boolean | undefined;
    const updates = [...model.index.within('augmented_assignment', body), ...model.index.within('assignment', body)];
    for (const node of updates) {
      const target = node.childForFieldName('left');
      // Only attributes and subscripts (and, in threads, globals) can name shared state.
      if (!target || (target.type === 'identifier' ? !info.thread : target.type !== 'attribute' && target.type !== 'subscript' && target.type !== 'parenthesized_expression')) continue;
      if (model.enclosingDef(node, true)?.id !== def.id) continue;
      const right = node.childForFieldName('right');
      if (!right) continue;
      if (node.type === 'assignment' && !readsTarget(model, target, right)) continue;
      const shared = sharedTarget(model, target, def, info);
      if (!shared) continue;
      if ((shared.kind === 'array' || shared.kind === 'raw') && ownSlot(model, target, def)) continue;
      const stmt = node.parent?.type === 'expression_statement' ? node.parent : node;
      if (lockHeld(model, stmt, def)) continue;
      callersLocked ??= callersHoldLock(model, def);
      if (callersLocked) continue;
      const badLock = uselessLockAround(model, stmt, def);
      const update = `\`${model.text(node).replace(/\s+/g, ' ')}\``;
      candidates.push({ def, info, shared, finding: {
        message: badLock?.fresh
          ? `Updates can be lost: the lock is created anew each time, so it excludes no other worker. \`with ${model.text(badLock.node)}:\` makes a new lock on every pass, and ${update} is a read-modify-write of ${shared.label}. Create one lock and share it with every worker${shared.kind === 'global' ? '' : ' (between processes, a `multiprocessing` or Manager lock)'}.`
          : badLock
            ? `Fails with AttributeError: Manager proxies have no \`get_lock()\`. \`${model.text(badLock.node)}\` raises before ${update} runs, and once that is fixed the update to ${shared.label} is still unlocked, so concurrent workers lose updates. Guard it with a lock from the same Manager (\`manager.Lock()\`) passed to the workers.`
            : messageFor(model, node, shared),
        range: nodeRange(target),
        related: shared.created && !(shared.created.startIndex >= def.startIndex && shared.created.endIndex <= def.endIndex)
          ? [{ range: nodeRange(shared.created), message: 'shared object created here' }] : [],
        fixes: lockFix(model, stmt, shared, unit),
      } });
    }
  }
  // A process-shared object updated by a single `Process` (its one writer) loses nothing, unless
  // another worker function updates the same object too.
  const writers = new Map<number, Set<number>>();
  for (const c of candidates) {
    if (!c.shared.created) continue;
    const set = writers.get(c.shared.created.id) ?? new Set<number>();
    set.add(c.def.id);
    writers.set(c.shared.created.id, set);
  }
  for (const c of candidates) {
    const soleWriter = c.info.instances === 1 && !c.info.thread && c.shared.kind !== 'global' && !!c.shared.created
      && writers.get(c.shared.created.id)?.size === 1;
    if (!soleWriter) report(c.finding);
  }
}

/**
 * Consequence first, in a head with no user names. Measured on CPython 3.8-3.13: processes lose
 * updates to a synchronized `Value`/`Array` (each read and write is locked, not the pair), to raw
 * shared memory and to Manager proxies (two calls to the manager). Threads lose updates to a
 * global on 3.8 and 3.9 even for `x += 1`, and on every version when the update calls a
 * function (`d[k] = d.get(k, 0) + 1`): the GIL promises no atomicity, hence "can".
 */
function messageFor(model: Model, node: Node, shared: Shared): string {
  let text = model.text(node).replace(/\s+/g, ' ');
  if (text.length > 60) text = `${text.slice(0, 57)}…`;
  const head = `Updates can be lost: ${shared.short} is read-modify-written without a lock.`;
  const update = `\`${text}\` reads ${shared.label} and writes it back`;
  switch (shared.kind) {
    case 'value': case 'array':
      return `${head} ${update}; its own lock guards each read and each write, not the pair, so two workers can read the same value and one update is lost. Hold \`${model.text(shared.holder)}.get_lock()\` around it.`;
    case 'raw':
      return `${head} ${update}, and it has no lock of its own (no \`get_lock()\`), so two workers can read the same value and one update is lost. Guard it with a \`multiprocessing.Lock()\` given to the workers when they start (\`initargs\`, or the \`Process\` args).`;
    case 'proxy':
      return `${head} ${update} in two separate calls to the manager process, and another worker's update can land between them and be lost. Guard it with a lock from the same Manager (\`manager.Lock()\`) passed to the workers; proxies have no \`get_lock()\`.`;
    case 'global':
      return `${head} ${update}; a thread switch between the read and the write loses the other thread's update, and the GIL does not make the pair atomic. Guard it with a \`threading.Lock()\`.`;
  }
}

/** `counter.value += 1` → `with counter.get_lock():` around it, for synchronized Value/Array only. */
function lockFix(model: Model, stmt: Node, shared: Shared, unit: string): Fix[] {
  if (shared.kind !== 'value' && shared.kind !== 'array') return [];
  const holder = unparen(shared.holder);
  if (holder.type !== 'identifier' && holder.type !== 'attribute') return [];
  if (stmt.startPosition.row !== stmt.endPosition.row || !ownsItsLines(model, stmt)) return [];
  const line = model.lines.line(stmt.startPosition.row);
  const indent = indentOf(line);
  const name = model.text(holder);
  return [{
    title: `Hold \`${name}.get_lock()\` around the update`,
    isPreferred: true,
    edits: [{ range: nodeRange(stmt), newText: `with ${name}.get_lock():\n${indent}${unit}${model.text(stmt)}` }],
  }];
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'A shared Value, Array, Manager proxy or thread-shared global is read-modify-written in worker code without a lock.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
