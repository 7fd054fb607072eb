/**
 * Times the language server's first workspace pass over a folder (default: CPython's Lib/, about
 * 2,100 files) through the real server over stdio: from `initialized` until the server logs the
 * pass done. Prints one JSON line: files, seconds (the server's own count), findings published.
 */
import { TestLspClient } from '../../server/test/lsp/lspClient';

async function main(): Promise<void> {
  const folder = process.env['BENCH_FOLDER'] ?? process.argv[2];
  if (!folder) throw new Error('BENCH_FOLDER (a folder to open as the workspace) is required');
  const runs: { files: number; seconds: number; findings: number }[] = [];
  for (let i = 0; i < Number(process.env['BENCH_RUNS'] ?? 3); i++) {
    const client = await TestLspClient.start(undefined, undefined, { folders: [folder] });
    const findings = new Map<string, number>();
    client.publishListeners.push((p) => findings.set(p.uri, p.diagnostics.length));
    const deadline = Date.now() + 300_000;
    let done: RegExpExecArray | null = null;
    while (!(done = /checked (\d+) workspace files in ([\d.]+) s/.exec(client.logs.join('\n')))) {
      if (Date.now() > deadline) throw new Error('no workspace pass within 300 s');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    runs.push({ files: Number(done[1]), seconds: Number(done[2]), findings: [...findings.values()].reduce((a, b) => a + b, 0) });
    await client.stop();
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const median = runs[Math.floor(runs.length / 2)]!;
  console.log(JSON.stringify({ folder, files: median.files, medianSeconds: median.seconds, runs: runs.map((r) => r.seconds), findings: median.findings }));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
