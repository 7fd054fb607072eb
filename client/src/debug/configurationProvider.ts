/**
 * The `workerscope` DebugConfigurationProvider: gathers the editor's state (trust, active Python
 * file, settings, the Python extension's interpreter) and lets configuration.ts decide.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ensureTimelineDir, KEEP_TIMELINES, newTimelinePath, pruneTimelines } from '../timeline/files';
import { DEBUG_TYPE, dynamicConfigurations, resolveLaunchConfiguration, type WorkerscopeLaunchConfig } from './configuration';

export class WorkerscopeConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** `forLaunchJson`: the configurations are written into a new launch.json (no absolute paths). */
  /** `timelineDir`: where `timeline: true` records (the extension's storage). */
  constructor(private readonly log: vscode.OutputChannel, private readonly forLaunchJson = false, private readonly timelineDir?: string) {}

  provideDebugConfigurations(folder?: vscode.WorkspaceFolder): vscode.DebugConfiguration[] {
    const files = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors]
      .map((editor) => editor?.document)
      .filter((doc): doc is vscode.TextDocument => !!doc && doc.languageId === 'python' && doc.uri.scheme === 'file')
      .map((doc) => doc.uri.fsPath);
    return dynamicConfigurations(files, this.forLaunchJson ? (folder?.uri.fsPath ?? '') : undefined);
  }

  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined | null> {
    const active = vscode.window.activeTextEditor?.document;
    const activePythonFile = active && active.languageId === 'python' && active.uri.scheme === 'file' ? active.uri.fsPath : undefined;
    const resource = folder?.uri ?? active?.uri;
    const result = await resolveLaunchConfiguration(config as Partial<WorkerscopeLaunchConfig>, {
      trusted: vscode.workspace.isTrusted,
      activePythonFile,
      workspaceFolder: folder?.uri.fsPath,
      interpreterSetting: vscode.workspace.getConfiguration('workerscope', resource).get<string>('python.interpreter', ''),
      pythonFromExtension: () => pythonFromExtension(resource, this.log),
      newTimelineFile: () => this.newTimelineFile(),
    });
    if (result.kind === 'error') {
      void vscode.window.showErrorMessage(result.message);
      return undefined; // Abort the launch without opening launch.json.
    }
    return result.config;
  }

  /** A timestamped file in the storage folder; the oldest files go so that at most KEEP_TIMELINES stay. */
  private newTimelineFile(): string | undefined {
    if (!this.timelineDir) return undefined;
    try {
      ensureTimelineDir(this.timelineDir);
      pruneTimelines(this.timelineDir, KEEP_TIMELINES - 1);
      return newTimelinePath(this.timelineDir, new Date());
    } catch (error) {
      this.log.appendLine(`Could not prepare the timeline folder ${this.timelineDir}: ${(error as Error).message}`);
      return undefined;
    }
  }
}

export function registerConfigurationProvider(context: vscode.ExtensionContext, log: vscode.OutputChannel): void {
  const timelineDir = path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'timelines');
  const provider = new WorkerscopeConfigurationProvider(log, false, timelineDir);
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new WorkerscopeConfigurationProvider(log, true, timelineDir), vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
}

/** The subset of the Python extension's API used here (ms-python.python, 2023+ and older). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
  };
}

/** The interpreter selected in the Python extension, when it is installed and has one. */
export async function pythonFromExtension(resource: vscode.Uri | undefined, log: vscode.OutputChannel): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    if (api?.environments) {
      const envPath = api.environments.getActiveEnvironmentPath(resource);
      const resolved = await api.environments.resolveEnvironment(envPath);
      const executable = resolved?.executable.uri?.fsPath ?? envPath.path;
      if (executable) return executable;
    }
    const command = api?.settings?.getExecutionDetails(resource).execCommand;
    return command && command.length > 0 ? command[0] : undefined;
  } catch (error) {
    log.appendLine(`Could not ask the Python extension for its interpreter: ${(error as Error).message}`);
    return undefined;
  }
}
