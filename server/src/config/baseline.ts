/**
 * Baselines: the findings a project has accepted for now, so only new ones are reported. A finding
 * is known by its file (relative to the baseline's directory), its rule and a fingerprint of the
 * flagged line's text and the functions or classes around it, plus an occurrence index among
 * identical ones: edits elsewhere in the file, which move it, leave it matched.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../engine/types';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  /** Relative to the baseline file's directory, `/`-separated. */
  file: string;
  rule: string;
  fingerprint: string;
  /** Among the file's findings with this rule and fingerprint, in order of position (0-based). */
  occurrence: number;
  /** For readers of the file only: the enclosing definitions and the flagged line, as fingerprinted. */
  scope: string;
  code: string;
}

export interface Fingerprint {
  fingerprint: string;
  occurrence: number;
  scope: string;
  code: string;
}

export class BaselineError extends Error {
  override readonly name = 'BaselineError';
}

/** The fingerprints of a file's findings, in the order given (which should be by position). */
export function fingerprintFindings(findings: readonly Finding[], source: string): Fingerprint[] {
  const lines = source.split(/\r\n|\r|\n/);
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const code = normaliseLine(lines[f.range.start.line] ?? '');
    const scope = enclosingScope(lines, f.range.start.line);
    const fingerprint = createHash('sha256').update(`${f.rule}\0${scope}\0${code}`).digest('hex').slice(0, 16);
    const key = `${f.rule}\0${fingerprint}`;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return { fingerprint, occurrence, scope, code: code.length > 160 ? `${code.slice(0, 157)}...` : code };
  });
}

function normaliseLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

const DEFINITION = /^\s*(?:(?:async\s+)?def\s+([A-Za-z_]\w*)|class\s+([A-Za-z_$][\w$]*)|(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*))/;

/**
 * The names of the definitions enclosing a line, outermost first (`Worker.run`), found by
 * indentation the way a reader finds them: each line above that is indented less and opens a
 * `def`, `class` or `function`. Text only, so the CLI and the editor agree without a tree.
 */
function enclosingScope(lines: readonly string[], line: number): string {
  const names: string[] = [];
  let indent = indentOf(lines[line] ?? '');
  for (let i = line - 1; i >= 0 && indent > 0; i--) {
    const text = lines[i]!;
    if (text.trim() === '' || /^\s*(#|\/\/|\*|\/\*)/.test(text)) continue;
    const own = indentOf(text);
    if (own >= indent) continue;
    indent = own;
    const m = DEFINITION.exec(text);
    if (m) names.unshift(m[1] ?? m[2] ?? m[3]!);
  }
  return names.join('.');
}

function indentOf(line: string): number {
  let n = 0;
  for (const c of line) {
    if (c === ' ') n++;
    else if (c === '\t') n += 8 - (n % 8);
    else break;
  }
  return n;
}

/** The accepted findings of a baseline file, looked up by file, rule, fingerprint and occurrence. */
export class Baseline {
  private readonly keys = new Set<string>();

  constructor(
    readonly file: string,
    readonly entries: readonly BaselineEntry[],
  ) {
    for (const e of entries) this.keys.add(entryKey(e.file, e.rule, e.fingerprint, e.occurrence));
  }

  get dir(): string {
    return path.dirname(this.file);
  }

  /** A file's path as the baseline names it: relative to the baseline's directory, `/`-separated. */
  relative(file: string): string {
    return path.relative(this.dir, path.resolve(file)).split(path.sep).join('/');
  }

  has(relativeFile: string, rule: string, print: Fingerprint): boolean {
    return this.keys.has(entryKey(relativeFile, rule, print.fingerprint, print.occurrence));
  }

  /** Reads a baseline; a missing file is an empty baseline, a malformed one a BaselineError. */
  static read(file: string): Baseline {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Baseline(path.resolve(file), []);
      throw new BaselineError(`cannot read baseline ${file}: ${(error as Error).message}`);
    }
    return new Baseline(path.resolve(file), parseBaseline(file, text));
  }
}

function entryKey(file: string, rule: string, fingerprint: string, occurrence: number): string {
  return `${file}\0${rule}\0${fingerprint}\0${occurrence}`;
}

function parseBaseline(file: string, text: string): BaselineEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`baseline ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const doc = data as { version?: unknown; findings?: unknown };
  if (!doc || typeof doc !== 'object' || doc.version !== BASELINE_VERSION || !Array.isArray(doc.findings)) {
    throw new BaselineError(`baseline ${file} is not a Workerscope baseline (version ${BASELINE_VERSION} with a "findings" array)`);
  }
  return doc.findings.map((raw: unknown, i: number) => {
    const e = raw as Partial<BaselineEntry>;
    if (!e || typeof e.file !== 'string' || typeof e.rule !== 'string' || typeof e.fingerprint !== 'string' || typeof e.occurrence !== 'number') {
      throw new BaselineError(`baseline ${file}: entry ${i + 1} needs "file", "rule", "fingerprint" and "occurrence"`);
    }
    return { file: e.file, rule: e.rule, fingerprint: e.fingerprint, occurrence: e.occurrence, scope: String(e.scope ?? ''), code: String(e.code ?? '') };
  });
}

/** The baseline file's text: sorted, one finding per line, so a change shows as a small diff. */
export function formatBaseline(entries: readonly BaselineEntry[]): string {
  const sorted = [...entries].sort((a, b) => cmp(a.file, b.file) || cmp(a.rule, b.rule) || cmp(a.fingerprint, b.fingerprint) || a.occurrence - b.occurrence);
  const lines = sorted.map((e) => `    ${JSON.stringify({ file: e.file, rule: e.rule, fingerprint: e.fingerprint, occurrence: e.occurrence, scope: e.scope, code: e.code })}`);
  return `{\n  "version": ${BASELINE_VERSION},\n  "findings": [${lines.length > 0 ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Writes a baseline atomically (a temporary file renamed over it), mode 0644. */
export function writeBaseline(file: string, entries: readonly BaselineEntry[]): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, formatBaseline(entries), { mode: 0o644 });
  fs.renameSync(temp, file);
}
