/**
 * Finds the Python, JavaScript and TypeScript files under the paths given to `workerscope check`
 * and reads them as text, honouring PEP 263 coding cookies in Python and refusing binary or
 * undecodable files with a reason.
 * Symbolic links are followed, each real directory and file at most once (loop-safe); paths that
 * cannot be read, and special files (FIFOs, devices, sockets), are reported, never skipped silently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isJsFile } from '../engine-js/prefilter';

const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', '.git', '.hg', '.svn', '.tox', '.nox', '.mypy_cache', '.ruff_cache', '.pytest_cache']);
const PYTHON_EXTENSIONS = new Set(['.py', '.pyw', '.ipynb']);

/** Called once per path that could not be searched or is not a file `check` may read. */
export type PathProblem = (file: string, reason: string) => void;

/** Names `check` reads inside directories: Python, notebooks, JavaScript and TypeScript (not `.d.ts`). */
function isSourceName(name: string): boolean {
  return PYTHON_EXTENSIONS.has(path.extname(name)) || isJsFile(name);
}

/**
 * Expands files and directories into Python files, Jupyter notebooks and JavaScript/TypeScript
 * files, sorted for stable output. A path given explicitly is taken whatever its extension; inside
 * directories only source names count.
 */
export function collectSourceFiles(paths: readonly string[], problem: PathProblem): string[] {
  const walker = new Walker(problem);
  for (const given of paths) {
    const stat = statOrReport(given, problem);
    if (!stat) continue;
    if (stat.isDirectory()) walker.directory(given, stat);
    else if (stat.isFile()) walker.file(given, stat);
    else problem(given, notRegular(stat));
  }
  return walker.found.sort();
}

class Walker {
  readonly found: string[] = [];
  /** `dev:ino` of every directory and file taken, so a link back up the tree (or twice to one file) is followed once. */
  private readonly seen = new Set<string>();

  constructor(private readonly problem: PathProblem) {}

  file(file: string, stat: fs.Stats): void {
    if (this.firstVisit(stat)) this.found.push(file);
  }

  directory(dir: string, stat: fs.Stats): void {
    if (!this.firstVisit(stat)) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      this.problem(dir, describeError(error));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) this.entry(dir, entry);
  }

  private entry(dir: string, entry: fs.Dirent): void {
    const full = path.join(dir, entry.name);
    const isSource = isSourceName(entry.name);
    if (!entry.isDirectory() && !entry.isFile() && !entry.isSymbolicLink()) {
      // A FIFO, socket or device with a Python name would block or never end if read: report it.
      if (isSource) this.problem(full, 'not a regular file (a FIFO, socket or device)');
      return;
    }
    if (entry.isFile() && !isSource) return;
    // Directories and links need their target's identity; a dangling link only matters under a Python name.
    const stat = statOrReport(full, isSource ? this.problem : () => undefined);
    if (!stat) return;
    if (stat.isDirectory()) {
      if (SKIPPED_DIRS.has(entry.name) || (entry.name.startsWith('.') && entry.name !== '.')) return;
      if (fs.existsSync(path.join(full, 'pyvenv.cfg'))) return; // A virtual environment.
      this.directory(full, stat);
    } else if (!isSource) {
      return;
    } else if (stat.isFile()) {
      this.file(full, stat);
    } else {
      this.problem(full, notRegular(stat));
    }
  }

  private firstVisit(stat: fs.Stats): boolean {
    const key = `${stat.dev}:${stat.ino}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

function statOrReport(file: string, problem: PathProblem): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && isDanglingLink(file)) problem(file, 'broken symbolic link');
    else if (e.code === 'ELOOP') problem(file, 'symbolic link loop');
    else problem(file, describeError(error));
    return undefined;
  }
}

function isDanglingLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function notRegular(stat: fs.Stats): string {
  const kind = stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'a special file';
  return `not a regular file (${kind})`;
}

export function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'ENOTDIR') return 'not a directory';
  return e.message ?? String(error);
}

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; reason: string; io: boolean };

/**
 * Reads a regular file of at most `maxBytes`. The file is opened without blocking and checked on
 * its descriptor, so a path that became a FIFO or device after the walk is refused, not waited on.
 * `io` tells a read failure (exit 2) from a file refused for its size (a skip, like other unfit input).
 */
export function readSourceFile(file: string, maxBytes: number, tooLarge: (bytes: number) => string): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, reason: describeError(error), io: true };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: notRegular(stat), io: true };
    if (stat.size > maxBytes) return { ok: false, reason: tooLarge(stat.size), io: false };
    // Read to the end, but never past the limit, even if the file grows while read.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return { ok: false, reason: tooLarge(total), io: false };
    }
    return { ok: true, bytes: Buffer.concat(chunks, total) };
  } catch (error) {
    return { ok: false, reason: describeError(error), io: true };
  } finally {
    fs.closeSync(fd);
  }
}

export type DecodedSource = { ok: true; text: string } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** Decodes JavaScript or TypeScript source bytes: UTF-8 (a byte order mark is dropped). */
export function decodeUtf8Source(bytes: Uint8Array): DecodedSource {
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
}

/** Decodes Python source bytes as Python would: UTF-8 unless a coding cookie in the first two lines says otherwise. */
export function decodePythonSource(bytes: Uint8Array): DecodedSource {
  const head = Buffer.from(bytes.subarray(0, 400)).toString('latin1').split('\n', 2);
  const cookie = head.map((line) => CODING_COOKIE.exec(line)?.[1]).find((c) => c !== undefined);
  const encoding = normaliseEncoding(cookie);
  try {
    if (encoding === 'utf-8') return { ok: true, text: utf8.decode(bytes) };
    return { ok: true, text: new TextDecoder(encoding, { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: cookie ? `cannot decode as ${cookie}` : 'not valid UTF-8 (and no coding cookie)' };
  }
}

function normaliseEncoding(cookie: string | undefined): string {
  if (!cookie) return 'utf-8';
  const name = cookie.toLowerCase().replace(/_/g, '-');
  if (name === 'utf-8' || name === 'utf8' || name.startsWith('utf-8-')) return 'utf-8';
  if (name === 'latin-1' || name.startsWith('iso-8859-1') || name.startsWith('iso-latin-1')) return 'latin1';
  try {
    new TextDecoder(name);
    return name;
  } catch {
    return 'utf-8';
  }
}
