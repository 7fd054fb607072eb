/**
 * ## What it does
 * Checks for process pools, `Process.start()`, work submitted to a `ProcessPoolExecutor` (which
 * starts its processes at the first `submit`/`map`, not when created) and `Manager()`s created
 * while the module is being imported: at module level outside an `if __name__ == "__main__":`
 * guard, directly or through a function called at module level. Pools of `torch.multiprocessing`,
 * `billiard`, `multiprocess` and `pathos`, and Dask clusters, count too (see below).
 *
 * ## Why is this bad?
 * Under the `spawn` start method (the default on Windows and macOS) and `forkserver` (the Linux
 * default from Python 3.14), every child process starts by importing the main module again. Without
 * a guard, each child tries to start its own children while still bootstrapping and fails with
 * `RuntimeError: An attempt has been made to start a new process before the current process has
 * finished its bootstrapping phase`; a `Pool` keeps replacing the dead workers, so the program
 * floods the machine with processes instead of doing its work.
 *
 * A script (a file with a main guard) that imports one of the project's modules which starts
 * processes when imported is flagged at the import: each spawned child re-imports the script,
 * so the module runs again inside the child's bootstrapping, whatever the script's guard holds.
 *
 * Thread pools and threads are not affected, and an explicit `fork` context does not re-import
 * the module. Jupyter notebooks are not flagged: a kernel's `__main__` has no file, so workers
 * re-run none of its cells (what fails there is finding the functions the cells define, which
 * `unserializable-callable` reports).
 *
 * Backends ([docs/backends.md](../backends.md)): `torch.multiprocessing` (also its `spawn()` and
 * `start_processes()`, which always use spawn unless given `start_method="fork"`), `billiard`,
 * `multiprocess` and `pathos` (at the pool's first `map`, `imap`, `uimap`, `amap`, `apipe` or
 * `pipe`: pathos starts its workers lazily) are flagged like `multiprocessing`. A Dask `Client()`
 * or `LocalCluster()` that starts worker processes is flagged whatever the start method: Dask's
 * nannies use spawn on every platform. joblib's default loky backend, Ray and mpire (which forks
 * by default) do not run the main module in their workers and are not flagged.
 *
 * ## Example
 * ```python
 * import multiprocessing as mp
 *
 * def square(x):
 *     return x * x
 *
 * with mp.Pool() as pool:
 *     print(pool.map(square, range(10)))
 * ```
 *
 * Use instead:
 * ```python
 * import multiprocessing as mp
 *
 * def square(x):
 *     return x * x
 *
 * if __name__ == "__main__":
 *     with mp.Pool() as pool:
 *         print(pool.map(square, range(10)))
 * ```
 *
 * ## References
 * - [Python docs: multiprocessing programming guidelines, "Safe importing of main module"](https://docs.python.org/3/library/multiprocessing.html#multiprocessing-safe-main-import)
 * - [Python docs: contexts and start methods](https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)
 */
import type { Node } from 'web-tree-sitter';
import { isMainGuard, topLevelStatement } from '../engine/guards';
import { stringInteriorLines, wrapLines } from '../engine/fixes';
import type { CallSite, Model, Value } from '../engine/model';
import { backendOf, traitsOf } from '../engine/names';
import { docsUrl, type Rule, type RuleContext } from '../engine/rule';
import { nodeRange } from '../engine/text';
import type { Fix } from '../engine/types';
import { RULE_DOCS } from './docs.generated';

const ID = 'unguarded-entry-point';

type StartKind = 'pool' | 'executor' | 'process' | 'manager' | 'cluster' | 'spawn';

interface StartEvent {
  node: Node;
  kind: StartKind;
  /** e.g. "`mp.Pool()` creates a process pool". */
  what: string;
}

/** What starts, for the head of the message (kept short: the Problems panel cuts at its width). */
const SUBJECT: Record<StartKind, string> = {
  pool: 'Process pool created at import time',
  executor: 'Executor started at import time',
  process: 'Process started at import time',
  manager: 'Manager started at import time',
  cluster: 'Dask cluster started at import time',
  spawn: 'Processes started at import time',
};

/** Who re-runs the module under spawn and forkserver, and what then happens, per kind. */
const CONSEQUENCE: Record<StartKind, { who: string; then: string; when?: string }> = {
  pool: { who: 'each worker', then: 'every worker dies with the "bootstrapping phase" RuntimeError and the pool keeps starting new ones' },
  executor: { who: 'each worker', then: 'the workers die with the "bootstrapping phase" RuntimeError and the executor breaks (`BrokenProcessPool`)' },
  process: { who: 'the child', then: 'the child dies with the "bootstrapping phase" RuntimeError' },
  manager: { who: 'its server process', then: 'the manager\'s process dies with the "bootstrapping phase" RuntimeError and the parent gets `EOFError`' },
  // Checked with distributed 2022.12 (Debian): its nannies start workers with spawn on every OS.
  // torch's ProcessContext.join finds no error file from a child that died while importing.
  spawn: { when: 'torch spawns them on any OS and', who: 'each child', then: 'each child dies with the "bootstrapping phase" RuntimeError and `spawn` raises `ProcessExitedException`' },
  cluster: { when: 'Dask spawns workers on any OS and', who: 'each', then: 'the nannies log "Failed to start process" (the "bootstrapping phase" RuntimeError) and keep restarting workers that never come up' },
};

const GUARD = '`if __name__ == "__main__":`';

/** The callee of a call (`mp.Pool`, `executor.map`, `p.start`, `main`): the finding's range, so it
 * names the cause without covering the arguments (where other findings, e.g. a lambda, live). */
function calleeRange(call: Node): Node {
  return call.childForFieldName('function') ?? call;
}

function shortCall(model: Model, call: Node): string {
  const fn = call.childForFieldName('function');
  return `${fn ? model.text(fn) : '…'}(${call.childForFieldName('arguments')?.namedChildCount ? '…' : ''})`;
}

/** The method a call invokes on an object (`map` in `pool.map(...)`), if it is a method call. */
function methodOf(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
}

/** The object whose method starts processes: the pool of `pool.map`, the executor of `run_in_executor`. */
function receiverOf(call: Node, method: string | undefined): Node | undefined {
  if (method === 'run_in_executor') return call.childForFieldName('arguments')?.namedChildren[0];
  return method ? call.childForFieldName('function')?.childForFieldName('object') ?? undefined : undefined;
}

/**
 * Whether `call` starts worker processes (or a manager process) when it runs. `receiverValues`
 * replaces what the receiver evaluates to (the argument one call site passes for it).
 */
function startEvent(model: Model, call: Node, receiverValues?: Value[]): StartEvent | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const method = methodOf(call);
  // Dask and torch's spawn() choose their own start method, whatever the program's default.
  const own = ownStart(model, call, method);
  if (own) return own;
  if (model.globalStart === 'fork') return undefined;
  const receiver = (): Value[] => receiverValues ?? model.eval(receiverOf(call, method));
  if (method && PATHOS_STARTS.has(method)) {
    // A pathos pool starts its (multiprocess) workers at its first map, not when created.
    for (const v of receiver()) {
      if (v.t === 'obj' && v.kind === 'processPool' && backendOf(v.qname) === 'pathos') return { node: call, kind: 'pool', what: `\`${shortCall(model, call)}\` starts the worker processes of a pathos pool` };
    }
  }
  if (method === 'submit' || method === 'map' || method === 'run_in_executor') {
    // A ProcessPoolExecutor starts its workers at its first submit, not when it is created.
    for (const v of receiver()) {
      if (v.t === 'obj' && isProcessExecutor(v) && v.start !== 'fork') return { node: call, kind: 'executor', what: `\`${shortCall(model, call)}\` starts the worker processes of a \`ProcessPoolExecutor\`` };
    }
    return undefined;
  }
  if (method === 'start') {
    for (const v of receiver()) {
      if (v.t === 'obj' && v.kind === 'process' && v.start !== 'fork') return { node: call, kind: 'process', what: `\`${model.text(call)}\` starts a process` };
      if (v.t === 'obj' && v.kind === 'managerUnstarted' && v.start !== 'fork') return { node: call, kind: 'manager', what: `\`${model.text(call)}\` starts a manager process` };
      if (v.t === 'inst' && model.isProcessClass(v.cls)) return { node: call, kind: 'process', what: `\`${model.text(call)}\` starts a process` };
    }
    return undefined;
  }
  if (!model.mayCreateWorkers(call)) return undefined;
  for (const v of model.eval(call)) {
    if (v.t !== 'obj' || v.node.id !== call.id || v.start === 'fork') continue;
    // dill changes how tasks travel, not how children start: `multiprocess` and `billiard`
    // re-import the main module under spawn and forkserver exactly as multiprocessing does.
    if (isProcessExecutor(v)) continue; // no process until the first submit
    if (!traitsOf(v.qname).reimports || backendOf(v.qname) === 'pathos') continue;
    if (v.kind === 'processPool') return { node: call, kind: 'pool', what: `\`${shortCall(model, call)}\` creates a process pool` };
    if (v.kind === 'manager') return { node: call, kind: 'manager', what: `\`${shortCall(model, call)}\` starts a manager process` };
  }
  return undefined;
}

function isProcessExecutor(v: Extract<Value, { t: 'obj' }>): boolean {
  return v.kind === 'processPool' && v.qname.endsWith('Executor') && traitsOf(v.qname).reimports;
}

/** pathos pool methods that start its workers. */
const PATHOS_STARTS = new Set(['map', 'imap', 'uimap', 'amap', 'apipe', 'pipe']);

/** A Dask `Client()`/`LocalCluster()` or a torch `spawn()`, which start processes with spawn by default. */
function ownStart(model: Model, call: Node, method: string | undefined): StartEvent | undefined {
  if (method === 'start' || !model.mayCreateWorkers(call)) return undefined;
  for (const v of model.eval(call)) {
    if (v.t !== 'obj' || v.node.id !== call.id) continue;
    if (v.kind === 'cluster' && startsWorkers(call)) return { node: call, kind: 'cluster', what: `\`${shortCall(model, call)}\` starts a Dask cluster's worker processes` };
    if (v.kind === 'processGroup' && !/^\s*['"]fork['"]\s*$/.test(keyword(call, 'start_method') ?? '')) return { node: call, kind: 'spawn', what: `\`${shortCall(model, call)}\` starts processes` };
  }
  return undefined;
}

function keyword(call: Node, name: string): string | undefined {
  const arg = call.childForFieldName('arguments')?.namedChildren.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name);
  return arg?.childForFieldName('value')?.text;
}

/**
 * `Client()` and `LocalCluster()` start a local cluster of worker processes; `Client("tcp://...")`
 * or `Client(cluster)` connects to one, and `processes=False` keeps the workers in threads.
 */
function startsWorkers(call: Node): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const positional = args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
  const isClient = /Client$/.test(call.childForFieldName('function')?.text ?? '');
  if (isClient && (positional.length > 0 || keyword(call, 'address') !== undefined || keyword(call, 'scheduler_file') !== undefined)) return false;
  return keyword(call, 'processes') !== 'False';
}

/** The calls startEvent can accept: `x.start()`, an executor's `submit`/`map`, and the creation calls. */
function startCandidates(model: Model): Node[] {
  return model.callsNamed('start', 'submit', 'run_in_executor', ...PATHOS_STARTS, ...model.creationCallNames());
}

function check({ model, report, file }: RuleContext): void {
  // A notebook's cells run in a kernel whose `__main__` has no file: spawn and forkserver workers
  // import nothing of it, so nothing re-runs there (what fails instead is finding the cells'
  // functions, unserializable-callable's finding).
  if (/\.ipynb$/i.test(file) || file.startsWith('vscode-notebook-cell:')) return;
  const direct: StartEvent[] = [];
  const inFunction = new Map<number, StartEvent>();
  for (const call of startCandidates(model)) {
    const event = startEvent(model, call);
    if (!event) continue;
    const where = model.executionContext(call);
    if (where.at === 'import') direct.push(event);
    else if (where.at === 'function' && !inFunction.has(where.def.id)) inFunction.set(where.def.id, event);
  }

  // Import-time calls of same-file functions that (transitively) start processes.
  const chained: { call: Node; callee: string; event: StartEvent }[] = [];
  if (inFunction.size > 0) {
    const reach = reachability(model, inFunction);
    for (const site of model.directCallSitesWithin(model.root, (call) => model.executionContext(call).at === 'import')) {
      if (site.callee.t !== 'func' && site.callee.t !== 'method') continue;
      const event = reach(site.callee.def);
      if (!event || !startsFromThisCall(model, site, event)) continue;
      chained.push({ call: site.call, callee: site.callee.def.childForFieldName('name')?.text ?? 'function', event });
    }
  }

  checkImportedStarts(model, report);
  const fixes = new WrapFixes(model);
  for (const event of direct) {
    const { who, then, when } = CONSEQUENCE[event.kind];
    report({
      message: `${SUBJECT[event.kind]}: ${when ?? 'under spawn and forkserver'} ${who} re-runs it and fails. ${event.what} outside ${GUARD}; ${then}.`,
      range: nodeRange(calleeRange(event.node)),
      fixes: fixes.for(event.node),
    });
  }
  for (const { call, callee, event } of chained) {
    const { who, then, when } = CONSEQUENCE[event.kind];
    report({
      message: `\`${shortCall(model, call)}\` at import time starts processes: ${when ?? 'under spawn and forkserver'} ${who} re-runs it and fails. \`${callee}\` reaches \`${shortCall(model, event.node)}\` outside ${GUARD}; ${then}.`,
      range: nodeRange(calleeRange(call)),
      related: [{ range: nodeRange(event.node), message: `${event.what} here` }],
      fixes: fixes.for(call),
    });
  }
}

/**
 * A script (a file with a main guard) that imports a project module starting processes at its
 * import: under spawn and forkserver each child re-imports the script as `__mp_main__`, which
 * imports the module again inside the child's bootstrapping. Modules that are not scripts are not
 * flagged here (what imports them decides); starts the module reaches only through functions it
 * calls at import time are not followed.
 */
function checkImportedStarts(model: Model, report: RuleContext['report']): void {
  // No exemption for `set_start_method("fork")` here: the module's processes start at the import,
  // before the script's main guard sets anything.
  if (!model.root.namedChildren.some(isMainGuard)) return;
  for (const stmt of model.index.of('import_statement', 'import_from_statement')) {
    if (model.executionContext(stmt).at !== 'import') continue;
    for (const { file, model: imported } of model.importedModules(stmt)) {
      const event = startCandidates(imported).map((call) => startEvent(imported, call)).find((e) => e && imported.executionContext(e.node).at === 'import');
      if (!event) continue;
      const { who, then, when } = CONSEQUENCE[event.kind];
      const name = file.replace(/^.*[\\/]/, '');
      report({
        message: `${SUBJECT[event.kind]} by an imported module: ${when ?? 'under spawn and forkserver'} ${who} re-imports this script, which imports \`${name}\` again, and fails. In \`${name}\`, ${event.what} outside ${GUARD}; ${then}. Start it from a function called under this script's main guard.`,
        range: nodeRange(stmt),
        related: [{ file, range: nodeRange(calleeRange(event.node)), message: `${event.what} at import time` }],
      });
      break;
    }
  }
}

/**
 * Whether an import-time call of the function that holds `event` starts processes with the
 * arguments it passes. The function's own start may depend on a parameter (`def timed(pool):
 * pool.map(...)`) that other, guarded, callers fill with a pool while this call passes a plain
 * object: then this call starts nothing. Starts further down the call graph are taken as found.
 */
function startsFromThisCall(model: Model, site: CallSite, event: StartEvent): boolean {
  const where = model.executionContext(event.node);
  if (where.at !== 'function' || where.def.id !== (site.callee as { def?: Node }).def?.id) return true;
  const receiver = receiverOf(event.node, methodOf(event.node));
  if (receiver?.type !== 'identifier') return true;
  const param = (model.lookup(receiver) ?? []).find((b) => b.k === 'param');
  if (!param || param.k !== 'param' || param.def.id !== where.def.id || param.star !== '') return true;
  const shift = site.callee.t === 'method' && site.callee.bound ? 1 : 0;
  const arg = site.pack.positional[param.index - shift] ?? site.pack.keywords.get(param.name);
  if (!arg) return true;
  return startEvent(model, event.node, model.eval(arg)) !== undefined;
}

/** For a function, the first process start it reaches through same-file calls. */
function reachability(model: Model, inFunction: Map<number, StartEvent>): (def: Node) => StartEvent | undefined {
  // The functions each function calls in its own body, resolved only for functions the search
  // reaches from module-level calls.
  const calleeCache = new Map<number, Node[]>();
  const callees = (def: Node): Node[] => {
    let list = calleeCache.get(def.id);
    if (list) return list;
    list = [];
    const body = def.childForFieldName('body');
    for (const site of body ? model.directCallSitesWithin(body, (call) => { const at = model.executionContext(call); return at.at === 'function' && at.def.id === def.id; }) : []) {
      if (site.callee.t === 'func' || site.callee.t === 'method') list.push(site.callee.def);
    }
    calleeCache.set(def.id, list);
    return list;
  };
  const memo = new Map<number, StartEvent | null>();
  return (start: Node) => {
    const cached = memo.get(start.id);
    if (cached !== undefined) return cached ?? undefined;
    // Breadth-first over the call graph, iteratively.
    const seen = new Set<number>([start.id]);
    const queue: Node[] = [start];
    let found: StartEvent | undefined;
    while (queue.length > 0 && !found) {
      const def = queue.shift()!;
      found = inFunction.get(def.id);
      for (const next of callees(def)) {
        if (!seen.has(next.id)) { seen.add(next.id); queue.push(next); }
      }
    }
    memo.set(start.id, found ?? null);
    return found;
  };
}

/**
 * The guard fix: wrap the run of module-level statements that starts with the first offending
 * statement and continues up to the next definition, import or existing guard (definitions must
 * stay importable by the children). All findings in one run share the same fix.
 */
class WrapFixes {
  private readonly runs = new Map<number, Fix | null>();

  constructor(private readonly model: Model) {}

  for(node: Node): Fix[] {
    const stmt = topLevelStatement(node);
    if (!stmt || this.model.executionContext(node).at !== 'import' || stmt.startPosition.column !== 0 || isMainGuard(stmt)) return [];
    const first = this.runStart(stmt);
    let fix = this.runs.get(first.id);
    if (fix === undefined) {
      fix = this.build(first);
      this.runs.set(first.id, fix);
    }
    return fix ? [fix] : [];
  }

  private static breaksRun(stmt: Node): boolean {
    return ['function_definition', 'class_definition', 'decorated_definition', 'import_statement', 'import_from_statement', 'future_import_statement'].includes(stmt.type) || isMainGuard(stmt);
  }

  /** The first offending statement of the run containing `stmt`. */
  private runStart(stmt: Node): Node {
    let first = stmt;
    for (let prev = stmt.previousNamedSibling; prev && !WrapFixes.breaksRun(prev); prev = prev.previousNamedSibling) {
      if (prev.type !== 'comment' && this.offends(prev)) first = prev;
    }
    return first;
  }

  private offends(stmt: Node): boolean {
    return startCandidates(this.model).some((c) => c.startIndex >= stmt.startIndex && c.endIndex <= stmt.endIndex && startEvent(this.model, c) !== undefined && this.model.executionContext(c).at === 'import')
      || this.model.directCallSitesWithin(stmt, (call) => this.model.executionContext(call).at === 'import').length > 0;
  }

  private build(first: Node): Fix | null {
    let last = first;
    for (let next = first.nextNamedSibling; next && !WrapFixes.breaksRun(next); next = next.nextNamedSibling) {
      if (next.type !== 'comment') last = next;
    }
    if (this.model.root.hasError && (first.hasError || last.hasError)) return null;
    const interior = new Set<number>();
    for (let s: Node | null = first; s; s = s.nextNamedSibling) {
      for (const l of stringInteriorLines(s)) interior.add(l);
      if (s.id === last.id) break;
    }
    const edits = wrapLines(this.model, first.startPosition.row, last.endPosition.row, 'if __name__ == "__main__":', interior);
    return { title: 'Move the work under `if __name__ == "__main__":`', edits, isPreferred: true };
  }
}

export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'error',
    summary: 'A process pool, Process, ProcessPoolExecutor or Manager is started at import time without an `if __name__ == "__main__":` guard.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
  },
  check,
};
