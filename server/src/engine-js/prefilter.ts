/**
 * The text scan before a JavaScript or TypeScript file is parsed: a file that names none of the
 * worker, process and shared-memory modules cannot trigger a JS rule. Free of ts-morph, so the
 * CLI and the language server can ask it without loading the compiler.
 */

const WORKER_HINT = /worker_threads|\bcluster\b|child_process|SharedArrayBuffer|piscina|workerpool|\bthreads\b|structuredClone/;

export function mightUseWorkers(source: string): boolean {
  return WORKER_HINT.test(source);
}

/** Extensions of the files the JS engine reads. */
export const JS_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx']);

export function isJsFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot !== -1 && JS_EXTENSIONS.has(name.slice(dot).toLowerCase()) && !/\.d\.[mc]?ts$/i.test(name);
}
