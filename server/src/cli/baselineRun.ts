/**
 * The project configuration and the baseline in a `workerscope check` run: the settings of each
 * file (with every configuration problem collected), the findings a baseline already accepts,
 * and `--update-baseline`, which rewrites each baseline from the files checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baseline, writeBaseline, type BaselineEntry } from '../config/baseline';
import type { ConfigProblem } from '../config/projectConfig';
import { settingsForFile, type ConfigResolver, type FileSettings } from '../config/resolve';
import type { FileFindings } from './formats';

export interface PlannedFile {
  file: string;
  settings: FileSettings;
}

/** Each file's settings from its nearest configuration; the problems of every configuration read, once each. */
export function planFiles(files: readonly string[], resolver: ConfigResolver, ruleIds: readonly string[]): { files: PlannedFile[]; problems: ConfigProblem[] } {
  const problems = new Map<string, ConfigProblem>();
  // One search per directory: a run reads the configuration once, however many files it checks.
  const byDir = new Map<string, ReturnType<ConfigResolver['forFile']>>();
  const planned = files.map((file) => {
    const dir = path.dirname(path.resolve(file));
    const found = byDir.get(dir) ?? resolver.forFile(file);
    byDir.set(dir, found);
    for (const p of found.problems) problems.set(`${p.file}:${p.line}:${p.message}`, p);
    return { file, settings: settingsForFile(found.config, file, ruleIds) };
  });
  return { files: planned, problems: [...problems.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)) };
}

export interface AnalysedFile {
  file: string;
  /** The baseline that applies to it, if any (absolute). */
  baseline: string | undefined;
  result: FileFindings;
}

export class BaselineSet {
  private readonly loaded = new Map<string, Baseline>();

  /** @param flag `--baseline FILE`: used for every file, instead of the configurations' `baseline`. */
  constructor(private readonly flag: string | undefined) {}

  pathFor(settings: FileSettings): string | undefined {
    return this.flag !== undefined ? path.resolve(this.flag) : settings.baseline;
  }

  private load(file: string): Baseline {
    let baseline = this.loaded.get(file);
    if (!baseline) {
      baseline = Baseline.read(file);
      this.loaded.set(file, baseline);
    }
    return baseline;
  }

  /** The findings of a file that its baseline does not accept; undefined when none is left. */
  unbaselined(file: string, baselineFile: string | undefined, result: FileFindings): FileFindings | undefined {
    if (result.findings.length === 0) return undefined;
    if (!baselineFile || !result.fingerprints) return result;
    const baseline = this.load(baselineFile);
    const relative = baseline.relative(file);
    const keep = result.findings.map((f, i) => !baseline.has(relative, f.rule, result.fingerprints![i]!));
    if (keep.every(Boolean)) return result;
    const pick = <T>(list: readonly T[] | undefined): T[] | undefined => list?.filter((_, i) => keep[i]);
    const findings = pick(result.findings)!;
    if (findings.length === 0) return undefined;
    return { file, findings, fingerprints: pick(result.fingerprints)!, ...(result.cells ? { cells: pick(result.cells)! } : {}) };
  }

  /**
   * Rewrites every baseline the analysed files use: their entries become their findings now;
   * entries of other files (and, with `--rule`, of other rules) are kept while those files
   * exist. Returns a line per baseline written.
   */
  update(analysed: readonly AnalysedFile[], onlyRules?: readonly string[]): string[] {
    const byBaseline = new Map<string, AnalysedFile[]>();
    for (const a of analysed) {
      if (!a.baseline) continue;
      const list = byBaseline.get(a.baseline) ?? [];
      list.push(a);
      byBaseline.set(a.baseline, list);
    }
    const messages: string[] = [];
    for (const [file, files] of [...byBaseline].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const old = this.load(file);
      const checked = new Set(files.map((a) => old.relative(a.file)));
      // With --rule, the other rules' entries of the checked files were not re-checked: they stay.
      const kept = old.entries.filter((e) => (!checked.has(e.file) || (onlyRules !== undefined && !onlyRules.includes(e.rule))) && fs.existsSync(path.resolve(old.dir, e.file)));
      const fresh: BaselineEntry[] = files.flatMap(({ file: source, result }) =>
        result.findings.map((f, i) => ({ file: old.relative(source), rule: f.rule, ...result.fingerprints![i]! })),
      );
      const entries = [...kept, ...fresh];
      writeBaseline(file, entries);
      this.loaded.set(file, new Baseline(file, entries));
      messages.push(`wrote ${entries.length} ${entries.length === 1 ? 'finding' : 'findings'} to the baseline ${file} (it had ${old.entries.length})`);
    }
    return messages;
  }
}
