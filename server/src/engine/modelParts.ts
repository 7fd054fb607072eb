/**
 * The contracts between the parts of the semantic model (evaluation, classes, call sites, tasks):
 * each part depends on the others only through these interfaces, so the parts import no one
 * another and the model wires them together.
 */
import type { Node } from 'web-tree-sitter';
import type { ArgPack } from './arguments';
import type { Binding } from './scopes';
import type { ObjectValue, PartialValue, Value } from './values';

export type TaskRole = 'task' | 'target' | 'initializer';

/** One place work is handed to a pool, a process or a thread. */
export interface TaskCall {
  /** The call expression: `pool.map(...)`, `Process(...)`, `Pool(initializer=...)`. */
  site: Node;
  role: TaskRole;
  /** The executing object: a pool, process or thread creation. */
  executor: ObjectValue;
  /** `map`, `submit`, `Process`, `initializer`… for messages. */
  method: string;
  callable: Node;
  packs: ArgPack[];
}

/** What a task's callable resolves to, with the argument packs its parameters receive. */
export interface TaskTarget {
  value: Value;
  def: Node;
  /** 1 when a bound `self` takes the first parameter. */
  shift: number;
  packs: ArgPack[];
  /** The partial the callable was wrapped in, if any. */
  via?: PartialValue;
}

/** A same-file call: the call node, what it invokes, and how its arguments line up with parameters. */
export interface CallSite {
  call: Node;
  callee: Value;
  pack: ArgPack;
}

/** An argument pack that reaches a function, with the shift of a bound `self`. */
export interface IncomingPack {
  pack: ArgPack;
  shift: number;
}

/** Expression evaluation, as the other parts ask for it. */
export interface Evaluation {
  eval(expr: Node | null | undefined, depth?: number): Value[];
  evalCall(call: Node, depth: number): Value[];
  lookup(id: Node): Binding[] | undefined;
  elementsOf(expr: Node | null | undefined, depth?: number, follow?: number): Node[];
  /** Runs `fn` with data flow into parameters on (or off): flow follows call sites and tasks. */
  withFlow<T>(fn: () => T): T;
  withoutFlow<T>(fn: () => T): T;
  /** Whether `node` is being evaluated right now (asking again would be a cycle). */
  isEvaluating(node: Node): boolean;
}

/** What evaluation needs to know of same-file classes. */
export interface ClassQueries {
  findMethod(cls: Node, name: string): Node | undefined;
  /** `self.<name> = value` assignments in the methods of a class, by attribute name. */
  selfAttributes(cls: Node): Map<string, Node[]>;
}

/** Argument packs that reach a function from same-file calls and task submissions. */
export interface ArgumentFlow {
  incoming(def: Node): IncomingPack[];
}

/** The tasks submitted in the file, as data flow needs them. */
export interface TaskQueries {
  /** True while the flow-free task list is being built (its targets are not known yet). */
  readonly computingLocal: boolean;
  /** The tasks found without data flow into parameters. */
  localTasks(): TaskCall[];
  taskTargets(task: TaskCall, local?: boolean): TaskTarget[];
}
