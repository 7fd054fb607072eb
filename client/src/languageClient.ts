/**
 * Starts the bundled language server (dist/server.js) over node IPC for Python, JavaScript and
 * TypeScript documents (plain and React),
 * in trusted and untrusted workspaces alike: diagnostics read files but never run them.
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
    ]),
    outputChannel: output,
    synchronize: { configurationSection: 'workerscope' },
  };
  const client = new LanguageClient('workerscope', 'Workerscope', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
  return client;
}
