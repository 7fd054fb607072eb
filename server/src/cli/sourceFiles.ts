/**
 * Finds the Python files under the paths given to `workerscope check` and reads them as text,
 * honouring PEP 263 coding cookies and refusing binary or undecodable files with a reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', '.git', '.hg', '.svn', '.tox', '.nox', '.mypy_cache', '.ruff_cache', '.pytest_cache']);
const PYTHON_EXTENSIONS = new Set(['.py', '.pyw', '.ipynb']);

/** Expands files and directories into Python files and Jupyter notebooks, sorted for stable output. Throws on a missing path. */
export function collectPythonFiles(paths: readonly string[]): string[] {
  const found: string[] = [];
  for (const given of paths) {
    const stat = fs.statSync(given); // Throws ENOENT for a missing path: the caller reports it.
    if (stat.isDirectory()) walk(given, found);
    else found.push(given);
  }
  return found.sort();
}

function walk(dir: string, into: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // An unreadable directory inside a tree is skipped like an ignored one.
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (SKIPPED_DIRS.has(entry.name) || (entry.name.startsWith('.') && entry.name !== '.')) continue;
      if (fs.existsSync(path.join(full, 'pyvenv.cfg'))) continue; // A virtual environment.
      walk(full, into);
    } else if (entry.isFile() && PYTHON_EXTENSIONS.has(path.extname(entry.name))) {
      into.push(full);
    }
  }
}

export type DecodedSource = { ok: true; text: string } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

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
