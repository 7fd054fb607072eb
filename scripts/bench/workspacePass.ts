/**
 * Times the language server's first workspace pass over a folder (default: CPython's Lib/, about
 * 2,100 files) through the real server over stdio: from `initialized` until the server logs the
 * pass done. Then opens one module (BENCH_MODULE, relative to the folder; default CPython's
 * `test/test_concurrent_futures/executor.py`, which the pool tests import `mul` and the test bases
 * from) and edits it (a comment line appended, unsaved) BENCH_EDITS times: each edit is timed from
 * the `didChange` until the server says (`$/logTrace`) that every file importing the module was
 * checked again and published. Prints one JSON line: files, pass seconds (the server's own count),
 * findings published, and the edit figures (dependants, p50/p95 ms).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestLspClient } from '../../server/test/lsp/lspClient';

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Edits `module` `count` times; the ms from each edit until the server re-published its dependants. */
async function timeEdits(client: TestLspClient, module: string, count: number): Promise<{ dependants: number; ms: number[] }> {
  const uri = pathToFileURL(module).href;
  let text = fs.readFileSync(module, 'utf8');
  await client.open(uri, text);
  const ms: number[] = [];
  let dependants = 0;
  const pattern = new RegExp(`(\\d+) files importing ${path.basename(module).replace('.', '\\.')} checked again`);
  for (let version = 2; version < count + 2; version++) {
    const seen = client.traces.length;
    text += `# edit ${version}\n`;
    const started = performance.now();
    await client.change(uri, version, [{ text }]);
    const line = await waitFor(() => client.traces.slice(seen).find((t) => pattern.test(t)), `re-check of ${path.basename(module)}'s dependants`, 30_000);
    ms.push(performance.now() - started);
    dependants = Number(pattern.exec(line)![1]);
  }
  return { dependants, ms };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const folder = process.env['BENCH_FOLDER'] ?? process.argv[2];
  if (!folder) throw new Error('BENCH_FOLDER (a folder to open as the workspace) is required');
  const module = path.join(folder, process.env['BENCH_MODULE'] ?? 'test/test_concurrent_futures/executor.py');
  const edits = Number(process.env['BENCH_EDITS'] ?? 20);
  const runs: { files: number; seconds: number; findings: number }[] = [];
  const editMs: number[] = [];
  let dependants = 0;
  for (let i = 0; i < Number(process.env['BENCH_RUNS'] ?? 3); i++) {
    const client = await TestLspClient.start(undefined, undefined, { folders: [folder], trace: 'verbose' });
    const findings = new Map<string, number>();
    client.publishListeners.push((p) => findings.set(p.uri, p.diagnostics.length));
    const done = await waitFor(() => /checked (\d+) workspace files in ([\d.]+) s/.exec(client.logs.join('\n')) ?? undefined, 'workspace pass', 300_000);
    runs.push({ files: Number(done[1]), seconds: Number(done[2]), findings: [...findings.values()].reduce((a, b) => a + b, 0) });
    if (edits > 0 && fs.existsSync(module)) {
      const timed = await timeEdits(client, module, edits);
      dependants = timed.dependants;
      editMs.push(...timed.ms);
    }
    await client.stop();
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const median = runs[Math.floor(runs.length / 2)]!;
  editMs.sort((a, b) => a - b);
  const edit = editMs.length > 0 ? { module: path.relative(folder, module), dependants, edits: editMs.length, p50Ms: Number(percentile(editMs, 50).toFixed(1)), p95Ms: Number(percentile(editMs, 95).toFixed(1)) } : undefined;
  console.log(JSON.stringify({ folder, files: median.files, medianSeconds: median.seconds, runs: runs.map((r) => r.seconds), findings: median.findings, ...(edit ? { edit } : {}) }));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
