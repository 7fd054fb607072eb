/**
 * The extension's entry: `activate()` only wires the features together; each lives in its own module.
 */
import * as vscode from 'vscode';
import { startLanguageClient } from './languageClient';
import { registerCommands } from './commands';
import { registerDebugFeatures } from './debug';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Workerscope', { log: true });
  context.subscriptions.push(output);
  // Debugging is wired first, so it works even if the language server cannot start.
  registerDebugFeatures(context, output);
  const client = await startLanguageClient(context, output);
  registerCommands(context, client, output);
}

export function deactivate(): void {
  // The language client is stopped through its disposable in context.subscriptions.
}
