/**
 * Replays one fuzz case against the real language server (dist/server.js over stdio) and says what
 * went wrong, if anything: a crash, a request or publication missing its deadline, a publication of
 * a version older than one the server had already received, an error the server logged, or final
 * diagnostics that differ from those of a fresh open of the same text.
 */
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import { TestLspClient } from '../../../server/test/lsp/lspClient';
import { applyChange, type Range } from './lspText';

/** One didChange notification: a whole-document text, or a range edit (possibly end-first or past the end). */
export type Change = { text: string } | { range: Range; text: string };

export interface FuzzCase {
  open: string;
  /** Bursts of didChange notifications; after each burst a hover is sent as a barrier. */
  bursts: Change[][];
}

export const REQUEST_DEADLINE_MS = 15_000;

export function finalText(c: FuzzCase): string {
  let text = c.open;
  for (const burst of c.bursts) for (const change of burst) text = 'range' in change ? applyChange(text, change.range, change.text) : change.text;
  return text;
}

export function summarise(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`).sort().join('\n');
}

export async function startServer(): Promise<TestLspClient> {
  // WORKERSCOPE_DEBUG lets a rule's exception escape, so the server logs it instead of hiding it.
  return TestLspClient.start({ enable: true, rules: {} }, { ...process.env, WORKERSCOPE_DEBUG: '1' });
}

function withDeadline<T>(promise: Promise<T>, what: string, ms = REQUEST_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs `c` on `client` under document `uri` (and `uri`-fresh for the comparison); resolves with a
 * failure description, or undefined when the server behaved. Leaves both documents closed.
 */
export async function runCase(client: TestLspClient, uri: string, c: FuzzCase): Promise<string | undefined> {
  const freshUri = uri.replace(/\.py$/, '-fresh.py');
  let barrier = 0; // The newest version the server is known to have received (a later request was answered).
  let stale: string | undefined;
  const watch = (p: PublishDiagnosticsParams): void => {
    if (p.uri === uri && p.version !== undefined && p.version < barrier) {
      stale ??= `published diagnostics of version ${p.version} after version ${barrier} had been received`;
    }
  };
  client.publishListeners.push(watch);
  try {
    await client.open(uri, c.open, 1);
    let version = 1;
    for (const burst of c.bursts) {
      for (const change of burst) await client.change(uri, ++version, [change]);
      const sent = version;
      // Requests must be answered while analysis runs; the answer also proves the edits were received.
      await withDeadline(client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }), `hover after version ${sent}`);
      barrier = Math.max(barrier, sent);
      if (stale) return stale;
    }
    const exited = client.process.exitCode ?? client.process.signalCode;
    if (exited !== null) return `server exited (${exited})`;
    const edited = await waitDiagnostics(client, uri, version);
    if (typeof edited === 'string') return edited;
    if (stale) return stale;
    await client.open(freshUri, finalText(c), 1);
    const fresh = await waitDiagnostics(client, freshUri, 1);
    if (typeof fresh === 'string') return fresh;
    const [a, b] = [summarise(edited), summarise(fresh)];
    if (a !== b) return `diagnostics after the edits differ from a fresh open of the same text:\n--- edited\n${a}\n--- fresh\n${b}`;
    if (client.errors.length > 0) return `server logged an error: ${client.errors.join('\n')}`;
    return undefined;
  } catch (error) {
    const exited = client.process.exitCode ?? client.process.signalCode;
    return `${error instanceof Error ? error.message : String(error)}${exited !== null ? ` (server exited: ${exited})` : ''}; stderr: ${client.stderr.join('').slice(-2000)}`;
  } finally {
    client.publishListeners.splice(client.publishListeners.indexOf(watch), 1);
    if (client.process.exitCode === null && client.process.signalCode === null) {
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } }).catch(() => undefined);
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: freshUri } }).catch(() => undefined);
    }
  }
}

async function waitDiagnostics(client: TestLspClient, uri: string, version: number): Promise<Diagnostic[] | string> {
  try {
    return await client.diagnostics(uri, (p) => p.version === version, REQUEST_DEADLINE_MS);
  } catch (error) {
    const logged = client.errors.length > 0 ? ` (server logged: ${client.errors.join('\n')})` : '';
    return `${(error as Error).message.slice(0, 500)}${logged}`;
  }
}

/** Replays a case on a server of its own (for minimisation); undefined if it passes. */
export async function replay(c: FuzzCase): Promise<string | undefined> {
  const client = await startServer();
  try {
    return await runCase(client, 'file:///tmp/workerscope-fuzz/replay.py', c);
  } finally {
    if (client.process.exitCode === null && client.process.signalCode === null) {
      await withDeadline(client.stop(), 'shutdown').catch(() => client.process.kill('SIGKILL'));
    }
  }
}
