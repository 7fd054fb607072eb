/**
 * Loads web-tree-sitter and the Python grammar once per process and hands out parsers.
 * The .wasm files sit next to the bundle in dist/, or in node_modules when run from sources.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

let loading: Promise<Language> | undefined;

function locate(fileName: string, packagePath: string): string {
  const besideBundle = path.join(__dirname, fileName);
  if (fs.existsSync(besideBundle)) return besideBundle;
  return require.resolve(packagePath);
}

/** Resolves once the runtime and grammar are loaded; safe to call many times. */
export function loadPython(): Promise<Language> {
  loading ??= (async () => {
    const runtimeWasm = locate('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm');
    await Parser.init({ locateFile: () => runtimeWasm });
    return Language.load(locate('tree-sitter-python.wasm', '@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm'));
  })();
  return loading;
}

/** A fresh parser for Python; callers keep one per document for incremental reparsing. */
export async function createPythonParser(): Promise<Parser> {
  const language = await loadPython();
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
