/**
 * The project configuration and baseline as the language server applies them: each document's
 * settings from its nearest `workerscope.toml` / `pyproject.toml` (the editor's `workerscope.rules`
 * on top), configuration problems published as diagnostics on the configuration file, findings
 * the baseline accepts left out, and file watchers so a change to either re-checks open documents.
 */
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Connection, DiagnosticSeverity, DidChangeWatchedFilesNotification, MessageType, ShowMessageNotification } from 'vscode-languageserver/node';
import { RULES, type Finding } from '../analysis';
import { Baseline, BaselineError, fingerprintFindings } from '../config/baseline';
import type { ConfigProblem } from '../config/projectConfig';
import { CONFIG_FILE_NAMES, ConfigResolver, settingsForFile, type FileSettings } from '../config/resolve';
import type { SeveritySetting } from '../engine/types';

const RULE_IDS = RULES.map((r) => r.id);

export class ProjectSettings {
  private roots: string[] = [];
  private readonly resolver = new ConfigResolver(new Set(RULE_IDS), (dir) => this.roots.includes(dir));
  /** Configuration files with problems published, by their text, to publish only changes. */
  private readonly published = new Map<string, string>();
  private readonly baselines = new Map<string, { stamp: string; baseline?: Baseline }>();
  private readonly watchedNames = new Set<string>();
  private readonly logged = new Set<string>();
  private canWatch = false;

  constructor(private readonly connection: Connection) {}

  /** From `initialize`: the workspace folders (where the search for a configuration stops) and whether files can be watched. */
  initialise(folderUris: readonly string[], canWatch: boolean): void {
    this.roots = folderUris.flatMap((uri) => (uri.startsWith('file:') ? [fileURLToPath(uri).replace(/[\\/]+$/, '')] : []));
    this.canWatch = canWatch;
    if (canWatch) this.watch(CONFIG_FILE_NAMES.map((name) => `**/${name}`));
  }

  /** A document's settings: the project's, with the editor's rule severities applied over them. */
  forDocument(uri: string, editorRules: Readonly<Record<string, SeveritySetting>>): FileSettings {
    if (!uri.startsWith('file:')) return settingsForFile(undefined, '', RULE_IDS, editorRules);
    const file = fileURLToPath(uri);
    const found = this.resolver.forFile(file);
    if (found.file) this.publishProblems(found.file, found.problems);
    else this.clearVanished();
    const settings = settingsForFile(found.config, file, RULE_IDS, editorRules);
    if (settings.baseline && this.canWatch) this.watch([`**/${settings.baseline.split(/[\\/]/).pop()!}`]);
    return settings;
  }

  /** The findings of a document that its baseline does not accept. */
  unbaselined(uri: string, source: string, findings: Finding[], settings: FileSettings): Finding[] {
    if (!settings.baseline || findings.length === 0 || !uri.startsWith('file:')) return findings;
    const baseline = this.baseline(settings.baseline);
    if (!baseline) return findings;
    const relative = baseline.relative(fileURLToPath(uri));
    const prints = fingerprintFindings(findings, source);
    return findings.filter((f, i) => !baseline.has(relative, f.rule, prints[i]!));
  }

  /** Logs each distinct problem of the editor settings once, in the Workerscope output. */
  logSettingsProblems(problems: readonly string[]): void {
    for (const problem of problems) this.logOnce(`Workerscope settings: ${problem}`);
  }

  private baseline(file: string): Baseline | undefined {
    let stamp = 'missing';
    try {
      const stat = fs.statSync(file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      // A baseline not written yet accepts nothing.
    }
    const cached = this.baselines.get(file);
    if (cached?.stamp === stamp) return cached.baseline;
    let baseline: Baseline | undefined;
    try {
      baseline = Baseline.read(file);
    } catch (error) {
      if (!(error instanceof BaselineError)) throw error;
      this.logOnce(`Workerscope: ${error.message}; every finding is shown.`, true);
    }
    this.baselines.set(file, { stamp, ...(baseline ? { baseline } : {}) });
    return baseline;
  }

  private publishProblems(file: string, problems: readonly ConfigProblem[]): void {
    const key = JSON.stringify(problems);
    if ((this.published.get(file) ?? '[]') === key) return;
    this.published.set(file, key);
    for (const p of problems) this.logOnce(`Workerscope configuration ${p.file}:${p.line}: ${p.message}`);
    void this.connection.sendDiagnostics({
      uri: pathToFileURL(file).href,
      diagnostics: problems.map((p) => ({
        range: { start: { line: p.line - 1, character: 0 }, end: { line: p.line, character: 0 } },
        severity: DiagnosticSeverity.Error,
        source: 'workerscope',
        message: p.message,
      })),
    });
  }

  /** A configuration file deleted (or renamed) with its problems shown: take them down. */
  private clearVanished(): void {
    for (const [file, key] of this.published) if (key !== '[]' && !fs.existsSync(file)) this.publishProblems(file, []);
  }

  private watch(globs: readonly string[]): void {
    const fresh = globs.filter((g) => !this.watchedNames.has(g));
    if (fresh.length === 0) return;
    for (const g of fresh) this.watchedNames.add(g);
    void this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: fresh.map((globPattern) => ({ globPattern })) }).catch(() => undefined);
  }

  private logOnce(message: string, show = false): void {
    if (this.logged.has(message)) return;
    this.logged.add(message);
    this.connection.console.warn(message);
    if (show) void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
  }
}
