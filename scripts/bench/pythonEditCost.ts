/**
 * The analysis worker's own cost per edit of a large Python file, without the server around it:
 * replays lspLatency's edits (a `#` typed at the start of a line, then deleted) through the
 * worker's document analysis (incremental reparse, remembered findings, the rules) and prints the
 * CPU time per edit as JSON. CPU time, not wall time, so that a loaded machine disturbs it less.
 * BENCH_FILE (default: the generated dense module), BENCH_EDITS (default 60); BENCH_NO_MEMO=1
 * skips the remembered findings (every edit analysed).
 */
import * as fs from 'node:fs';
import { analyzePythonTree, createPythonParser } from '../../server/src/analysis';
import { PythonDocuments } from '../../server/src/lsp/pythonDocuments';
import { TreeStore, type TreeEditData } from '../../server/src/lsp/treeStore';
import { makeSource } from './lspLatency';

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const file = process.env.BENCH_FILE;
  const edits = Number(process.env.BENCH_EDITS ?? 60);
  let text = file ? fs.readFileSync(file, 'utf8') : makeSource(5000);
  const parser = await createPythonParser();
  const memo = process.env.BENCH_NO_MEMO ? undefined : new PythonDocuments();
  const trees = new TreeStore();
  const never = (): boolean => false;
  const analyse = (): void => {
    if (memo) memo.analyse('doc', text, parser, { file: 'bench.py' }, never);
    else analyzePythonTree(trees.parse('doc', text, parser, never)!, text, { file: 'bench.py' });
  };
  analyse();
  const lines = text.split('\n');
  const samples: number[] = [];
  let typedAt = 0;
  for (let v = 2; v < edits + 2; v++) {
    if (v % 2 === 0) typedAt = 3 + ((v * 37) % (lines.length - 10));
    let offset = 0;
    for (let i = 0; i < typedAt; i++) offset += lines[i]!.length + 1;
    const at = { row: typedAt, column: 0 };
    const typed = v % 2 === 0;
    const edit: TreeEditData = typed
      ? { startIndex: offset, oldEndIndex: offset, newEndIndex: offset + 1, startPosition: at, oldEndPosition: at, newEndPosition: { row: typedAt, column: 1 } }
      : { startIndex: offset, oldEndIndex: offset + 1, newEndIndex: offset, startPosition: at, oldEndPosition: { row: typedAt, column: 1 }, newEndPosition: at };
    const started = process.cpuUsage();
    text = typed ? `${text.slice(0, offset)}#${text.slice(offset)}` : text.slice(0, offset) + text.slice(offset + 1);
    (memo ?? trees).edit('doc', [edit]);
    analyse();
    samples.push(cpuMs(started));
  }
  const total = samples.reduce((a, b) => a + b, 0);
  samples.sort((a, b) => a - b);
  const pick = (q: number): number => +samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
  console.log(JSON.stringify({ file: file || 'generated (dense)', lines: lines.length, edits, memo: !!memo, cpuTotalMs: +total.toFixed(0), p50Ms: pick(0.5), p95Ms: pick(0.95), maxMs: pick(1) }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
