/**
 * ## What it does
 * Checks for `p.join()` on a `multiprocessing.Process` whose target puts items on a
 * `multiprocessing` queue, when the same function reads that queue only after the join.
 *
 * Joining after the queue has been drained, joining a process that never puts to a queue, a
 * `Manager().Queue()` (a proxy without a feeder thread), a queue on which `cancel_join_thread()`
 * is called, and `join(timeout)` are not flagged (`join(None)` waits forever, like `join()`).
 * `Process` subclasses that put in `run()` are followed too.
 *
 * ## Why is this bad?
 * `Queue.put()` (and `JoinableQueue.put()`) hands the item to a background feeder thread that
 * writes it into a pipe. A process that has put items waits, before it exits, until that thread
 * has flushed them all into the pipe, and a pipe holds only 64 KiB on Linux. A `SimpleQueue` has
 * no feeder thread: its `put()` writes into the pipe itself and blocks while the pipe is full.
 * Either way, if the parent joins the child before reading the queue, the child waits for the
 * parent to read and the parent waits for the child to exit: a deadlock. It works in testing with
 * small results and hangs in production with large ones. The documentation calls this out
 * explicitly under "Joining processes that use queues".
 *
 * ## Example
 * ```python
 * import multiprocessing as mp
 *
 * def work(q):
 *     q.put([0] * 1_000_000)
 *
 * if __name__ == "__main__":
 *     q = mp.Queue()
 *     p = mp.Process(target=work, args=(q,))
 *     p.start()
 *     p.join()
 *     data = q.get()
 * ```
 *
 * Use instead:
 * ```python
 * import multiprocessing as mp
 *
 * def work(q):
 *     q.put([0] * 1_000_000)
 *
 * if __name__ == "__main__":
 *     q = mp.Queue()
 *     p = mp.Process(target=work, args=(q,))
 *     p.start()
 *     data = q.get()
 *     p.join()
 * ```
 *
 * ## References
 * - [Python docs: multiprocessing programming guidelines, "Joining processes that use queues"](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines)
 * - [Python docs: pipes and queues](https://docs.python.org/3/library/multiprocessing.html#pipes-and-queues)
 */
import type { Node } from 'web-tree-sitter';
import { ownsItsLines } from '../engine/fixes';
import type { Model, Value } from '../engine/model';
import { canonical } from '../engine/names';
import { contains, enclosingStatement, lastSiblingHolding, methodCall } from '../engine/references';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { nodeRange, pos } from '../engine/text';
import type { Fix } from '../engine/types';
import { RULE_DOCS } from './docs.generated';

const ID = 'join-before-drain';

type Obj = Extract<Value, { t: 'obj' }>;

function check({ model, report }: RuleContext): void {
  // Process creations and the multiprocessing queues their targets put to.
  const putsBy = new Map<number, Obj[]>();
  for (const task of model.tasks()) {
    if (task.role !== 'target' || task.executor.kind !== 'process') continue;
    const queues = model.taskTargets(task).flatMap((target) => queuesPutBy(model, target.def));
    if (queues.length > 0) putsBy.set(task.site.id, [...(putsBy.get(task.site.id) ?? []), ...queues]);
  }
  // `class Loader(Process): def run(self): self.q.put(...)`: every instance puts to those queues.
  const putsByClass = new Map<number, Obj[]>();
  for (const { cls, run, kind } of model.workerClasses()) {
    if (kind !== 'process') continue;
    const queues = queuesPutBy(model, run);
    if (queues.length > 0) putsByClass.set(cls.id, queues);
  }
  if (putsBy.size === 0 && putsByClass.size === 0) return;
  const cancelled = new Set<number>();
  const getsByQueue = new Map<number, Node[]>();
  for (const call of model.callsNamed('cancel_join_thread', 'get', 'get_nowait')) {
    const m = methodCall(call);
    if (!m || (m.method !== 'cancel_join_thread' && m.method !== 'get' && m.method !== 'get_nowait')) continue;
    for (const v of model.eval(m.receiver)) {
      if (v.t !== 'obj' || v.kind !== 'mpQueue') continue;
      if (m.method === 'cancel_join_thread') cancelled.add(v.node.id);
      else getsByQueue.set(v.node.id, [...(getsByQueue.get(v.node.id) ?? []), call]);
    }
  }
  for (const call of model.callsNamed('join')) {
    const m = methodCall(call);
    if (!m || m.method !== 'join' || !waitsForever(call)) continue;
    const scope = model.enclosingDef(call) ?? model.root;
    for (const proc of processesOf(model, m.receiver)) {
      const puts = proc.t === 'obj' ? putsBy.get(proc.node.id) : putsByClass.get(proc.cls.id);
      const queue = (puts ?? []).find((q) => {
        if (cancelled.has(q.node.id)) return false;
        const gets = (getsByQueue.get(q.node.id) ?? []).filter((g) => contains(scope, g) && (model.enclosingDef(g) ?? model.root).id === scope.id);
        // Drained before the join (or in the same loop): fine. Read only after it: the deadlock.
        return gets.length > 0 && gets.every((g) => g.startIndex > call.endIndex && !sameLoop(g, call));
      });
      if (!queue) continue;
      const gets = getsByQueue.get(queue.node.id)!.filter((g) => g.startIndex > call.endIndex && contains(scope, g));
      const q = model.text(methodCall(gets[0]!)!.receiver);
      const fix = moveJoinFix(model, call, gets);
      // Checked on CPython 3.8-3.13: a Queue's or JoinableQueue's put() returns at once and the
      // child then waits at exit for its feeder thread; a SimpleQueue has no feeder, so the
      // child blocks in put() itself. Either way it never exits while the parent joins it.
      const simple = canonical(queue.qname).endsWith('SimpleQueue');
      const why = simple
        ? `a \`SimpleQueue\` writes straight into the pipe, so the child's \`put()\` blocks once the pipe is full (64 KiB on Linux) until \`${q}\` is read`
        : `the child's \`put()\` hands items to a feeder thread, and the child cannot exit until that thread has written them into the pipe, which holds 64 KiB on Linux, so not until \`${q}\` is read`;
      report({
        message: `Deadlock once the data outgrows the pipe: the child is joined before its queue is read. \`${model.text(call)}\` runs before \`${q}\` is read; ${why}. Read the queue first, then join.`,
        range: nodeRange(call),
        related: [{ range: nodeRange(gets[0]!), message: 'the queue is read only here, after the join' }],
        fixes: fix ? [fix] : [],
      });
      break;
    }
  }
}

/** `join()`, `join(None)`, `join(timeout=None)`: no timeout to return after. */
function waitsForever(call: Node): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  if (args.length === 0) return true;
  if (args.length > 1) return false;
  const arg = args[0]!;
  const value = arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'timeout' ? arg.childForFieldName('value') : arg.type === 'keyword_argument' ? null : arg;
  return value?.type === 'none';
}

/** The `multiprocessing` queues a function puts to. */
function queuesPutBy(model: Model, def: Node): Obj[] {
  const body = def.childForFieldName('body');
  if (!body) return [];
  const queues: Obj[] = [];
  for (const call of model.callsNamedWithin(body, 'put', 'put_nowait')) {
    const m = methodCall(call);
    if (!m || (m.method !== 'put' && m.method !== 'put_nowait')) continue;
    for (const v of model.eval(m.receiver)) if (v.t === 'obj' && v.kind === 'mpQueue') queues.push(v);
  }
  return queues;
}

type Proc = Obj | Inst;
type Inst = Extract<Value, { t: 'inst' }>;

function isProc(model: Model, v: Value): v is Proc {
  return (v.t === 'obj' && v.kind === 'process') || (v.t === 'inst' && model.workerClassKind(v.cls) === 'process');
}

/** Process objects a `join` receiver may be: directly, or elements of a list built by `append`. */
function processesOf(model: Model, receiver: Node): Proc[] {
  const direct = model.eval(receiver).filter((v): v is Proc => isProc(model, v));
  if (direct.length > 0 || receiver.type !== 'identifier') return direct;
  // `for p in procs: p.join()` where `procs.append(Process(...))` or `procs.append(p)`.
  const loop = (model.lookup(receiver) ?? []).find((b) => b.k === 'element');
  if (!loop || loop.k !== 'element' || loop.iter.type !== 'identifier') return [];
  const out: Proc[] = [];
  const scope = model.enclosingDef(receiver) ?? model.root;
  for (const call of model.callsNamedWithin(scope, 'append')) {
    const m = methodCall(call);
    if (!m || m.method !== 'append' || m.receiver.text !== loop.iter.text) continue;
    const arg = call.childForFieldName('arguments')?.namedChildren[0];
    for (const v of model.eval(arg)) if (isProc(model, v)) out.push(v);
  }
  return out;
}

function sameLoop(a: Node, b: Node): boolean {
  for (let cur = a.parent; cur; cur = cur.parent) {
    if (cur.type === 'function_definition') return false;
    if ((cur.type === 'for_statement' || cur.type === 'while_statement') && contains(cur, b)) return true;
  }
  return false;
}

/** Moves the join statement (or its `for p in procs: p.join()` loop) after the last read of the queue. */
function moveJoinFix(model: Model, join: Node, gets: Node[]): Fix | undefined {
  let stmt = enclosingStatement(join);
  if (!stmt) return undefined;
  if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.id !== join.id) return undefined;
  const parentBlock = stmt.parent;
  // `for p in procs: p.join()` moves as a whole.
  if (parentBlock?.type === 'block' && parentBlock.parent?.type === 'for_statement' && parentBlock.namedChildren.filter((c) => c.type !== 'comment').length === 1) stmt = parentBlock.parent;
  const block = stmt.parent;
  if (!block || !ownsItsLines(model, stmt) || stmt.hasError) return undefined;
  const siblings = block.namedChildren;
  const at = siblings.findIndex((s) => s.id === stmt.id);
  const last = lastSiblingHolding(siblings, at, gets);
  if (last === -1) return undefined;
  const target = siblings[last]!;
  if (!ownsItsLines(model, target) || target.type === 'return_statement' || target.type === 'raise_statement') return undefined;
  const lines: string[] = [];
  for (let l = stmt.startPosition.row; l <= stmt.endPosition.row; l++) lines.push(model.lines.line(l));
  const insertAt = target.endPosition.row + 1;
  const insertText = `${lines.join('\n')}\n`;
  const insert = insertAt < model.lines.lineCount ? { range: { start: pos(insertAt, 0), end: pos(insertAt, 0) }, newText: insertText } : { range: { start: pos(target.endPosition.row, model.lines.line(target.endPosition.row).length), end: pos(target.endPosition.row, model.lines.line(target.endPosition.row).length) }, newText: `\n${lines.join('\n')}` };
  return {
    title: 'Join after draining the queue',
    isPreferred: true,
    edits: [
      { range: { start: pos(stmt.startPosition.row, 0), end: pos(stmt.endPosition.row + 1, 0) }, newText: '' },
      insert,
    ],
  };
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'A process that puts to a multiprocessing Queue is joined before the queue is drained (documented deadlock).',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
