/**
 * Sweeps the engine over directories of Python files (default: the pyenv 3.13 stdlib) and reports
 * files, prefilter hits, parse errors, findings and timings; `--findings` prints every finding as
 * `file:line:col [rule] message`, `--incremental FILE` times an edit + incremental reparse +
 * analysis of one file, and `--scaling [1000,5000,…]` does the same on generated parallel-dense
 * files of each size and prints the time per 1,000 lines, which stays flat when analysis is linear.
 *
 * Run: `npx tsc -p tsconfig.test.json && node out/scripts/bench-engine.js [--findings] [dirs…]`
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Edit } from 'web-tree-sitter';
import { analyzePythonTree, createPythonParser, mightUseParallelism } from '../server/src/analysis';
import { makeSource } from './bench/lspLatency';

const DEFAULT_DIR = '/root/.pyenv/versions/3.13.0/lib/python3.13';

function* pythonFiles(dir: string): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && !e.isSymbolicLink()) yield* pythonFiles(full);
    else if (e.isFile() && e.name.endsWith('.py')) yield full;
  }
}

async function sweep(dirs: string[], printFindings: boolean, parseAll: boolean): Promise<void> {
  const parser = await createPythonParser();
  let files = 0; let lines = 0; let candidates = 0; let findings = 0; let parseErrors = 0;
  const byRule = new Map<string, number>();
  const errorFiles: string[] = [];
  const started = performance.now();
  for (const dir of dirs) {
    for (const file of pythonFiles(dir)) {
      files++;
      const source = fs.readFileSync(file, 'utf8');
      lines += source.split('\n').length;
      const candidate = mightUseParallelism(source);
      if (!candidate && !parseAll) continue;
      if (candidate) candidates++;
      const tree = parser.parse(source);
      if (!tree) continue;
      if (tree.rootNode.hasError) { parseErrors++; errorFiles.push(file); }
      const result = candidate ? analyzePythonTree(tree, source, { file }) : [];
      tree.delete();
      findings += result.length;
      for (const f of result) {
        byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
        if (printFindings) console.log(`${file}:${f.range.start.line + 1}:${f.range.start.character + 1} [${f.rule}] ${f.message}`);
      }
    }
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ files, lines, candidates, findings, byRule: Object.fromEntries(byRule), parseErrors: parseAll ? parseErrors : 'not checked (--parse-all)', ms: Math.round(ms) }));
  if (parseAll && process.argv.includes('--errors')) for (const f of errorFiles) console.log(`parse error: ${f}`);
}

/**
 * Times `rounds` keystrokes (edit, incremental reparse, analysis) in the middle of `source`:
 * wall-clock milliseconds, sorted, and the process's CPU milliseconds per keystroke (steadier
 * than wall time on a machine shared with other work).
 */
async function timeEdits(source: string, file: string, rounds: number): Promise<number[] & { cpuMs?: number }> {
  const parser = await createPythonParser();
  let tree = parser.parse(source)!;
  const times: number[] & { cpuMs?: number } = [];
  let text = source;
  const cpu = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    // Insert a character at the middle of the file, as a keystroke would.
    const at = Math.floor(text.length / 2);
    const before = text.slice(0, at);
    const row = before.split('\n').length - 1;
    const column = at - before.lastIndexOf('\n') - 1;
    text = `${before} ${text.slice(at)}`;
    tree.edit(new Edit({ startIndex: at, oldEndIndex: at, newEndIndex: at + 1, startPosition: { row, column }, oldEndPosition: { row, column }, newEndPosition: { row, column: column + 1 } }));
    const next = parser.parse(text, tree)!;
    tree.delete();
    tree = next;
    analyzePythonTree(tree, text, { file });
    times.push(performance.now() - t0);
  }
  const used = process.cpuUsage(cpu);
  tree.delete();
  times.sort((a, b) => a - b);
  times.cpuMs = (used.user + used.system) / 1000 / rounds;
  return times;
}

const quantile = (times: number[], q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;

async function incremental(file: string): Promise<void> {
  const source = fs.readFileSync(file, 'utf8');
  const times = await timeEdits(source, file, 50);
  const p = (q: number): string => quantile(times, q).toFixed(1);
  console.log(JSON.stringify({ file, lines: source.split('\n').length, editReparseAnalyseMs: { p50: p(0.5), p95: p(0.95), max: p(1) } }));
}

/** Edit + reparse + analysis on generated parallel-dense files of each size: linear analysis keeps ms per 1,000 lines flat. */
async function scaling(sizes: number[]): Promise<void> {
  await timeEdits(makeSource(2000), 'warm-up.py', 10); // JIT warm-up, so the first size is not charged for it.
  for (const lines of sizes) {
    const source = makeSource(lines);
    const times = await timeEdits(source, 'dense.py', Math.max(5, Math.round(200_000 / lines)));
    const p50 = quantile(times, 0.5);
    console.log(JSON.stringify({ lines: source.split('\n').length, chars: source.length, edits: times.length, p50Ms: +p50.toFixed(1), p95Ms: +quantile(times, 0.95).toFixed(1), p50MsPer1kLines: +((p50 * 1000) / lines).toFixed(2), cpuMsPerEdit: +(times.cpuMs ?? 0).toFixed(1), cpuMsPer1kLines: +(((times.cpuMs ?? 0) * 1000) / lines).toFixed(2) }));
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const inc = args.indexOf('--incremental');
  const scale = args.indexOf('--scaling');
  if (inc !== -1 && args[inc + 1]) void incremental(args[inc + 1]!);
  else if (scale !== -1) void scaling((args[scale + 1] && !args[scale + 1]!.startsWith('--') ? args[scale + 1]! : '1000,5000,10000,20000').split(',').map(Number));
  else {
    const dirs = args.filter((a) => !a.startsWith('--'));
    void sweep(dirs.length > 0 ? dirs : [DEFAULT_DIR], args.includes('--findings'), args.includes('--parse-all'));
  }
}
