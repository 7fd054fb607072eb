/**
 * Commands contributed under the "Workerscope" category.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('workerscope.restartServer', () => client.restart()),
    vscode.commands.registerCommand('workerscope.showOutput', () => output.show(true)),
  );
}
