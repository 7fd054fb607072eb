/**
 * `workerscope check`: analyses Python, JavaScript and TypeScript files with the same engines as
 * the language server and prints the findings. Exit status: 0 no findings, 1 findings, 2 usage or
 * I/O error. The JS engine (ts-morph) is loaded only when a JS/TS file passes the text scan.
 */
import { analyzePythonTree, createPythonParser, mightUseParallelism, parsableText, RULES } from '../analysis';
import { checkAnalysable, MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, tooLargeReason } from '../common/inputGuard';
import { concatenateCells, mapFinding, readIpynb } from '../common/notebookSource';
import type { AnalysisOptions, Finding } from '../engine/types';
import { BaselineError, fingerprintFindings, type Fingerprint } from '../config/baseline';
import { ConfigResolver, type FileSettings } from '../config/resolve';
import { BaselineSet, planFiles, type AnalysedFile } from './baselineRun';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { parseArgs, UsageError } from './args';
import { formatJson, formatSarif, formatText, type FileFindings } from './formats';
import { isJsFile, mightUseWorkers } from '../engine-js/prefilter';
import { collectSourceFiles, decodePythonSource, decodeUtf8Source, readSourceFile } from '../common/sourceFiles';

type JsAnalysis = typeof import('../analysisJs.js');

export const CHECK_USAGE = `Usage: workerscope check [paths...] [--format text|json|sarif] [--rule ID]... [--baseline FILE [--update-baseline]]

Analyses Python files, Jupyter notebooks and JavaScript/TypeScript files (.js .mjs .cjs .jsx
.ts .mts .cts .tsx; directories are searched recursively, node_modules skipped) for
parallel-code bugs. A notebook's code cells are analysed together, as the kernel runs them;
its findings name the cell (1-based, markdown cells counted) and the line within it:
\`nb.ipynb:cell 3:2:5\` in text, a \`cell\` field in JSON.
  --format FORMAT   text (default), json (array of findings) or sarif (SARIF 2.1.0)
  --rule ID         only report this rule (repeatable); ids: ${RULES.map((r) => r.id).join(', ')}
  --baseline FILE   report only findings not in this baseline (default: the \`baseline\` of the
                    project configuration); a missing file is an empty baseline
  --update-baseline write the findings of the files checked into the baseline instead of reporting
                    them (entries of files not checked, that still exist, and with --rule
                    of the other rules, are kept)
Configuration: the nearest workerscope.toml, or pyproject.toml with a [tool.workerscope] table,
above each file (up to the repository root): rules, select, ignore, exclude, per-file-ignores,
start-method, baseline. An invalid configuration is reported with file:line (exit 2).
Symbolic links are followed (each file and directory once). Paths that cannot be read, and
special files (FIFOs, sockets, devices), are reported on stderr; the rest is still checked.
Exit status: 0 no findings, 1 findings, 2 usage, configuration, baseline or I/O error (also when
some path could not be read).`;

export interface CheckIo {
  out: (text: string) => void;
  err: (text: string) => void;
  version: string;
}

export async function runCheck(argv: readonly string[], io: CheckIo): Promise<number> {
  const args = parseArgs(argv, { format: { value: true }, rule: { value: true, repeat: true }, baseline: { value: true }, 'update-baseline': {}, help: {} });
  if (args.flags.has('help')) {
    io.out(`${CHECK_USAGE}\n`);
    return 0;
  }
  const format = args.flags.get('format')?.[0] ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format "${format}" (use text, json or sarif)`);
  const ruleIds = RULES.map((r) => r.id);
  const known = new Set(ruleIds);
  const onlyRules = args.flags.get('rule');
  for (const id of onlyRules ?? []) if (!known.has(id)) throw new UsageError(`unknown rule "${id}"`);
  const baselineFlag = args.flags.get('baseline')?.[0];
  if (baselineFlag === '') throw new UsageError('--baseline needs a file name');
  const update = args.flags.has('update-baseline');

  // Paths after `--` are paths too (so a file named like an option can be checked).
  const given = [...args.positionals, ...args.rest];
  const paths = given.length > 0 ? given : ['.'];
  let ioError = false;
  const cannotRead = (file: string, reason: string): void => {
    io.err(`workerscope: cannot read ${file}: ${reason}\n`);
    ioError = true;
  };
  const files = collectSourceFiles(paths, cannotRead);
  const planned = planFiles(files, new ConfigResolver(known), ruleIds);
  if (planned.problems.length > 0) {
    for (const p of planned.problems) io.err(`${displayPath(p.file)}:${p.line}: error: ${p.message}\n`);
    io.err(`workerscope: invalid configuration (${planned.problems.length} ${planned.problems.length === 1 ? 'problem' : 'problems'}); nothing was checked\n`);
    return 2;
  }
  const baselines = new BaselineSet(baselineFlag);
  if (update && !baselineFlag && !planned.files.some((f) => f.settings.baseline)) throw new UsageError('--update-baseline needs --baseline FILE (or `baseline` in the project configuration)');

  const parser = await createPythonParser();
  const results: FileFindings[] = [];
  const analysed: AnalysedFile[] = [];
  const ctx: AnalyseContext = { parser, io, onlyRules, cannotRead, jsAnalysis: undefined };
  for (const { file, settings } of planned.files) {
    if (settings.excluded) continue;
    const result = await analyseFile(ctx, file, settings);
    if (result === undefined) continue;
    analysed.push({ file, baseline: baselines.pathFor(settings), result });
  }
  try {
    if (update) {
      for (const line of baselines.update(analysed, onlyRules)) io.err(`workerscope: ${line}\n`);
      return ioError ? 2 : 0;
    }
    for (const a of analysed) {
      const kept = baselines.unbaselined(a.file, a.baseline, a.result);
      if (kept) results.push(kept);
    }
  } catch (error) {
    if (!(error instanceof BaselineError)) throw error;
    io.err(`workerscope: ${error.message}\n`);
    return 2;
  }

  if (format === 'json') io.out(formatJson(results));
  else if (format === 'sarif') io.out(formatSarif(results, RULES, io.version));
  else io.out(formatText(results));
  if (ioError) return 2;
  return results.length > 0 ? 1 : 0;
}

/** A configuration file as the user would type it: relative to the working directory when inside it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

interface AnalyseContext {
  parser: Parser;
  io: CheckIo;
  onlyRules: readonly string[] | undefined;
  cannotRead: (file: string, reason: string) => void;
  jsAnalysis: JsAnalysis | undefined;
}

/** One file's findings with their fingerprints; undefined when the file was skipped. */
async function analyseFile(ctx: AnalyseContext, file: string, settings: FileSettings): Promise<FileFindings | undefined> {
  const { io, onlyRules, parser } = ctx;
  const options = { file, onlyRules, severities: settings.severities, ...(settings.startMethod ? { startMethod: settings.startMethod } : {}) };
  const isNotebook = file.toLowerCase().endsWith('.ipynb');
  const read = readSourceFile(file, isNotebook ? MAX_NOTEBOOK_BYTES : MAX_SOURCE_BYTES, tooLargeReason);
  if (!read.ok) {
    if (read.io) ctx.cannotRead(file, read.reason);
    else io.err(`workerscope: skipped ${file}: ${read.reason}\n`);
    return undefined;
  }
  const bytes = read.bytes;
  if (isNotebook) {
    const notebook = analyseNotebook(parser, file, bytes, options);
    if (!notebook.ok) io.err(`workerscope: skipped ${file}: ${notebook.reason}\n`);
    return notebook.ok ? notebook.result ?? { file, findings: [], fingerprints: [] } : undefined;
  }
  const js = isJsFile(file);
  const decoded = js ? decodeUtf8Source(bytes) : decodePythonSource(bytes);
  if (!decoded.ok) {
    io.err(`workerscope: skipped ${file}: ${decoded.reason}\n`);
    return undefined;
  }
  if (js ? !mightUseWorkers(decoded.text) : !mightUseParallelism(decoded.text)) return { file, findings: [], fingerprints: [] };
  const verdict = checkAnalysable(decoded.text);
  if (!verdict.ok) {
    io.err(`workerscope: skipped ${file}: ${verdict.reason}\n`);
    return undefined;
  }
  let findings: Finding[] = [];
  if (js) {
    ctx.jsAnalysis ??= await import('../analysisJs.js');
    findings = ctx.jsAnalysis.analyzeJsSource(decoded.text, options);
  } else {
    const tree = parser.parse(parsableText(decoded.text));
    if (!tree) return undefined;
    try {
      findings = analyzePythonTree(tree, decoded.text, options);
    } finally {
      tree.delete();
    }
  }
  return { file, findings, fingerprints: fingerprintFindings(findings, decoded.text) };
}

/** A notebook's code cells, concatenated and analysed as one module, with findings mapped to their cells. */
function analyseNotebook(parser: Parser, file: string, bytes: Buffer, options: AnalysisOptions): { ok: true; result?: FileFindings } | { ok: false; reason: string } {
  const decoded = decodePythonSource(bytes);
  if (!decoded.ok) return decoded;
  const read = readIpynb(decoded.text);
  if (!read.ok) return read;
  const nb = concatenateCells(read.cells.map((c) => ({ key: c.index, text: c.text })));
  if (!mightUseParallelism(nb.source)) return { ok: true };
  const verdict = checkAnalysable(nb.source);
  if (!verdict.ok) return verdict;
  const tree = parser.parse(nb.source);
  if (!tree) return { ok: true };
  try {
    const findings: Finding[] = [];
    const cells: number[] = [];
    const fingerprints: Fingerprint[] = [];
    // Fingerprinted on the cells joined, as the language server sees a notebook: moving a cell keeps them.
    const all = analyzePythonTree(tree, nb.source, options);
    const prints = fingerprintFindings(all, nb.source);
    all.forEach((f, i) => {
      const mapped = mapFinding(nb, f, (index) => `${file}#cell${index + 1}`);
      if (!mapped) return;
      findings.push(mapped.finding);
      cells.push(mapped.key + 1);
      fingerprints.push(prints[i]!);
    });
    return { ok: true, ...(findings.length > 0 ? { result: { file, findings, cells, fingerprints } } : {}) };
  } finally {
    tree.delete();
  }
}
