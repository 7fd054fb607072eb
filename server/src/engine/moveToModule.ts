/**
 * The notebook quick fix "Move `f` to a module": a function defined in a cell, sent to spawn or
 * forkserver workers, goes to a module beside the notebook (which workers can import), with the
 * imports it uses and the notebook functions it calls, and the cells import it back. Offered only
 * when nothing else the functions read lives in the notebook's globals.
 */
import type { Node } from 'web-tree-sitter';
import { ownsItsLines } from './fixes';
import { isNameUse } from './references';
import type { Model } from './model';
import type { Binding } from './scopes';
import { pos } from './text';
import type { Fix, ImportSpec, ModuleAddition, NotebookLayout, TextEdit } from './types';

// The builtins of CPython 3.8-3.14: a name bound nowhere in the notebook means one of these in a
// module too. Anything else unbound (`display`, `get_ipython`) is injected by IPython, and a module
// has no such name.
const BUILTINS: ReadonlySet<string> = new Set(`ArithmeticError AssertionError AttributeError BaseException
BaseExceptionGroup BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError
ConnectionError ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning
EnvironmentError Exception ExceptionGroup False FileExistsError FileNotFoundError FloatingPointError FutureWarning
GeneratorExit IOError ImportError ImportWarning IndentationError IndexError InterruptedError IsADirectoryError KeyError
KeyboardInterrupt LookupError MemoryError ModuleNotFoundError NameError None NotADirectoryError NotImplemented
NotImplementedError OSError OverflowError PendingDeprecationWarning PermissionError ProcessLookupError
PythonFinalizationError RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration
StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError True TypeError UnboundLocalError
UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning
ZeroDivisionError __build_class__ __debug__ __import__ abs aiter all anext any ascii bin bool breakpoint bytearray bytes
callable chr classmethod compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter
float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len license list
locals map max memoryview min next object oct open ord pow print property quit range repr reversed round set setattr
slice sorted staticmethod str sum super tuple type vars zip`.split(/\s+/));

// A function pulling more notebook functions than this along is better moved by hand.
const MAX_MOVED = 8;

/** Where the module goes: `<stem>_tasks.py` beside the notebook (a path or a `file:` URI). */
export interface ModuleTarget {
  file: string;
  module: string;
  notebookName: string;
}

/**
 * The module for a notebook at `file`: its stem made a lower-case ASCII identifier (accents
 * dropped), plus `_tasks` (no standard-library module ends so). Undefined for notebooks that have no folder on disk
 * (`untitled:` and other schemes) and for files that are not `.ipynb`.
 */
export function moduleTargetFor(file: string): ModuleTarget | undefined {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(file);
  const uri = scheme !== null;
  if (uri && scheme[1]!.toLowerCase() !== 'file') return undefined;
  const cut = Math.max(file.lastIndexOf('/'), uri ? -1 : file.lastIndexOf('\\'));
  let name = file.slice(cut + 1);
  if (uri) {
    try {
      name = decodeURIComponent(name);
    } catch {
      return undefined;
    }
  }
  const stem = /^(.*)\.ipynb$/i.exec(name)?.[1];
  if (stem === undefined) return undefined;
  let base = stem.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  if (base === '') base = 'notebook';
  if (/^[0-9]/.test(base)) base = `nb_${base}`;
  const module = `${base}_tasks`;
  return { file: `${file.slice(0, cut + 1)}${module}.py`, module, notebookName: name };
}

/** What moving a set of notebook functions needs: the functions (in source order) and their imports. */
interface MovePlan {
  defs: Node[];
  imports: ImportSpec[];
}

/**
 * The quick fix moving `def` (a module-level function of a notebook) to the module beside it, or
 * undefined when that is not safe: it reads a notebook global that is neither an import nor another
 * movable function, or the code cannot be lifted whole.
 */
export function moveToModuleFix(model: Model, def: Node, file: string, notebook: NotebookLayout | undefined): Fix | undefined {
  const target = moduleTargetFor(file);
  if (!target || def.type !== 'function_definition') return undefined;
  const plan = planMove(model, def, target.module, new Set(notebook?.magicLines ?? []));
  if (!plan) return undefined;
  const cells = cellEdits(model, plan.defs, target.module, notebook);
  if (!cells) return undefined;
  const names = plan.defs.map(nameOf);
  const root = nameOf(def);
  const ordered = [root, ...names.filter((n) => n !== root)].map((n) => `\`${n}\``);
  const listed = ordered.length === 1 ? ordered[0]! : `${ordered.slice(0, -1).join(', ')} and ${ordered[ordered.length - 1]!}`;
  const addition: ModuleAddition = {
    kind: 'module',
    file: target.file,
    module: target.module,
    imports: plan.imports,
    definitions: plan.defs.map((d) => statementLines(model, d).join('\n')),
    defines: names,
    // Short lines: the file is the user's now, linted with their line length.
    header: `"""Functions moved out of ${target.notebookName.replace(/["\\]/g, '_')}.\n\nWorkers started by spawn or forkserver import them from here.\n"""`,
    alreadyImported: model.scopes.imported.some((m) => m === target.module || m.startsWith(`${target.module}.`)),
  };
  return { title: `Move ${listed} to ${target.module}.py beside the notebook`, edits: cells, files: [addition] };
}

function nameOf(def: Node): string {
  return def.childForFieldName('name')?.text ?? '';
}

/** The statement a function is: its `decorated_definition` when it has decorators. */
function statementOf(def: Node): Node {
  return def.parent?.type === 'decorated_definition' ? def.parent : def;
}

/** The function's lines, without trailing blanks except where a line ends inside a string (part of its value). */
function statementLines(model: Model, def: Node): string[] {
  const stmt = statementOf(def);
  const endsInString = new Set<number>();
  for (const s of stmt.descendantsOfType('string')) for (let l = s.startPosition.row; l < s.endPosition.row; l++) endsInString.add(l);
  const out: string[] = [];
  for (let l = stmt.startPosition.row; l <= stmt.endPosition.row; l++) {
    const text = model.lines.line(l);
    out.push(endsInString.has(l) ? text : text.replace(/[ \t]+$/, ''));
  }
  return out;
}

/** Whether a function can be lifted as it is written: at module level, whole lines, no magics in it. */
function liftable(model: Model, def: Node, magicLines: ReadonlySet<number>): boolean {
  const stmt = statementOf(def);
  if (stmt.parent?.type !== 'module' || stmt.hasError || !ownsItsLines(model, stmt)) return false;
  if (def.descendantsOfType(['global_statement', 'nonlocal_statement']).length > 0) return false;
  for (let l = stmt.startPosition.row; l <= stmt.endPosition.row; l++) if (magicLines.has(l)) return false;
  const bindings = model.scopes.module.bindings.get(nameOf(def)) ?? [];
  return bindings.length === 1 && bindings[0]!.k === 'def' && bindings[0]!.def.id === def.id;
}

/**
 * The functions to move (`def` and every notebook function it reaches) and the imports they read,
 * or undefined when one of them reads a notebook global of another kind. Imports from the target
 * module itself (a function moved before) need no import there.
 */
function planMove(model: Model, def: Node, module: string, magicLines: ReadonlySet<number>): MovePlan | undefined {
  const defs = new Map<number, Node>([[def.id, def]]);
  const queue = [def];
  const imports = new Map<string, ImportSpec>();
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (!liftable(model, current, magicLines)) return undefined;
    for (const id of statementOf(current).descendantsOfType('identifier')) {
      if (!isNameUse(id)) continue;
      const bindings = model.lookup(id);
      if (bindings === undefined) {
        if (!BUILTINS.has(id.text) || model.scopes.starImports.length > 0) return undefined;
        continue;
      }
      const global = bindings.filter((b) => model.scopes.scopeOf(b.node).kind === 'module');
      if (global.length === 0) continue;
      if (global.length !== bindings.length) return undefined;
      const found = globalsNeeded(global, module);
      if (!found) return undefined;
      for (const spec of found.imports) imports.set(importKey(spec), spec);
      for (const d of found.defs) {
        if (defs.has(d.id)) continue;
        if (defs.size >= MAX_MOVED) return undefined;
        defs.set(d.id, d);
        queue.push(d);
      }
    }
  }
  return { defs: [...defs.values()].sort((a, b) => a.startIndex - b.startIndex), imports: [...imports.values()] };
}

function importKey(spec: ImportSpec): string {
  return `${spec.from ?? ''}|${spec.name}|${spec.alias ?? ''}`;
}

/** What the module-level bindings of one name need: imports to copy, or functions to move. */
function globalsNeeded(bindings: readonly Binding[], module: string): { imports: ImportSpec[]; defs: Node[] } | undefined {
  const imports: ImportSpec[] = [];
  const defs: Node[] = [];
  for (const b of bindings) {
    if (b.k === 'def') {
      defs.push(b.def);
      continue;
    }
    if (b.k !== 'import') return undefined;
    const spec = importSpecOf(b.node);
    if (!spec) return undefined;
    if (spec.from === module) continue;
    if (spec.from === undefined && (spec.name === module || spec.name.startsWith(`${module}.`))) return undefined;
    imports.push(spec);
  }
  // `import numpy as np` in two cells is one import; two different meanings of a name are not.
  const keys = new Set(imports.map(importKey));
  if (keys.size > 1 || (defs.length > 0 && imports.length > 0) || defs.length > 1) return undefined;
  return { imports: imports.slice(0, 1), defs };
}

/** The import a bound name comes from, when it is a plain top-level, absolute import. */
function importSpecOf(bound: Node): ImportSpec | undefined {
  let item: Node | null = bound;
  while (item && item.parent && item.parent.type !== 'import_statement' && item.parent.type !== 'import_from_statement') item = item.parent;
  const stmt = item?.parent;
  if (!item || !stmt || stmt.parent?.type !== 'module') return undefined;
  const nameNode = item.type === 'aliased_import' ? item.childForFieldName('name') : item;
  const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
  if (!nameNode || nameNode.type !== 'dotted_name') return undefined;
  const name = nameNode.text.replace(/\s+/g, '');
  if (stmt.type === 'import_statement') return { name, ...(alias ? { alias } : {}) };
  const from = stmt.childForFieldName('module_name');
  if (!from || from.type !== 'dotted_name') return undefined;
  return { from: from.text.replace(/\s+/g, ''), name, ...(alias ? { alias } : {}) };
}

/** The cells of the joined source, as [first, last] lines. */
function cellsOf(model: Model, notebook: NotebookLayout | undefined): Array<[number, number]> {
  const starts = notebook?.cellStarts.length ? notebook.cellStarts : [0];
  const last = model.lines.lineCount - 1;
  return starts.map((s, i) => [s, i + 1 < starts.length ? starts[i + 1]! - 1 : last]);
}

/**
 * Per cell that loses functions: their lines deleted (with the blank lines that would pile up)
 * and `from <module> import …` added after the cell's leading imports, or at its first line of
 * code. Edits never leave their cell, and never overlap.
 */
function cellEdits(model: Model, defs: readonly Node[], module: string, notebook: NotebookLayout | undefined): TextEdit[] | undefined {
  const edits: TextEdit[] = [];
  for (const [first, last] of cellsOf(model, notebook)) {
    const inCell = defs.filter((d) => statementOf(d).startPosition.row >= first && statementOf(d).startPosition.row <= last);
    if (inCell.length === 0) continue;
    if (inCell.some((d) => statementOf(d).endPosition.row > last)) return undefined;
    const removed = new Set<number>();
    for (const d of inCell) for (let l = statementOf(d).startPosition.row; l <= statementOf(d).endPosition.row; l++) removed.add(l);
    const blocks = removalBlocks(model, removed, first, last);
    const importLine = `from ${module} import ${inCell.map(nameOf).join(', ')}\n`;
    const top = importLineFor(model, first, last);
    const host = blocks.find((b) => top >= b.start.line && top <= b.end.line);
    for (const b of blocks) edits.push({ range: { start: b.start, end: b.end }, newText: b === host ? importLine : '' });
    if (!host) edits.push({ range: { start: pos(top, 0), end: pos(top, 0) }, newText: importLine });
  }
  return edits;
}

const blank = (text: string): boolean => text.trim() === '';

/**
 * Runs of removed lines (and the blank lines between and after them) as ranges: blank lines
 * before a run stay, as they separate what precedes from what follows, unless the run reaches
 * the end of the cell, which then ends with the last line kept.
 */
function removalBlocks(model: Model, removed: ReadonlySet<number>, first: number, last: number): Array<{ start: ReturnType<typeof pos>; end: ReturnType<typeof pos> }> {
  const out: Array<{ start: ReturnType<typeof pos>; end: ReturnType<typeof pos> }> = [];
  let l = first;
  while (l <= last) {
    if (!removed.has(l)) {
      l++;
      continue;
    }
    let startLine = l;
    let end = l;
    while (end + 1 <= last && (removed.has(end + 1) || blank(model.lines.line(end + 1)))) end++;
    const toCellEnd = end === last;
    if (toCellEnd) while (startLine - 1 >= first && blank(model.lines.line(startLine - 1)) && !removed.has(startLine - 1)) startLine--;
    out.push({ start: pos(startLine, 0), end: toCellEnd ? pos(last, model.lines.line(last).length) : pos(end + 1, 0) });
    l = end + 1;
  }
  return out;
}

/** The line where a cell's import goes: after its leading imports, else at its first line of code. */
function importLineFor(model: Model, first: number, last: number): number {
  const code = (from: number): number => {
    let l = from;
    while (l <= last && (blank(model.lines.line(l)) || model.lines.line(l).trimStart().startsWith('#'))) l++;
    return l;
  };
  const statements = new Map<number, Node>();
  for (const s of model.root.namedChildren) if (s.startPosition.row >= first && s.startPosition.row <= last) statements.set(s.startPosition.row, s);
  let top = code(first);
  for (let l = top; l <= last;) {
    const stmt = statements.get(l);
    if (!stmt || (stmt.type !== 'import_statement' && stmt.type !== 'import_from_statement')) break;
    top = stmt.endPosition.row + 1;
    l = code(top);
  }
  return Math.min(top, last);
}
