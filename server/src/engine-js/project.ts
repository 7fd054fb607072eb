/**
 * The JavaScript and TypeScript files being analysed, each kept as its parsed syntax tree under a
 * key (a URI in the editor). An edit reparses incrementally: TypeScript's `updateSourceFile`
 * reuses the nodes outside the changed span, which takes a few milliseconds where a full parse
 * of a large file takes hundreds. Nothing is bound or type-checked: names are resolved by the
 * model's own scopes (`scopes.ts`), so no program, lib files or module resolution are needed.
 */
import { ts } from 'ts-morph';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT_EXTENSIONS = /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;

interface Kept {
  fileName: string;
  /** The document's current text; `file` may lag behind it until the tree is asked for. */
  text: string;
  file: ts.SourceFile | undefined;
  /** The file on disk the key names (a `file:` URI or a path), for imports from other files. */
  diskPath: string | undefined;
}

export class JsProject {
  private readonly files = new Map<string, Kept>();

  /**
   * Sets the text of the file known by `key` (a URI or path) and returns its tree. The previous
   * tree of the key is reused by the incremental parser and must not be read afterwards: a model
   * lives for one analysis, so none holds it.
   */
  update(key: string, fileName: string, text: string): ts.SourceFile {
    const kept = this.remember(key, fileName, text);
    return this.treeOf(kept);
  }

  /** Keeps the text of an open document that is not analysed (no worker API in it), parsed only if another file imports it. */
  remember(key: string, fileName: string, text: string): Kept {
    // The path on disk when there is one: imports in the file are resolved from it.
    const disk = diskPath(fileName);
    const name = disk !== undefined && SCRIPT_EXTENSIONS.test(disk) ? disk : scriptName(fileName);
    const old = this.files.get(key);
    const kept: Kept = { fileName: name, text, file: old?.fileName === name ? old.file : undefined, diskPath: diskPath(key) };
    this.files.set(key, kept);
    return kept;
  }

  /** The tree of a document open in the editor, by its path on disk: its text may be newer than the disk's. */
  openFile(path: string): ts.SourceFile | undefined {
    for (const kept of this.files.values()) if (kept.diskPath === path) return this.treeOf(kept);
    return undefined;
  }

  private treeOf(kept: Kept): ts.SourceFile {
    const old = kept.file;
    let file = old && (old.text === kept.text ? old : reparse(old, kept.text));
    file ??= parse(kept.fileName, kept.text);
    kept.file = file;
    return file;
  }

  drop(key: string): void {
    this.files.delete(key);
  }
}

/** The path on disk of a file the engine analyses by path or `file:` URI; undefined for other URIs (untitled). */
export function diskPath(file: string): string | undefined {
  if (/^file:/i.test(file)) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return /^[a-z][\w+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? undefined : path.resolve(file);
}

/** A full parse, as the program used to make it: every file a module (strict mode, top-level `await`). */
export function parse(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, { languageVersion: ts.ScriptTarget.ES2022, setExternalModuleIndicator: markModule }, true, scriptKind(fileName));
}

/** The incremental parse of `text` from `old`'s tree; the changed span is what differs between the texts. */
export function reparse(old: ts.SourceFile, text: string): ts.SourceFile | undefined {
  const before = old.text;
  const start = commonPrefix(before, text);
  const tail = commonSuffix(before, text, Math.min(before.length, text.length) - start);
  const change = ts.createTextChangeRange(ts.createTextSpan(start, before.length - tail - start), text.length - tail - start);
  try {
    return ts.updateSourceFile(old, text, change);
  } catch {
    // The incremental parser gave up on this change: a full parse (by the caller) is always right.
    return undefined;
  }
}

// Texts are compared a chunk at a time (a native comparison), then a character at a time.
const CHUNK = 2048;

function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= limit && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** The length of the common end of `a` and `b`, at most `limit`. */
function commonSuffix(a: string, b: string, limit: number): number {
  let n = 0;
  while (n + CHUNK <= limit && a.slice(a.length - n - CHUNK, a.length - n) === b.slice(b.length - n - CHUNK, b.length - n)) n += CHUNK;
  while (n < limit && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
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
