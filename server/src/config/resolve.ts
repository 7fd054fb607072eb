/**
 * Which configuration applies to a file, and what it means for that file: the nearest
 * `workerscope.toml` or `pyproject.toml` with a `[tool.workerscope]` table, walking up from the
 * file's directory and stopping at the repository (or workspace) root; then the severities, start
 * method, exclusion and baseline it gives the file, with the editor's rule settings on top.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SeveritySetting } from '../engine/types';
import type { StartMethod } from '../engine/names';
import { readConfigFile, readTextIfExists, type ConfigRead, type ProjectConfig } from './projectConfig';

/** Looked for in each directory, in this order: the first that configures Workerscope wins. */
export const CONFIG_FILE_NAMES = ['workerscope.toml', 'pyproject.toml'] as const;

export interface FoundConfig extends ConfigRead {
  /** The file read, when one was found. */
  file?: string;
}

interface CacheEntry {
  stamp: string;
  read: ConfigRead;
}

export class ConfigResolver {
  private readonly files = new Map<string, CacheEntry>();

  /**
   * @param isRoot whether the search stops at a directory (after looking in it); the repository
   * root (a `.git` entry) and the filesystem root always stop it.
   */
  constructor(
    private readonly knownRules: ReadonlySet<string>,
    private readonly isRoot: (dir: string) => boolean = () => false,
  ) {}

  /** The nearest configuration of `file` (an absolute path). Files are re-read when they change on disk. */
  forFile(file: string): FoundConfig {
    let dir = path.dirname(path.resolve(file));
    for (;;) {
      for (const name of CONFIG_FILE_NAMES) {
        const candidate = path.join(dir, name);
        const read = this.read(candidate);
        if (read && (read.config || read.problems.length > 0)) return { ...read, file: candidate };
      }
      const parent = path.dirname(dir);
      if (parent === dir || this.isRoot(dir) || fs.existsSync(path.join(dir, '.git'))) return { problems: [] };
      dir = parent;
    }
  }

  private read(file: string): ConfigRead | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.files.delete(file);
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    const cached = this.files.get(file);
    if (cached?.stamp === stamp) return cached.read;
    let read: ConfigRead;
    try {
      const text = readTextIfExists(file);
      if (text === undefined) return undefined;
      read = readConfigFile(file, text, this.knownRules);
    } catch (error) {
      read = { problems: [{ file, line: 1, message: `cannot read: ${(error as Error).message}` }] };
    }
    this.files.set(file, { stamp, read });
    return read;
  }
}

export interface FileSettings {
  /** Matched by `exclude`: not analysed at all. */
  excluded: boolean;
  /** A severity for every rule id: `off` for rules not selected, ignored, or ignored for this file. */
  severities: Record<string, SeveritySetting>;
  startMethod?: StartMethod;
  baseline?: string;
}

/**
 * What a configuration gives one file. Precedence, lowest first: the rule's default; the file's
 * `rules` severity; `select`/`ignore` (a rule not selected, or ignored, is off); the editor's
 * `workerscope.rules` (a rule-wide choice overrides the project's rule-wide ones); last
 * `per-file-ignores`, which no rule-wide setting overrides.
 */
export function settingsForFile(config: ProjectConfig | undefined, file: string, ruleIds: readonly string[], editor: Readonly<Record<string, SeveritySetting>> = {}): FileSettings {
  const severities: Record<string, SeveritySetting> = {};
  const relative = config ? relativeTo(config.dir, file) : undefined;
  for (const id of ruleIds) {
    let severity: SeveritySetting | undefined = config?.rules[id];
    if (config && ((config.select && !config.select.includes(id)) || config.ignore.includes(id))) severity = 'off';
    if (editor[id] !== undefined) severity = editor[id];
    if (config && relative !== undefined && config.perFileIgnores.some((p) => p.rules.includes(id) && p.glob.matches(relative))) severity = 'off';
    if (severity !== undefined) severities[id] = severity;
  }
  const excluded = !!config && relative !== undefined && config.exclude.some((g) => g.matches(relative));
  return {
    excluded,
    severities,
    ...(config?.startMethod ? { startMethod: config.startMethod } : {}),
    ...(config?.baseline ? { baseline: config.baseline } : {}),
  };
}

/** `file` relative to `dir` with `/` separators, or undefined when it is not inside `dir`. */
export function relativeTo(dir: string, file: string): string | undefined {
  const rel = path.relative(dir, path.resolve(file));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}
