/**
 * Measures the time from an edit to the published diagnostics for a large file through the built
 * language server over stdio, and prints p50/p95/max as JSON, one line per file. The files are
 * generated Python modules dense with pools (every 17 lines) of BENCH_LINES lines (a
 * comma-separated list, default 5000), or BENCH_FILE (Python, or JavaScript/TypeScript by its
 * extension), or with BENCH_TS=1 a generated TypeScript module of BENCH_LINES lines. Also times a
 * hover sent right after an edit, which must be answered while the edit is analysed rather than after it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestLspClient } from '../../server/test/lsp/lspClient';

const BLOCK = (i: number): string => `
def work_${i}(counter, items):
    total = 0
    for item in items:
        total += item * ${i}
    with counter.get_lock():
        counter.value += 1
    return total


def run_${i}(values):
    import multiprocessing as mp
    counter = mp.Value("i", 0)
    with mp.Pool(2) as pool:
        results = pool.starmap(work_${i}, [(counter, values)])
    return sum(results)

`;

export function makeSource(lines: number): string {
  const parts = ['import multiprocessing\nfrom concurrent.futures import ProcessPoolExecutor\n'];
  // Each block is 18 lines; counted, not re-split, so that 100,000-line files are quick to make.
  for (let i = 0, n = 3; n < lines - 3; i++, n += 18) parts.push(BLOCK(i));
  return `${parts.join('')}\nif __name__ == "__main__":\n    print(run_0([1, 2, 3]))\n`;
}

/**
 * A TypeScript module that starts a worker and posts it a function (one finding), then `lines`
 * small exported functions: the shape of the first measurement of the JS/TS engine (2026-12-07).
 */
export function makeTsSource(lines: number): string {
  const parts = ["import { Worker } from 'node:worker_threads';\nconst w = new Worker('./w.js');\nw.postMessage({ cb: () => 1 });\n"];
  for (let i = 0; i < lines - 3; i++) parts.push(`export function f${i}(a: number): number { const b = a + ${i}; return b * 2; }\n`);
  return parts.join('');
}

const LANGUAGE: Record<string, string> = { '.py': 'python', '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript' };

async function measure(source: string, label: string, edits: number, ext = '.py'): Promise<void> {
  const lineCount = source.split('\n').length;
  const client = await TestLspClient.start();
  const uri = `file:///tmp/workerscope-bench/large${ext}`;
  // Python: a `#` typed at a line's start; JS/TS: `//` (both keep the file valid).
  const typed = ext === '.py' ? '#' : '//';
  const openedAt = process.hrtime.bigint();
  await client.open(uri, source, 1, LANGUAGE[ext] ?? 'python');
  await client.diagnostics(uri, (p) => p.version === 1, 300_000);
  const openMs = Number(process.hrtime.bigint() - openedAt) / 1e6;
  const samples: number[] = [];
  const hovers: number[] = [];
  let typedAt = 0;
  for (let v = 2; v < edits + 2; v++) {
    // Alternate typing a character somewhere in the file and deleting it again.
    if (v % 2 === 0) typedAt = 3 + ((v * 37) % (lineCount - 10));
    const at = { line: typedAt, character: 0 };
    const change = v % 2 === 0
      ? { range: { start: at, end: at }, text: typed }
      : { range: { start: at, end: { line: typedAt, character: typed.length } }, text: '' };
    const started = process.hrtime.bigint();
    await client.change(uri, v, [change]);
    if (v % 10 === 0) {
      // A hover right behind the edit: answered while the edit is analysed, not after.
      await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: at });
      hovers.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    await client.diagnostics(uri, (p) => p.version === v, 300_000);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await client.stop();
  samples.sort((a, b) => a - b);
  hovers.sort((a, b) => a - b);
  const pick = (xs: number[], q: number): number => +(xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN).toFixed(1);
  console.log(JSON.stringify({ file: label, lines: lineCount, edits: samples.length, openMs: +openMs.toFixed(0), p50Ms: pick(samples, 0.5), p95Ms: pick(samples, 0.95), maxMs: pick(samples, 1), hoverP95Ms: pick(hovers, 0.95) }));
}

async function main(): Promise<void> {
  const edits = Number(process.env.BENCH_EDITS ?? 200);
  const file = process.env.BENCH_FILE;
  if (file) {
    await measure(fs.readFileSync(file, 'utf8'), file, edits, path.extname(file));
    return;
  }
  if (process.env.BENCH_TS) {
    for (const lines of (process.env.BENCH_LINES ?? '5003').split(',').map(Number)) await measure(makeTsSource(lines), 'generated TypeScript', edits, '.ts');
    return;
  }
  for (const lines of (process.env.BENCH_LINES ?? '5000').split(',').map(Number)) await measure(makeSource(lines), 'generated (dense)', edits);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
