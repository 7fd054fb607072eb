/**
 * Shows that Workerscope is working: a language status item on Python files with the language
 * server's state and the interpreter a traced run would use (with a Restart action), and the
 * version, server starts, stops and state changes in the Workerscope output channel.
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { pythonFromExtension } from './debug/configurationProvider';

export class ServerStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private readonly disposables: vscode.Disposable[] = [];
  private serverState = 'starting';

  constructor(private readonly output: vscode.LogOutputChannel, version: string) {
    this.item = vscode.languages.createLanguageStatusItem('workerscope.status', [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
    ]);
    this.item.name = 'Workerscope';
    this.item.command = { title: 'Restart', command: 'workerscope.restartServer', tooltip: 'Restart the Workerscope language server' };
    this.disposables.push(this.item, vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('workerscope.python.interpreter')) void this.refresh();
    }));
    output.info(`Workerscope ${version} activated (VS Code ${vscode.version}, ${process.platform})`);
    this.show('starting', 'busy');
  }

  /** Follows the client: Starting, Running and Stopped, each logged once. */
  attach(client: LanguageClient): void {
    this.disposables.push(client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.output.info('Language server running: diagnostics for Python files and notebooks');
        this.show('running', 'ok');
      } else if (e.newState === State.Starting) {
        this.output.info('Language server starting');
        this.show('starting', 'busy');
      } else {
        this.output.warn('Language server stopped (Workerscope: Restart Language Server starts it again)');
        this.show('stopped', 'stopped');
      }
    }));
    if (client.state === State.Running) {
      this.output.info('Language server running: diagnostics for Python files and notebooks');
      this.show('running', 'ok');
    }
  }

  /** The server could not start at all: say why where the user will look. */
  failed(error: unknown): void {
    this.output.error(`Language server failed to start: ${(error as Error)?.message ?? String(error)}`);
    this.show('failed to start', 'stopped');
  }

  private show(state: string, look: 'busy' | 'ok' | 'stopped'): void {
    this.serverState = state;
    this.item.busy = look === 'busy';
    this.item.severity = look === 'stopped' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.item.text = look === 'stopped' ? '$(error) Workerscope' : 'Workerscope';
    void this.refresh();
  }

  /** The detail line: the server's state and the interpreter a traced run (F5) would use. */
  private async refresh(): Promise<void> {
    const interpreter = await tracedInterpreter(this.output);
    this.item.detail = `server ${this.serverState} · traced runs use ${interpreter}`;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The interpreter a launch configuration without `python` would use: the setting, else the
 * Python extension's selection (asked only once that extension is active: showing a status is no
 * reason to activate it), else python3.
 */
async function tracedInterpreter(output: vscode.LogOutputChannel): Promise<string> {
  const resource = vscode.window.activeTextEditor?.document.uri;
  const setting = vscode.workspace.getConfiguration('workerscope', resource).get<string>('python.interpreter', '');
  if (setting) return setting;
  const extension = vscode.extensions.getExtension('ms-python.python');
  if (extension?.isActive) {
    const selected = await pythonFromExtension(resource, output);
    if (selected) return selected;
  }
  return extension ? 'the Python extension\'s interpreter' : 'python3';
}
