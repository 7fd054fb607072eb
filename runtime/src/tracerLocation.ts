/**
 * Finds the Python tracer package: `dist/python` beside the bundle in an installed extension or
 * CLI, `debug-adapter/python` when running from the repository's compiled tests (out/runtime/src).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function tracerPythonPath(): string {
  const candidates = [
    path.join(__dirname, 'python'),
    path.resolve(__dirname, '..', '..', 'python'),
    path.resolve(__dirname, '..', '..', '..', 'debug-adapter', 'python'),
  ];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'workerscope_supervise.py'))) return dir;
  }
  throw new Error(`Workerscope's Python tracer was not found (looked in ${candidates.join(', ')})`);
}
