/**
 * Commands contributed under the "Workerscope" category.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('workerscope.restartServer', async () => {
      output.info('Restarting the language server (asked for)');
      try {
        await client.restart();
      } catch (error) {
        output.error(`Language server did not restart: ${(error as Error).message}`);
        void vscode.window.showErrorMessage(`Workerscope: the language server did not restart: ${(error as Error).message}`, 'Show Output').then((choice) => {
          if (choice) output.show(true);
        });
      }
    }),
    vscode.commands.registerCommand('workerscope.showOutput', () => output.show(true)),
  );
}
