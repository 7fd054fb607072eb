/**
 * ## What it does
 * Checks for loops that poll a queue with `q.empty()` and go around again while it is empty:
 * `while q.empty(): time.sleep(...)`, or `if q.empty(): continue` (or `sleep`) inside a
 * `while` loop, or `if not q.empty(): item = q.get()` in a loop that does nothing else while the
 * queue is empty (a loop that also does work of its own, such as drawing a frame, is not a busy
 * wait). A drain loop that stops when the queue is empty
 * (`while not q.empty(): q.get()`), a single check outside a loop, and a loop that blocks on
 * `get()` anyway are not flagged.
 *
 * ## Why is this bad?
 * A polling loop burns a CPU core (or, with a `sleep`, adds up to one sleep of latency to every
 * item) while the worker that should fill the queue competes for the same cores; on a Manager
 * queue every `empty()` is also a round trip to the manager process. In a coroutine, a loop that
 * polls an `asyncio.Queue` without awaiting blocks the event loop, so the coroutines that would
 * fill the queue never run: it hangs. The `empty()` of a `multiprocessing.Queue` is unreliable
 * besides: the documentation warns that its answer may already be wrong when it returns, and
 * right after a `put()` it can still say empty until the queue's feeder thread has written the
 * item. A blocking `get()` (`await q.get()` for an `asyncio.Queue`) waits without using the CPU
 * and wakes as soon as an item arrives; a sentinel value (such as `None`) put by the producer
 * tells the consumer when to stop.
 *
 * A loop whose body waits on something else (`cond.wait()`, `event.wait(...)`, `await
 * cond.wait()`, a `join` or `select`), does work of its own (any call that is not a sleep, a
 * print, a log line or a clock read), or sleeps at least 0.1 s next to other statements (a
 * deadline check, say: a paced supervising loop, which wakes at most ten times a second) is not
 * flagged. In a coroutine, a blocking `get()` on a thread or process queue would block the event
 * loop: such a loop is flagged only when it never awaits, with an `asyncio.Queue` or
 * `run_in_executor` as the remedy.
 *
 * ## Example
 * ```python
 * import time
 *
 * def consume(q):
 *     while True:
 *         if q.empty():
 *             time.sleep(0.01)
 *             continue
 *         item = q.get()
 *         if item is None:
 *             break
 *         handle(item)
 * ```
 *
 * Use instead:
 * ```python
 * def consume(q):
 *     while True:
 *         item = q.get()  # blocks until the producer puts something
 *         if item is None:  # the producer's sentinel
 *             break
 *         handle(item)
 * ```
 *
 * ## References
 * - [Python docs: `multiprocessing.Queue.empty` (not reliable)](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Queue.empty)
 * - [Python docs: `queue.Queue.get` (blocking) and `Queue.empty`](https://docs.python.org/3/library/queue.html#queue.Queue.get)
 */
import type { Node } from 'web-tree-sitter';
import { ownsItsLines } from '../engine/fixes';
import type { Model } from '../engine/model';
import { canonical } from '../engine/names';
import { exitsLoop, methodCall } from '../engine/references';
import { unparen } from '../engine/scopes';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { nodeRange, pos } from '../engine/text';
import type { Fix } from '../engine/types';
import { RULE_DOCS } from './docs.generated';

const ID = 'busy-wait-queue';

const QUEUE_CLASSES = /^(queue\.(Queue|LifoQueue|PriorityQueue|SimpleQueue)|asyncio\.(Queue|LifoQueue|PriorityQueue)|asyncio\.queues\.Queue|gevent\.queue\.\w+)$/;
const QUEUE_NAME = /(^|_)(q|qs|queue|queues|inbox|outbox|mailbox|jobs|tasks|results?)$|queue/i;

function check({ model, report }: RuleContext): void {
  for (const call of model.callsNamed('empty')) {
    const { name, isAttribute } = model.calleeOf(call);
    if (!isAttribute || name !== 'empty') continue;
    const m = methodCall(call);
    if (!m || (call.childForFieldName('arguments')?.namedChildren.length ?? 0) > 0) continue;
    const kind = queueKind(model, m.receiver);
    if (!kind) continue;
    const verdict = pollingLoop(call, model.text(m.receiver));
    if (!verdict) continue;
    const q = model.text(m.receiver);
    // A coroutine that awaits while polling a thread or process queue yields to the event loop:
    // a blocking `get()` there would be the bug, so there is nothing better to advise.
    const coroutine = inCoroutine(verdict.loop);
    if (coroutine && kind !== 'asyncio' && /\bawait\b/.test(verdict.loop.text)) continue;
    const fix = coroutine && kind !== 'asyncio' ? undefined : removalFix(model, verdict.removable, q);
    report({ message: message(kind, verdict.loop, q), range: nodeRange(call), fixes: fix ? [fix] : [] });
  }
}

/** What kind of queue is polled: the consequences and the remedy differ. */
type QueueKind = 'mp' | 'simple' | 'proxy' | 'thread' | 'asyncio' | 'gevent' | 'named';

/**
 * Consequence first, in a head with no user code. A loop that sleeps between polls adds latency;
 * one that does not spins a core (and, on a Manager queue, the manager's too: each `empty()` is a
 * round trip). A coroutine that polls without awaiting never lets the coroutines that would fill
 * the queue run. Only a `multiprocessing.Queue` answers `empty()` wrongly right after a `put()`
 * (its feeder thread has not written the item yet; seen on CPython 3.8-3.13).
 */
function message(kind: QueueKind, loop: Node, q: string): string {
  const text = loop.text;
  const sleeps = /\b(sleep|wait)\s*\(/.test(text);
  const awaits = /\bawait\b/.test(text);
  const get = kind === 'asyncio' ? `\`await ${q}.get()\`` : `\`${q}.get()\``;
  const detail = `\`${q}.empty()\` sends the loop around again while the queue is empty`;
  const remedy = `Block on ${get} instead and stop on a sentinel value.`;
  const feeder = kind === 'mp' ? ' `empty()` of a `multiprocessing` queue is unreliable too: right after a `put()` it can still say empty, until the feeder thread has written the item.' : '';
  if (kind === 'asyncio' && !awaits && inCoroutine(loop)) {
    return `Event loop blocked: this coroutine polls the queue without awaiting, so no coroutine can fill it. ${detail}, and nothing in the loop yields to the event loop. ${remedy}`;
  }
  if (kind !== 'asyncio' && inCoroutine(loop)) {
    // Only reached without an `await` in the loop: a blocking `get()` would block the loop too.
    return `Event loop blocked: this coroutine polls the queue without ever awaiting. No other coroutine runs meanwhile: ${detail}, and nothing in the loop yields to the event loop. Use an \`asyncio.Queue\` and \`await ${q}.get()\`, or \`await loop.run_in_executor(None, ${q}.get)\`.`;
  }
  if (sleeps) return `Polling adds latency: each item can wait up to a full sleep before this loop sees it. ${detail}.${feeder} ${remedy}`;
  if (kind === 'proxy') return `Busy wait: this loop burns CPU here and in the manager process while the queue is empty. ${detail}, and each \`empty()\` is a round trip to the manager. ${remedy}`;
  return `Busy wait: this loop burns a CPU core while the queue is empty. ${detail}.${feeder} ${remedy}`;
}

/** Whether `node` runs in an `async def`. */
function inCoroutine(node: Node): boolean {
  for (let cur = node.parent; cur; cur = cur.parent) {
    if (cur.type === 'function_definition') return cur.children[0]?.type === 'async';
    if (cur.type === 'lambda') return false;
  }
  return false;
}

/** The kind of queue `expr` is: a known queue object, else a receiver named like one. */
function queueKind(model: Model, expr: Node): QueueKind | undefined {
  const values = model.eval(expr);
  for (const v of values) {
    if (v.t === 'obj' && v.kind === 'mpQueue') return canonical(v.qname).endsWith('SimpleQueue') ? 'simple' : 'mp';
    if (v.t === 'obj' && v.kind === 'proxyQueue') return 'proxy';
  }
  if (values.some((v) => v.t !== 'unknown')) return undefined;
  if (expr.type === 'identifier') {
    for (const b of model.lookup(expr) ?? []) {
      if (b.k !== 'value' || b.value.type !== 'call') continue;
      for (const callee of model.eval(b.value.childForFieldName('function'))) {
        if (callee.t !== 'ref' || !QUEUE_CLASSES.test(callee.qname)) continue;
        return callee.qname.startsWith('asyncio.') ? 'asyncio' : callee.qname.startsWith('gevent.') ? 'gevent' : 'thread';
      }
    }
  }
  const last = expr.type === 'attribute' ? expr.childForFieldName('attribute')?.text ?? '' : expr.text;
  return QUEUE_NAME.test(last) ? 'named' : undefined;
}

interface Verdict {
  /** The `while` loop that goes around again. */
  loop: Node;
  /** A statement whose removal leaves a blocking `get()` to do the waiting. */
  removable?: Node;
}

/** The polling loop `call` belongs to, if it keeps spinning while the queue is empty. */
function pollingLoop(call: Node, queue: string): Verdict | undefined {
  // Climb to the condition of an `if`/`elif`/`while`, tracking negation.
  let negated = false;
  let cur: Node = call;
  for (;;) {
    const parent = cur.parent;
    if (!parent) return undefined;
    if (parent.type === 'parenthesized_expression' || (parent.type === 'boolean_operator' && parent.children.some((c) => c.type === 'and'))) { cur = parent; continue; }
    if (parent.type === 'not_operator') { negated = !negated; cur = parent; continue; }
    if (parent.type === 'while_statement' || parent.type === 'if_statement' || parent.type === 'elif_clause') {
      if (parent.childForFieldName('condition')?.id !== cur.id) return undefined;
      cur = parent;
      break;
    }
    return undefined;
  }
  const onEmpty = !negated;
  if (cur.type === 'while_statement') {
    if (!onEmpty) return undefined; // `while not q.empty(): ...` drains the queue
    const body = cur.childForFieldName('body');
    if (body && !spinsIdle(body, queue)) return undefined;
    return { loop: cur, ...(body && onlyWaits(body) && unparen(cur.childForFieldName('condition') ?? cur).id === call.id ? { removable: cur } : {}) };
  }
  // An `if`/`elif` test: it must sit directly in a `while` loop's body.
  const ifStmt = cur.type === 'elif_clause' ? cur.parent : cur;
  const loopBody = ifStmt?.parent;
  const loop = loopBody?.parent;
  if (!ifStmt || loopBody?.type !== 'block' || loop?.type !== 'while_statement' || loop.childForFieldName('body')?.id !== loopBody.id) return undefined;
  const after = loopBody.namedChildren.filter((s) => s.startIndex > ifStmt.endIndex);
  // The rest of the loop body waits on its own, or always leaves the loop.
  const restBlocks = after.some((s) => blocksOn(s, queue) || ['break_statement', 'return_statement', 'raise_statement'].includes(s.type));
  if (onEmpty) {
    const branch = cur.childForFieldName('consequence');
    if (!branch || exitsLoop(branch) || !spinsIdle(branch, queue)) return undefined;
    const skips = branch.descendantsOfType('continue_statement').length > 0;
    if (!skips && restBlocks) return undefined;
    const plain = cur.type === 'if_statement' && !ifStmt.namedChildren.some((c) => c.type === 'else_clause' || c.type === 'elif_clause');
    return plain && onlyWaits(branch) && unparen(cur.childForFieldName('condition') ?? cur).id === call.id ? { loop, removable: ifStmt } : { loop };
  }
  // `if not q.empty(): ...`: what happens when the queue is empty is the `else` (or nothing).
  if (cur.type !== 'if_statement') return undefined;
  const alternative = cur.namedChildren.find((c) => c.type === 'else_clause' || c.type === 'elif_clause');
  if (alternative) {
    if (alternative.type !== 'else_clause') return undefined;
    const body = alternative.childForFieldName('body');
    if (!body || exitsLoop(body) || (!onlyWaits(body) && restBlocks)) return undefined;
    return { loop };
  }
  // No `else`: when the queue is empty the loop runs the rest of its body. A body that does work
  // of its own there (a UI loop drawing frames, say) only checks the queue in passing.
  const otherWork = loopBody.namedChildren.some((s) => s.id !== ifStmt.id && s.type !== 'comment' && !isWait(s));
  return restBlocks || otherWork ? undefined : { loop };
}

/**
 * Whether a loop body run while the queue is empty only passes time: no blocking wait of its own
 * (`cond.wait()`, `event.wait(1)`, `await cond.wait()`, `select`, `join`), no work of its own
 * (a call that is not a sleep, a print or a log line), and no long sleep next to other statements.
 */
function spinsIdle(body: Node, queue: string): boolean {
  const stmts = body.namedChildren.filter((s) => s.type !== 'comment');
  if (stmts.some((s) => blocksOn(s, queue))) return false;
  if (stmts.some((s) => doesWork(s))) return false;
  const others = stmts.filter((s) => !isWait(s));
  return !(others.length > 0 && stmts.some((s) => isWait(s) && sleepSeconds(s) >= LONG_SLEEP));
}

/**
 * A sleep of at least this many seconds between polls is a deliberate pace, not a spin: the loop
 * wakes at most ten times a second (no measurable CPU), and when it also does other things (a
 * deadline check, a log line) it is a supervising loop whose latency is chosen, not a busy wait.
 */
const LONG_SLEEP = 0.1;

function sleepSeconds(s: Node): number {
  const m = /sleep\s*\(\s*([0-9.eE+-]+)\s*\)/.exec(s.text);
  return m ? Number(m[1]) : 0;
}

const TRIVIAL_CALLS = /^(await\s+)?([\w.]*sleep|print|[\w.]*(log|logger|logging)\.\w+|time\.\w+|len|[\w.]*\.(debug|info|warning|error|exception))$/;

/** A statement with a call that is neither a sleep, a print, a log line nor a clock read: work of its own. */
function doesWork(stmt: Node): boolean {
  if (stmt.type === 'if_statement') {
    // A deadline or stop check (`if time.time() > deadline: raise ...`) only decides to leave.
    const branches = [stmt.childForFieldName('consequence'), ...stmt.namedChildren.filter((c) => c.type === 'else_clause' || c.type === 'elif_clause').map((c) => c.childForFieldName('body') ?? c.childForFieldName('consequence'))];
    return branches.some((b) => b && b.namedChildren.some((s) => s.type !== 'comment' && doesWork(s)));
  }
  if (['raise_statement', 'break_statement', 'return_statement', 'pass_statement', 'continue_statement'].includes(stmt.type)) return false;
  for (const call of stmt.descendantsOfType('call')) {
    const fn = call.childForFieldName('function');
    if (!fn || fn.type === 'call') return true;
    const name = fn.text.replace(/\s/g, '');
    if (name.endsWith('.empty') || name.endsWith('.qsize') || name.endsWith('.is_alive') || name.endsWith('.is_set')) continue;
    if (!TRIVIAL_CALLS.test(name) && !TRIVIAL_CALLS.test(`await ${name}`)) return true;
  }
  return false;
}

/** A block that only waits or skips: `pass`, `continue`, `time.sleep(...)`, `await asyncio.sleep(...)`. */
function onlyWaits(block: Node): boolean {
  const stmts = block.namedChildren.filter((s) => s.type !== 'comment');
  return stmts.length > 0 && stmts.every(isWait);
}

/** `pass`, `continue`, or a `sleep(...)` call. */
function isWait(s: Node): boolean {
  return s.type === 'pass_statement' || s.type === 'continue_statement' || (s.type === 'expression_statement' && /^(await\s+)?[\w.]*sleep\s*\(/.test(s.text));
}

const WAITS = new Set(['wait', 'wait_for', 'recv', 'recv_bytes', 'join', 'accept', 'select']);

/** Whether a statement waits: a blocking `get()` on the queue (no `block=False`), or another blocking call. */
function blocksOn(stmt: Node, queue: string): boolean {
  for (const call of stmt.descendantsOfType('call')) {
    const m = methodCall(call);
    if (!m) continue;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    if (m.method === 'get') {
      if (m.receiver.text !== queue && args.length > 0) continue; // `d.get(key)`
      const nonBlocking = args.some((a) => a.text.replace(/\s/g, '') === 'block=False' || a.text === 'False') && !args.some((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'timeout');
      if (!nonBlocking) return true;
    } else if (WAITS.has(m.method) && m.receiver.text !== queue) return true;
  }
  return false;
}

/** Deletes a polling statement whose waiting a following blocking `get()` already does. */
function removalFix(model: Model, stmt: Node | undefined, queue: string): Fix | undefined {
  if (!stmt || !ownsItsLines(model, stmt) || stmt.hasError) return undefined;
  const block = stmt.parent;
  if (!block) return undefined;
  const siblings = block.namedChildren.filter((s) => s.type !== 'comment');
  const i = siblings.findIndex((s) => s.id === stmt.id);
  const next = siblings[i + 1];
  if (!next || !blocksOn(next, queue)) return undefined;
  if (siblings.length < 2) return undefined;
  const first = stmt.startPosition.row;
  const last = stmt.endPosition.row;
  return {
    title: `Remove the polling: \`${queue}.get()\` blocks until an item arrives`,
    isPreferred: true,
    edits: [{ range: { start: pos(first, 0), end: pos(last + 1, 0) }, newText: '' }],
  };
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'A loop polls q.empty() instead of blocking on get() with a sentinel.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
