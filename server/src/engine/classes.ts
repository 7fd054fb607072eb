/**
 * Same-file classes: their methods (through same-file bases), their base classes, which of them
 * are Thread or Process subclasses with a `run()` of their own, and the attributes their methods
 * assign on `self`.
 */
import type { Node } from 'web-tree-sitter';
import type { ClassQueries, Evaluation } from './modelParts';
import { canonical } from './names';
import type { NodeIndex } from './scopes';
import type { ObjectValue, Value } from './values';

/** A same-file Thread or Process subclass and the `run()` that runs in the worker. */
export interface WorkerClass {
  cls: Node;
  run: Node;
  kind: 'thread' | 'process';
}

export class ClassIndex implements ClassQueries {
  private readonly selfAttrs = new Map<number, Map<string, Node[]>>();
  private readonly methodTables = new Map<number, Map<string, Node>>();
  private readonly baseCache = new Map<number, Value[]>();
  private workerClassList: WorkerClass[] | undefined;

  constructor(private readonly source: string, private readonly nodes: NodeIndex, private readonly values: Evaluation) {}

  findMethod(cls: Node, name: string, seen = 0): Node | undefined {
    let methods = this.methodTables.get(cls.id);
    if (!methods) {
      methods = new Map();
      for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
        const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
        const defName = def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
        if (def && defName && !methods.has(defName)) methods.set(defName, def);
      }
      this.methodTables.set(cls.id, methods);
    }
    const own = methods.get(name);
    if (own) return own;
    if (seen > 5) return undefined;
    for (const base of this.baseClasses(cls)) {
      if (base.t === 'class') {
        const found = this.findMethod(base.def, name, seen + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  baseClasses(cls: Node): Value[] {
    const cached = this.baseCache.get(cls.id);
    if (cached) return cached;
    this.baseCache.set(cls.id, []);
    const supers = cls.childForFieldName('superclasses');
    const bases = supers ? supers.namedChildren.filter((c) => c.type !== 'keyword_argument').flatMap((c) => this.values.withoutFlow(() => this.values.eval(c))) : [];
    this.baseCache.set(cls.id, bases);
    return bases;
  }

  /** Whether a same-file class derives from `multiprocessing.Process` (or a context's Process). */
  isProcessClass(cls: Node, seen = 0): boolean {
    if (seen > 5) return false;
    return this.baseClasses(cls).some((b) =>
      (b.t === 'ref' && canonical(b.qname) === 'multiprocessing.Process' && b.start !== 'fork') || (b.t === 'class' && this.isProcessClass(b.def, seen + 1)));
  }

  /** `thread` or `process` for a same-file class deriving from `threading.Thread` or
   * `multiprocessing.Process` (directly or through same-file bases), any start method. */
  workerClassKind(cls: Node, seen = 0): 'thread' | 'process' | undefined {
    if (seen > 5) return undefined;
    for (const b of this.baseClasses(cls)) {
      if (b.t === 'ref') {
        const name = canonical(b.qname);
        if (name === 'multiprocessing.Process') return 'process';
        if (name === 'threading.Thread') return 'thread';
      } else if (b.t === 'class') {
        const kind = this.workerClassKind(b.def, seen + 1);
        if (kind) return kind;
      }
    }
    return undefined;
  }

  /** Same-file Thread/Process subclasses with their own `run()`: code that runs in the worker. */
  workerClasses(): WorkerClass[] {
    if (this.workerClassList) return this.workerClassList;
    const out: WorkerClass[] = [];
    // Cheap text test first: most files define no such class.
    if (/\b(Thread|Process)\b/.test(this.source)) {
      for (const cls of this.nodes.of('class_definition')) {
        if (!cls.childForFieldName('superclasses')) continue;
        const kind = this.workerClassKind(cls);
        const run = kind ? this.findMethod(cls, 'run') : undefined;
        if (kind && run) out.push({ cls, run, kind });
      }
    }
    this.workerClassList = out;
    return out;
  }

  /** The first `self.<name> = value` of a class whose value is one of `kinds` (e.g. a pool that
   * makes a bound method unpicklable), unless the class controls its own pickling. */
  selfAttributeOfKind(cls: Node, kinds: ReadonlySet<string>, except?: (v: ObjectValue) => boolean): { name: string; value: ObjectValue; at: Node } | undefined {
    if (['__getstate__', '__reduce__', '__reduce_ex__'].some((m) => this.findMethod(cls, m))) return undefined;
    for (const [name, rights] of this.selfAttributes(cls)) {
      for (const right of rights) {
        const value = this.values.eval(right).find((v): v is ObjectValue => v.t === 'obj' && kinds.has(v.kind) && !except?.(v));
        if (value) return { name, value, at: right };
      }
    }
    return undefined;
  }

  /** `self.<name> = value` assignments in the methods of a class, by attribute name. */
  selfAttributes(cls: Node): Map<string, Node[]> {
    let map = this.selfAttrs.get(cls.id);
    if (map) return map;
    map = new Map();
    this.selfAttrs.set(cls.id, map);
    const body = cls.childForFieldName('body');
    for (const assign of body ? this.nodes.within('assignment', body) : []) {
      const left = assign.childForFieldName('left');
      const right = assign.childForFieldName('right');
      const object = left?.type === 'attribute' ? left.childForFieldName('object') : null;
      const attr = left?.childForFieldName('attribute');
      if (!right || !attr || object?.type !== 'identifier' || object.text !== 'self') continue;
      const list = map.get(attr.text);
      if (list) list.push(right);
      else map.set(attr.text, [right]);
    }
    return map;
  }
}
