/**
 * A minimal LSP client over stdio for tests and benchmarks: starts the built dist/server.js,
 * initialises it, and waits for published diagnostics with a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
// WORKERSCOPE_SERVER_BUNDLE points the benchmarks at another build (an older one, to compare).
export const SERVER_BUNDLE = process.env['WORKERSCOPE_SERVER_BUNDLE'] ?? path.join(REPO_ROOT, 'dist', 'server.js');

export class TestLspClient {
  readonly connection: MessageConnection;
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: Array<() => void> = [];
  readonly stderr: string[] = [];
  /** `window/showMessage` texts, in order. */
  readonly messages: string[] = [];
  /** `window/logMessage` texts of type Error (1), in order: the server's own reports of what went wrong. */
  readonly errors: string[] = [];
  /** Called on every publication, in order of arrival (for checks on the whole sequence, such as stale versions). */
  readonly publishListeners: Array<(p: PublishDiagnosticsParams) => void> = [];

  /** `window/logMessage` texts of every type, in order. */
  readonly logs: string[] = [];
  /** `$/logTrace` texts (sent when `workspace.trace` asked for them), in order. */
  readonly traces: string[] = [];

  /** What `workspace/configuration` answers: `workerscope` as a whole, or one setting under it by name. */
  settings: Record<string, unknown>;

  private constructor(readonly process: ChildProcess, settings: Record<string, unknown>) {
    this.settings = settings;
    this.connection = createMessageConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
    process.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.latest.set(params.uri, params);
      for (const listener of this.publishListeners) listener(params);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section?.startsWith('workerscope.') ? this.settings[item.section.slice('workerscope.'.length)] ?? null : this.settings)));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
      if (params.type === 1) this.errors.push(params.message);
      this.logs.push(params.message);
    });
    this.connection.onNotification('$/logTrace', (params: { message: string }) => {
      this.traces.push(params.message);
    });
    this.connection.onNotification('window/showMessage', (params: { message: string }) => {
      this.messages.push(params.message);
    });
    this.connection.listen();
  }

  /**
   * Starts the server; `workspace.folders` gives it folders (and file watching), as an editor with
   * a folder open does; `workspace.capabilities` adds workspace capabilities (workspace edits, say),
   * `workspace.textDocument` text document capabilities (pull diagnostics); `workspace.trace` turns
   * the server's `$/logTrace` on.
   */
  static async start(settings: Record<string, unknown> = { enable: true, rules: {} }, env: NodeJS.ProcessEnv = process.env, workspace: { folders?: string[]; capabilities?: Record<string, unknown>; trace?: 'messages' | 'verbose'; textDocument?: Record<string, unknown> } = {}): Promise<TestLspClient> {
    const child = spawn(process.execPath, [...(process.env['WORKERSCOPE_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? []), SERVER_BUNDLE, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const client = new TestLspClient(child, settings);
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      ...(workspace.trace ? { trace: workspace.trace } : {}),
      ...(workspace.folders ? { workspaceFolders: workspace.folders.map((f) => ({ uri: pathToFileURL(f).href, name: path.basename(f) })) } : {}),
      capabilities: {
        workspace: { configuration: true, ...(workspace.folders ? { workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } } : {}), ...workspace.capabilities },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true }, ...workspace.textDocument },
      },
    });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  open(uri: string, text: string, version = 1, languageId = 'python'): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, contentChanges: unknown[]): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  /** Resolves with the diagnostics for `uri` once a publication satisfies `accept`, or throws at the deadline. */
  async diagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = this.latest.get(uri);
      if (current && accept(current)) return current.diagnostics;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms (last: ${JSON.stringify(current)}; stderr: ${this.stderr.join('')})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Shuts the server down cleanly and resolves with its exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
