/**
 * Starts the bundled language server (dist/server.js) over node IPC for Python, JavaScript and
 * TypeScript documents (plain and React),
 * in trusted and untrusted workspaces alike: diagnostics read files but never run them. The
 * server's diagnostics are pulled (LSP 3.17): after every edit and save of a document, and for
 * the whole workspace (the server holds that request until something changes).
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export async function startLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact'].flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]).concat(
      // Cells of notebooks: their text reaches the server through notebook sync; the selector is
      // what makes VS Code ask the server for a cell's quick fixes and hovers.
      { scheme: 'vscode-notebook-cell', language: 'python' },
    ),
    outputChannel: output,
    synchronize: { configurationSection: 'workerscope' },
    // The client pulls a document's diagnostics on open only, unless told to on change and save too.
    diagnosticPullOptions: { onChange: true, onSave: true },
  };
  const client = new LanguageClient('workerscope', 'Workerscope', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
  return client;
}
