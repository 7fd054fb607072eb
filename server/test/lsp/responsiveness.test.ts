/**
 * The server stays responsive and exact under large input, through the built server over LSP:
 * requests are answered while a large file is analysed, a superseded version is never published,
 * and the memory taken for a large file is given back afterwards.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { makeSource } from '../../../scripts/bench/lspLatency';
import { TestLspClient } from './lspClient';

test('hover is answered while a large file is analysed, and the superseded version is never published', async () => {
  const client = await TestLspClient.start();
  try {
    const uri = 'file:///tmp/workerscope-test/large-responsive.py';
    const source = makeSource(40_000); // Seconds of analysis.
    const published: PublishDiagnosticsParams[] = [];
    let hoverAnswered = false;
    const publishedBeforeHover: number[] = [];
    client.publishListeners.push((p) => {
      if (p.uri !== uri) return;
      published.push(p);
      if (!hoverAnswered) publishedBeforeHover.push(p.version ?? -1);
    });
    await client.open(uri, source, 1);
    await client.change(uri, 2, [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, text: '#' }]);
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    hoverAnswered = true;
    assert.deepEqual(publishedBeforeHover, [], 'the hover waited for an analysis');
    const diagnostics = await client.diagnostics(uri, (p) => p.version === 2, 120_000);
    assert.ok(diagnostics.length > 1000);
    assert.deepEqual(published.map((p) => p.version), [2], 'only the newest version is published');
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('memory taken to analyse a large file is given back once it is done', { skip: !fs.existsSync('/proc/self/status') }, async () => {
  const client = await TestLspClient.start();
  const rssMb = (): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${client.process.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 100);
  try {
    const uri = 'file:///tmp/workerscope-test/large-memory.py';
    await client.open(uri, makeSource(60_000), 1); // 1.2 MB: past the size after which the worker is renewed.
    await client.diagnostics(uri, (p) => p.version === 1, 120_000);
    clearInterval(sampler);
    peak = Math.max(peak, rssMb());
    const deadline = Date.now() + 20_000;
    while (rssMb() > peak * 0.6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(rssMb() <= peak * 0.6, `resident memory stayed at ${rssMb().toFixed(0)} MB after a peak of ${peak.toFixed(0)} MB`);
    // The renewed worker still analyses.
    const small = 'file:///tmp/workerscope-test/small-after.py';
    await client.open(small, 'import multiprocessing as mp\nmp.Pool(2)\n');
    assert.deepEqual((await client.diagnostics(small)).map((d) => d.code), ['unguarded-entry-point']);
  } finally {
    clearInterval(sampler);
    assert.equal(await client.stop(), 0);
  }
});
