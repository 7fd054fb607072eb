/**
 * `workerscope check`: analyses Python, JavaScript and TypeScript files with the same engines as
 * the language server and prints the findings. Exit status: 0 no findings, 1 findings, 2 usage or
 * I/O error. The JS engine (ts-morph) is loaded only when a JS/TS file passes the text scan.
 */
import { analyzePythonTree, createPythonParser, mightUseParallelism, parsableText, RULES } from '../analysis';
import { checkAnalysable, MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, tooLargeReason } from '../common/inputGuard';
import { concatenateCells, mapFinding, readIpynb } from '../common/notebookSource';
import type { Finding } from '../engine/types';
import type { Parser } from 'web-tree-sitter';
import { parseArgs, UsageError } from './args';
import { formatJson, formatSarif, formatText, type FileFindings } from './formats';
import { isJsFile, mightUseWorkers } from '../engine-js/prefilter';
import { collectSourceFiles, decodePythonSource, decodeUtf8Source, readSourceFile } from './sourceFiles';

type JsAnalysis = typeof import('../analysisJs.js');

export const CHECK_USAGE = `Usage: workerscope check [paths...] [--format text|json|sarif] [--rule ID]...

Analyses Python files, Jupyter notebooks and JavaScript/TypeScript files (.js .mjs .cjs .jsx
.ts .mts .cts .tsx; directories are searched recursively, node_modules skipped) for
parallel-code bugs. A notebook's code cells are analysed together, as the kernel runs them;
its findings name the cell (1-based, markdown cells counted) and the line within it:
\`nb.ipynb:cell 3:2:5\` in text, a \`cell\` field in JSON.
  --format FORMAT   text (default), json (array of findings) or sarif (SARIF 2.1.0)
  --rule ID         only report this rule (repeatable); ids: ${RULES.map((r) => r.id).join(', ')}
Symbolic links are followed (each file and directory once). Paths that cannot be read, and
special files (FIFOs, sockets, devices), are reported on stderr; the rest is still checked.
Exit status: 0 no findings, 1 findings, 2 usage or I/O error (also when some path could not be read).`;

export interface CheckIo {
  out: (text: string) => void;
  err: (text: string) => void;
  version: string;
}

export async function runCheck(argv: readonly string[], io: CheckIo): Promise<number> {
  const args = parseArgs(argv, { format: { value: true }, rule: { value: true, repeat: true }, help: {} });
  if (args.flags.has('help')) {
    io.out(`${CHECK_USAGE}\n`);
    return 0;
  }
  const format = args.flags.get('format')?.[0] ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format "${format}" (use text, json or sarif)`);
  const known = new Set(RULES.map((r) => r.id));
  const onlyRules = args.flags.get('rule');
  for (const id of onlyRules ?? []) if (!known.has(id)) throw new UsageError(`unknown rule "${id}"`);

  // Paths after `--` are paths too (so a file named like an option can be checked).
  const given = [...args.positionals, ...args.rest];
  const paths = given.length > 0 ? given : ['.'];
  let ioError = false;
  const cannotRead = (file: string, reason: string): void => {
    io.err(`workerscope: cannot read ${file}: ${reason}\n`);
    ioError = true;
  };
  const files = collectSourceFiles(paths, cannotRead);
  let jsAnalysis: JsAnalysis | undefined;

  const parser = await createPythonParser();
  const results: FileFindings[] = [];
  for (const file of files) {
    const isNotebook = file.toLowerCase().endsWith('.ipynb');
    const read = readSourceFile(file, isNotebook ? MAX_NOTEBOOK_BYTES : MAX_SOURCE_BYTES, tooLargeReason);
    if (!read.ok) {
      if (read.io) cannotRead(file, read.reason);
      else io.err(`workerscope: skipped ${file}: ${read.reason}\n`);
      continue;
    }
    const bytes = read.bytes;
    if (isNotebook) {
      const notebook = analyseNotebook(parser, file, bytes, onlyRules);
      if (!notebook.ok) io.err(`workerscope: skipped ${file}: ${notebook.reason}\n`);
      else if (notebook.result) results.push(notebook.result);
      continue;
    }
    const js = isJsFile(file);
    const decoded = js ? decodeUtf8Source(bytes) : decodePythonSource(bytes);
    if (!decoded.ok) {
      io.err(`workerscope: skipped ${file}: ${decoded.reason}\n`);
      continue;
    }
    if (js ? !mightUseWorkers(decoded.text) : !mightUseParallelism(decoded.text)) continue;
    const verdict = checkAnalysable(decoded.text);
    if (!verdict.ok) {
      io.err(`workerscope: skipped ${file}: ${verdict.reason}\n`);
      continue;
    }
    if (js) {
      jsAnalysis ??= await import('../analysisJs.js');
      const findings = jsAnalysis.analyzeJsSource(decoded.text, { file, onlyRules });
      if (findings.length > 0) results.push({ file, findings });
      continue;
    }
    const tree = parser.parse(parsableText(decoded.text));
    if (!tree) continue;
    try {
      const findings = analyzePythonTree(tree, decoded.text, { file, onlyRules });
      if (findings.length > 0) results.push({ file, findings });
    } finally {
      tree.delete();
    }
  }

  if (format === 'json') io.out(formatJson(results));
  else if (format === 'sarif') io.out(formatSarif(results, RULES, io.version));
  else io.out(formatText(results));
  if (ioError) return 2;
  return results.length > 0 ? 1 : 0;
}

/** A notebook's code cells, concatenated and analysed as one module, with findings mapped to their cells. */
function analyseNotebook(parser: Parser, file: string, bytes: Buffer, onlyRules: readonly string[] | undefined): { ok: true; result?: FileFindings } | { ok: false; reason: string } {
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
    for (const f of analyzePythonTree(tree, nb.source, { file, onlyRules })) {
      const mapped = mapFinding(nb, f, (index) => `${file}#cell${index + 1}`);
      if (!mapped) continue;
      findings.push(mapped.finding);
      cells.push(mapped.key + 1);
    }
    return { ok: true, ...(findings.length > 0 ? { result: { file, findings, cells } } : {}) };
  } finally {
    tree.delete();
  }
}
