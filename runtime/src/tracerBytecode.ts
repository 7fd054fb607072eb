/**
 * Keeps the tracer's bytecode cached for the interpreter a program ran on. Every traced process
 * imports the tracer; under PYTHONDONTWRITEBYTECODE (common in containers) nothing caches it, and
 * each pool worker would compile it from source. After a run whose bytecode was missing or stale,
 * the supervisor's launcher compiles it in the background, once, for the runs that follow.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const compiling = new Set<string>();

/** The tracer's sources whose `.pyc` every traced process loads. */
function tracerSources(tracerDir: string): string[] {
  const packageDir = path.join(tracerDir, 'workerscope_tracer');
  const sources = fs.readdirSync(packageDir).filter((name) => name.endsWith('.py')).map((name) => path.join(packageDir, name));
  sources.push(path.join(tracerDir, 'bootstrap', 'sitecustomize.py'));
  return sources;
}

/**
 * The interpreter's own test, without asking it: a timestamp `.pyc` records its source's mtime
 * and size (bytes 8–16); a hash-based one (flag bit 0) is the interpreter's to check.
 */
export function bytecodeIsCurrent(source: string, cacheTag: string): boolean {
  const cached = path.join(path.dirname(source), '__pycache__', `${path.basename(source, '.py')}.${cacheTag}.pyc`);
  let head: Buffer;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
    const fd = fs.openSync(cached, 'r');
    try {
      head = Buffer.alloc(16);
      if (fs.readSync(fd, head, 0, 16, 0) < 16) return false;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  if (head.readUInt32LE(4) & 1) return true;
  return head.readUInt32LE(8) === Math.floor(stat.mtimeMs / 1000) % 2 ** 32 && head.readUInt32LE(12) === stat.size % 2 ** 32;
}

/**
 * Starts a background compile when any of the tracer's modules lacks current bytecode for
 * `cacheTag`. Only where the program's environment keeps the interpreter from caching it:
 * otherwise the first import wrote it (and with a cache prefix it lives elsewhere).
 */
export function compileTracerIfStale(python: string, tracerDir: string, cacheTag: string, cwd: string | undefined, env: NodeJS.ProcessEnv): boolean {
  if (!env.PYTHONDONTWRITEBYTECODE || env.PYTHONPYCACHEPREFIX) return false;
  if (compiling.has(`${python}\0${cacheTag}`)) return false;
  let stale: boolean;
  try {
    stale = tracerSources(tracerDir).some((source) => !bytecodeIsCurrent(source, cacheTag));
  } catch {
    return false;
  }
  if (!stale) return false;
  compiling.add(`${python}\0${cacheTag}`);
  try {
    const child = spawn(python, ['-S', path.join(tracerDir, 'workerscope_supervise.py'), '--compile-tracer'], { cwd, env, stdio: 'ignore', detached: true });
    child.on('error', () => undefined); // a read-only install stays uncompiled, as it was
    child.unref();
  } catch {
    return false;
  }
  return true;
}
