/**
 * `workerscope check`: analyses Python files with the same engine as the language server and
 * prints the findings. Exit status: 0 no findings, 1 findings, 2 usage or I/O error.
 */
import * as fs from 'node:fs';
import { analyzePythonTree, createPythonParser, mightUseParallelism, RULES } from '../engine';
import { checkAnalysable } from '../common/inputGuard';
import { parseArgs, UsageError } from './args';
import { formatJson, formatSarif, formatText, type FileFindings } from './formats';
import { collectPythonFiles, decodePythonSource } from './sourceFiles';

export const CHECK_USAGE = `Usage: workerscope check [paths...] [--format text|json|sarif] [--rule ID]...

Analyses Python files (directories are searched recursively) for parallel-code bugs.
  --format FORMAT   text (default), json (array of findings) or sarif (SARIF 2.1.0)
  --rule ID         only report this rule (repeatable); ids: ${RULES.map((r) => r.id).join(', ')}
Exit status: 0 no findings, 1 findings, 2 usage or I/O error.`;

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

  const paths = args.positionals.length > 0 ? args.positionals : ['.'];
  let ioError = false;
  const files: string[] = [];
  for (const given of paths) {
    try {
      files.push(...collectPythonFiles([given]));
    } catch (error) {
      io.err(`workerscope: cannot read ${given}: ${describe(error)}\n`);
      ioError = true;
    }
  }

  const parser = await createPythonParser();
  const results: FileFindings[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      io.err(`workerscope: cannot read ${file}: ${describe(error)}\n`);
      ioError = true;
      continue;
    }
    const decoded = decodePythonSource(bytes);
    if (!decoded.ok) {
      io.err(`workerscope: skipped ${file}: ${decoded.reason}\n`);
      continue;
    }
    if (!mightUseParallelism(decoded.text)) continue;
    const verdict = checkAnalysable(decoded.text);
    if (!verdict.ok) {
      io.err(`workerscope: skipped ${file}: ${verdict.reason}\n`);
      continue;
    }
    const tree = parser.parse(decoded.text);
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

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'EACCES') return 'permission denied';
  return e.message ?? String(error);
}
