/**
 * Adding a fix's code to a Python module whose text is known only when the fix is applied: a new
 * file gets a docstring, the imports and the definitions; an existing one gets the imports it
 * lacks after its own and the definitions at its end, and nothing it holds is replaced. Reads the
 * module line by line (no parse): it runs on the language server's main thread.
 */
import type { ImportSpec, ModuleAddition, TextEdit } from './types';

export type MergedModule =
  | { ok: true; create: boolean; edits: TextEdit[] }
  | { ok: false; reason: string };

/** The text of a module made by `addition` alone. */
export function newModuleText(addition: ModuleAddition): string {
  const imports = importLines(addition.imports);
  const head = imports.length > 0 ? `${addition.header}\n${imports.join('\n')}\n` : `${addition.header}\n`;
  return `${head}\n\n${addition.definitions.join('\n\n\n')}\n`;
}

/**
 * The edits adding `addition` to a module holding `existing` (undefined: no such file, which is
 * then created). Refused when the module already binds one of the names at its top level.
 */
export function mergeIntoModule(existing: string | undefined, addition: ModuleAddition): MergedModule {
  if (existing === undefined) return { ok: true, create: true, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: newModuleText(addition) }] };
  const eol = /\r\n|\r|\n/.exec(existing)?.[0] ?? '\n';
  const lines = existing.split(/\r\n|\r|\n/);
  const withEol = (text: string): string => text.replace(/\n/g, eol);
  if (existing.trim() === '') return { ok: true, create: false, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1]!.length } }, newText: withEol(newModuleText(addition)) }] };
  const taken = addition.defines.find((name) => bindsAtTopLevel(lines, name));
  if (taken) return { ok: false, reason: `${addition.module}.py already defines \`${taken}\`` };
  const present = importedIn(lines);
  const missing = importLines(addition.imports.filter((spec) => !present.has(keyOf(spec))));
  const lastCode = lastNonBlank(lines);
  const afterImports = importsEnd(lines);
  const tail = `\n\n\n${addition.definitions.join('\n\n\n')}\n`;
  const endOfCode = { line: lastCode, character: lines[lastCode]!.length };
  const end = { line: lines.length - 1, character: lines[lines.length - 1]!.length };
  // The imports go after the module's own; when nothing but imports (or nothing) comes after them,
  // they join the appended text instead, so that the two edits never touch.
  if (missing.length === 0) return { ok: true, create: false, edits: [{ range: { start: endOfCode, end }, newText: withEol(tail) }] };
  if (afterImports.line > lastCode) {
    return { ok: true, create: false, edits: [{ range: { start: endOfCode, end }, newText: withEol(`\n${missing.join('\n')}${tail}`) }] };
  }
  let blanks = 0;
  while (afterImports.line + blanks < lines.length && lines[afterImports.line + blanks]!.trim() === '') blanks++;
  const next = lines[afterImports.line + blanks] ?? '';
  // A definition right after the imports wants two blank lines above it.
  const gap = afterImports.hadImports ? '' : /^(def |async def |class |@)/.test(next) ? '\n'.repeat(Math.max(0, 2 - blanks)) : '';
  const at = { line: afterImports.line, character: 0 };
  return {
    ok: true,
    create: false,
    edits: [
      { range: { start: at, end: at }, newText: withEol(`${missing.join('\n')}\n${gap}`) },
      { range: { start: endOfCode, end }, newText: withEol(tail) },
    ],
  };
}

/** Import statements for `specs`: plain imports one a line, `from` imports grouped by module. */
export function importLines(specs: readonly ImportSpec[]): string[] {
  const out: string[] = [];
  const fromLines = new Map<string, number>();
  for (const spec of specs) {
    const item = spec.alias ? `${spec.name} as ${spec.alias}` : spec.name;
    if (spec.from === undefined) {
      out.push(`import ${item}`);
      continue;
    }
    const at = fromLines.get(spec.from);
    if (at === undefined) {
      fromLines.set(spec.from, out.length);
      out.push(`from ${spec.from} import ${item}`);
    } else out[at] = `${out[at]!}, ${item}`;
  }
  return out;
}

function keyOf(spec: ImportSpec): string {
  return `${spec.from ?? ''}|${spec.name}|${spec.alias ?? spec.name}`;
}

/** The imports written at the top level of a module (single-line and parenthesized ones). */
function importedIn(lines: readonly string[]): Set<string> {
  const keys = new Set<string>();
  const add = (from: string | undefined, items: string): void => {
    for (const raw of items.replace(/[()\\]/g, ' ').split(',')) {
      const m = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/.exec(raw.replace(/#.*$/, ''));
      if (m) keys.add(`${from ?? ''}|${m[1]!}|${m[2] ?? m[1]!}`);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const plain = /^import\s+(.+)$/.exec(lines[i]!);
    if (plain) add(undefined, plain[1]!);
    const from = /^from\s+([\w.]+)\s+import\s+(.+)$/.exec(lines[i]!);
    if (!from) continue;
    let items = from[2]!;
    while (items.includes('(') && !items.includes(')') && i + 1 < lines.length) items += ` ${lines[++i]!}`;
    add(from[1], items);
  }
  return keys;
}

/**
 * The line after the module's leading imports (past its docstring, comments, `__future__`), and
 * whether there were any; with none, the line after the docstring or leading comments.
 */
function importsEnd(lines: readonly string[]): { line: number; hadImports: boolean } {
  let i = 0;
  let after = 0;
  let hadImports = false;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const quote = /^[rRuUbB]{0,2}("""|''')/.exec(line)?.[1];
    if (quote && after === 0) {
      let j = i;
      if (!line.slice(line.indexOf(quote) + 3).includes(quote)) for (j = i + 1; j < lines.length && !lines[j]!.includes(quote); j++);
      i = j + 1;
      after = i;
      continue;
    }
    if (!/^(import|from)\s/.test(line)) break;
    const open = line.includes('(') && !line.includes(')');
    while (i + 1 < lines.length && (open ? !lines[i]!.includes(')') : lines[i]!.endsWith('\\'))) i++;
    i++;
    after = i;
    hadImports = true;
  }
  return { line: after, hadImports };
}

function lastNonBlank(lines: readonly string[]): number {
  let l = lines.length - 1;
  while (l > 0 && lines[l]!.trim() === '') l--;
  return l;
}

/** Whether a line at column 0 binds `name`: a def, a class, an assignment or an import. */
function bindsAtTopLevel(lines: readonly string[], name: string): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const binders = [
    new RegExp(`^(async\\s+)?def\\s+${n}\\b`),
    new RegExp(`^class\\s+${n}\\b`),
    new RegExp(`^${n}\\s*(:[^=]*)?=(?!=)`),
    new RegExp(`^(from\\s+\\S+\\s+)?import\\s.*\\b${n}\\b`),
  ];
  return lines.some((line) => binders.some((re) => re.test(line)));
}
