/**
 * Project configuration: `[tool.workerscope]` in `pyproject.toml` or the top level of
 * `workerscope.toml`, read and checked strictly (unknown keys, wrong types and unknown rule ids are
 * problems with a line, never ignored). Shared by `workerscope check` and the language server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SeveritySetting } from '../engine/types';
import type { StartMethod } from '../engine/names';
import { compileGlob, globProblem, type Glob } from './glob';
import { isTable, keyPath, parseToml, TomlError, type TomlDocument, type TomlTable, type TomlValue } from './toml';

export const CONFIG_SEVERITIES: readonly SeveritySetting[] = ['off', 'information', 'warning', 'error'];
export const START_METHODS: readonly StartMethod[] = ['fork', 'spawn', 'forkserver'];
const KEYS = ['rules', 'select', 'ignore', 'exclude', 'per-file-ignores', 'start-method', 'baseline'];

export interface ProjectConfig {
  /** Absolute path of the file the configuration was read from. */
  file: string;
  /** Its directory: globs and `baseline` are relative to it. */
  dir: string;
  rules: Record<string, SeveritySetting>;
  select?: string[];
  ignore: string[];
  exclude: Glob[];
  perFileIgnores: { glob: Glob; rules: string[] }[];
  startMethod?: StartMethod;
  /** Absolute path of the baseline file. */
  baseline?: string;
}

export interface ConfigProblem {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}

export interface ConfigRead {
  /** Undefined when the file holds no Workerscope configuration (a pyproject.toml without the table). */
  config?: ProjectConfig;
  problems: ConfigProblem[];
}

/**
 * Reads one configuration file. A `pyproject.toml` that cannot be parsed is a problem only if it
 * mentions workerscope: a broken file that does not configure us is not ours to reject.
 */
export function readConfigFile(file: string, text: string, knownRules: ReadonlySet<string>): ConfigRead {
  const isPyproject = path.basename(file) === 'pyproject.toml';
  let doc: TomlDocument;
  try {
    doc = parseToml(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    if (isPyproject && !/workerscope/.test(text)) return { problems: [] };
    return { problems: [{ file, line: error.line, message: `invalid TOML: ${error.message}` }] };
  }
  const prefix = isPyproject ? ['tool', 'workerscope'] : [];
  let table: TomlValue | undefined = doc.root;
  for (const part of prefix) table = isTable(table) ? table[part] : undefined;
  if (table === undefined) return { problems: [] };
  const problems: ConfigProblem[] = [];
  const lineOf = (...keys: string[]): number => doc.lines.get(keyPath([...prefix, ...keys])) ?? doc.lines.get(keyPath(prefix)) ?? 1;
  const problem = (message: string, ...keys: string[]): void => {
    problems.push({ file, line: lineOf(...keys), message });
  };
  if (!isTable(table)) {
    problem('[tool.workerscope] must be a table');
    return { problems };
  }
  const config = new Validator(file, table, knownRules, problem).config();
  return { config, problems };
}

class Validator {
  constructor(
    private readonly file: string,
    private readonly table: TomlTable,
    private readonly known: ReadonlySet<string>,
    private readonly problem: (message: string, ...keys: string[]) => void,
  ) {}

  config(): ProjectConfig {
    const dir = path.dirname(this.file);
    for (const key of Object.keys(this.table)) {
      if (!KEYS.includes(key)) this.problem(`unknown key "${key}"${suggest(key, KEYS)} (known keys: ${KEYS.join(', ')})`, key);
    }
    const config: ProjectConfig = { file: this.file, dir, rules: this.rules(), ignore: this.ruleList('ignore') ?? [], exclude: this.globs('exclude'), perFileIgnores: this.perFileIgnores() };
    const select = this.ruleList('select');
    if (select) config.select = select;
    const start = this.table['start-method'];
    if (start !== undefined) {
      if (typeof start === 'string' && (START_METHODS as readonly string[]).includes(start)) config.startMethod = start as StartMethod;
      else this.problem(`"start-method" must be one of ${START_METHODS.map((m) => `"${m}"`).join(', ')}, not ${show(start)}`, 'start-method');
    }
    const baseline = this.table['baseline'];
    if (baseline !== undefined) {
      if (typeof baseline === 'string' && baseline !== '') config.baseline = path.resolve(dir, baseline);
      else this.problem(`"baseline" must be a path (a string), not ${show(baseline)}`, 'baseline');
    }
    return config;
  }

  private rules(): Record<string, SeveritySetting> {
    const value = this.table['rules'];
    const rules: Record<string, SeveritySetting> = {};
    if (value === undefined) return rules;
    if (!isTable(value)) {
      this.problem(`"rules" must be a table of rule id = severity, not ${show(value)}`, 'rules');
      return rules;
    }
    for (const [id, severity] of Object.entries(value)) {
      if (!this.checkRuleId(id, 'rules', id)) continue;
      if (typeof severity === 'string' && (CONFIG_SEVERITIES as readonly string[]).includes(severity)) rules[id] = severity as SeveritySetting;
      else this.problem(`severity of "${id}" must be one of ${CONFIG_SEVERITIES.map((s) => `"${s}"`).join(', ')}, not ${show(severity)}`, 'rules', id);
    }
    return rules;
  }

  private ruleList(key: string, ...at: string[]): string[] | undefined {
    const keys = at.length > 0 ? at : [key];
    const value = at.length > 0 ? (this.table['per-file-ignores'] as TomlTable)[at[1]!] : this.table[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      this.problem(`"${at[1] ?? key}" must be an array of rule ids, not ${show(value)}`, ...keys);
      return undefined;
    }
    return (value as string[]).filter((id) => this.checkRuleId(id, ...keys));
  }

  private checkRuleId(id: string, ...keys: string[]): boolean {
    if (this.known.has(id)) return true;
    this.problem(`unknown rule id "${id}"${suggest(id, [...this.known])}`, ...keys);
    return false;
  }

  private globs(key: string): Glob[] {
    const value = this.table[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      this.problem(`"${key}" must be an array of glob patterns, not ${show(value)}`, key);
      return [];
    }
    return (value as string[]).flatMap((p) => this.glob(p, key) ?? []);
  }

  private glob(pattern: string, ...keys: string[]): Glob | undefined {
    const bad = globProblem(pattern);
    if (!bad) return compileGlob(pattern);
    this.problem(`invalid glob pattern: ${bad}`, ...keys);
    return undefined;
  }

  private perFileIgnores(): { glob: Glob; rules: string[] }[] {
    const value = this.table['per-file-ignores'];
    if (value === undefined) return [];
    if (!isTable(value)) {
      this.problem(`"per-file-ignores" must be a table of glob = [rule ids], not ${show(value)}`, 'per-file-ignores');
      return [];
    }
    const out: { glob: Glob; rules: string[] }[] = [];
    for (const pattern of Object.keys(value)) {
      const rules = this.ruleList('per-file-ignores', 'per-file-ignores', pattern);
      const glob = this.glob(pattern, 'per-file-ignores', pattern);
      if (rules && glob) out.push({ glob, rules });
    }
    return out;
  }
}

function show(value: TomlValue): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return 'an array';
  if (isTable(value)) return 'a table';
  return `${typeof value === 'boolean' ? 'the boolean' : 'the number'} ${String(value)}`;
}

/** ` (did you mean "x"?)` for a near miss: one edit away, or the same up to case, `_` and `-`. */
export function suggest(word: string, candidates: readonly string[]): string {
  const norm = (s: string): string => s.toLowerCase().replace(/_/g, '-');
  const hit = candidates.find((c) => norm(c) === norm(word)) ?? candidates.find((c) => editDistance(norm(c), norm(word)) <= 2);
  return hit ? ` (did you mean "${hit}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** Reads a file's text for configuration; undefined when it does not exist. */
export function readTextIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}
