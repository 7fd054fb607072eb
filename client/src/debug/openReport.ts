/**
 * "Workerscope: Open Trace Report…": picks a saved report (or takes the file it was invoked on)
 * and starts a post-mortem `workerscope` session on it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEBUG_TYPE } from './configuration';

export const OPEN_REPORT_COMMAND = 'workerscope.openTraceReport';

export function registerOpenReport(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand(OPEN_REPORT_COMMAND, async (uri?: vscode.Uri) => {
    let file = uri instanceof vscode.Uri ? uri : undefined;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Open Trace Report',
        title: 'Open a Workerscope trace report',
        filters: { 'Trace report': ['json'], 'All files': ['*'] },
      });
      file = picked?.[0];
    }
    if (!file) return;
    const folder = vscode.workspace.getWorkspaceFolder(file);
    const started = await vscode.debug.startDebugging(folder, {
      type: DEBUG_TYPE,
      request: 'launch',
      name: `Workerscope: ${path.basename(file.fsPath)}`,
      report: file.fsPath,
    });
    // Declining the workspace-trust prompt also ends here: that is the user's answer, not a failure.
    if (!started && vscode.workspace.isTrusted) void vscode.window.showErrorMessage(`Workerscope could not open ${file.fsPath} as a trace report.`);
  }));
}
