/**
 * The JavaScript and TypeScript files being analysed, each kept as its parsed syntax tree under a
 * key (a URI in the editor). An edit reparses incrementally: TypeScript's `updateSourceFile`
 * reuses the nodes outside the changed span, which takes a few milliseconds where a full parse
 * of a large file takes hundreds. Nothing is bound or type-checked: names are resolved by the
 * model's own scopes (`scopes.ts`), so no program, lib files or module resolution are needed.
 */
import { ts } from 'ts-morph';

const SCRIPT_EXTENSIONS = /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;

interface Kept {
  fileName: string;
  file: ts.SourceFile;
}

export class JsProject {
  private readonly files = new Map<string, Kept>();

  /**
   * Sets the text of the file known by `key` (a URI or path) and returns its tree. The previous
   * tree of the key is reused by the incremental parser and must not be read afterwards: a model
   * lives for one analysis, so none holds it.
   */
  update(key: string, fileName: string, text: string): ts.SourceFile {
    const name = scriptName(fileName);
    const kept = this.files.get(key);
    let file: ts.SourceFile | undefined;
    if (kept && kept.fileName === name) file = kept.file.text === text ? kept.file : reparse(kept.file, text);
    file ??= parse(name, text);
    this.files.set(key, { fileName: name, file });
    return file;
  }

  drop(key: string): void {
    this.files.delete(key);
  }
}

/** A full parse, as the program used to make it: every file a module (strict mode, top-level `await`). */
export function parse(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, { languageVersion: ts.ScriptTarget.ES2022, setExternalModuleIndicator: markModule }, true, scriptKind(fileName));
}

/** The incremental parse of `text` from `old`'s tree; the changed span is what differs between the texts. */
export function reparse(old: ts.SourceFile, text: string): ts.SourceFile | undefined {
  const before = old.text;
  const limit = Math.min(before.length, text.length);
  let start = 0;
  while (start < limit && before.charCodeAt(start) === text.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < limit - start && before.charCodeAt(before.length - 1 - tail) === text.charCodeAt(text.length - 1 - tail)) tail++;
  const change = ts.createTextChangeRange(ts.createTextSpan(start, before.length - tail - start), text.length - tail - start);
  try {
    return ts.updateSourceFile(old, text, change);
  } catch {
    // The incremental parser gave up on this change: a full parse (by the caller) is always right.
    return undefined;
  }
}

function markModule(file: ts.SourceFile): void {
  (file as { externalModuleIndicator?: unknown }).externalModuleIndicator = true;
}

/** A name that keeps the extension, which decides how the file is parsed (JS, JSX, TS, TSX). */
function scriptName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? 'file.js';
  return SCRIPT_EXTENSIONS.test(base) ? base : `${base}.js`;
}

function scriptKind(fileName: string): ts.ScriptKind {
  const ext = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  switch (ext) {
    case 'ts':
    case 'mts':
    case 'cts':
      return ts.ScriptKind.TS;
    case 'tsx':
      return ts.ScriptKind.TSX;
    case 'jsx':
      return ts.ScriptKind.JSX;
    default:
      return ts.ScriptKind.JS;
  }
}
