/**
 * Measures the time from an edit to the published diagnostics for a large Python file through
 * the built language server over stdio, and prints p50/p95/max as JSON. The file is a generated
 * 5,000-line module dense with pools (every 17 lines), or BENCH_FILE.
 */
import * as fs from 'node:fs';
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

function makeSource(lines: number): string {
  let text = 'import multiprocessing\nfrom concurrent.futures import ProcessPoolExecutor\n';
  for (let i = 0; text.split('\n').length < lines; i++) text += BLOCK(i);
  return `${text}\nif __name__ == "__main__":\n    print(run_0([1, 2, 3]))\n`;
}

async function main(): Promise<void> {
  const edits = Number(process.env.BENCH_EDITS ?? 200);
  const file = process.env.BENCH_FILE;
  const source = file ? fs.readFileSync(file, 'utf8') : makeSource(5000);
  const lineCount = source.split('\n').length;
  const client = await TestLspClient.start();
  const uri = 'file:///tmp/workerscope-bench/large.py';
  await client.open(uri, source, 1);
  await client.diagnostics(uri, (p) => p.version === 1, 60_000);
  const samples: number[] = [];
  let typedAt = 0;
  for (let v = 2; v < edits + 2; v++) {
    // Alternate typing a character somewhere in the file and deleting it again.
    if (v % 2 === 0) typedAt = 3 + ((v * 37) % (lineCount - 10));
    const at = { line: typedAt, character: 0 };
    const change = v % 2 === 0
      ? { range: { start: at, end: at }, text: '#' }
      : { range: { start: at, end: { line: typedAt, character: 1 } }, text: '' };
    const started = process.hrtime.bigint();
    await client.change(uri, v, [change]);
    await client.diagnostics(uri, (p) => p.version === v, 10_000);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await client.stop();
  samples.sort((a, b) => a - b);
  const pick = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  console.log(JSON.stringify({ file: file || 'generated (dense)', lines: lineCount, edits: samples.length, p50Ms: +pick(0.5).toFixed(1), p95Ms: +pick(0.95).toFixed(1), maxMs: +samples[samples.length - 1]!.toFixed(1) }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
