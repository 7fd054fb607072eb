/**
 * The extension's entry: `activate()` only wires the features together; each lives in its own module.
 */
import * as vscode from 'vscode';
import { startLanguageClient } from './languageClient';
import { registerCommands } from './commands';
import { registerDebugFeatures } from './debug';
import { registerProblemsView } from './problems/problemsView';
import { ServerStatus } from './status';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Workerscope', { log: true });
  context.subscriptions.push(output);
  const status = new ServerStatus(output, String(context.extension.packageJSON.version ?? 'unknown'));
  context.subscriptions.push(status);
  // Debugging is wired first, so it works even if the language server cannot start.
  registerDebugFeatures(context, output);
  registerProblemsView(context);
  let client;
  try {
    client = await startLanguageClient(context, output);
  } catch (error) {
    status.failed(error);
    throw error;
  }
  status.attach(client);
  registerCommands(context, client, output);
}

export function deactivate(): void {
  // The language client is stopped through its disposable in context.subscriptions.
}
