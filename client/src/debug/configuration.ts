/**
 * Resolution of `workerscope` launch configurations, kept free of `vscode` so it is unit-tested
 * without an editor: the provider in configurationProvider.ts gathers the editor's state into a
 * ResolveContext and applies the result.
 */
import * as path from 'node:path';
import type { LaunchAttributes } from '../../../protocol/src/launchAttributes';

export const DEBUG_TYPE = 'workerscope';

export interface WorkerscopeLaunchConfig extends LaunchAttributes {
  type: string;
  request: string;
  name: string;
  [key: string]: unknown;
}

export interface ResolveContext {
  /** `vscode.workspace.isTrusted`. */
  trusted: boolean;
  /** The active editor's file when it is a Python file on disk. */
  activePythonFile?: string;
  /** The folder the configuration belongs to, if any. */
  workspaceFolder?: string;
  /** The `workerscope.python.interpreter` setting ('' when unset). */
  interpreterSetting?: string;
  /** Asks the Python extension for its selected interpreter; undefined when it is not installed or has none. */
  pythonFromExtension?: () => Promise<string | undefined>;
  /** A new file in the extension's storage for `timeline: true` (undefined: the adapter picks one). */
  newTimelineFile?: () => string | undefined;
}

export type Resolution =
  | { kind: 'ok'; config: WorkerscopeLaunchConfig }
  | { kind: 'error'; message: string };

export const UNTRUSTED_MESSAGE = 'Workerscope does not run programs in an untrusted workspace. Trust the workspace to trace it; diagnostics keep working meanwhile.';
export const NO_PROGRAM_MESSAGE = 'Workerscope: open a Python file or set "program" in the launch configuration (or "report" to open a saved trace report).';

/**
 * Fills in a launch configuration: an empty one (F5 without launch.json) traces the active Python
 * file; `program` defaults to that file, `python` to the setting, else the Python extension's
 * interpreter, else python3; `stopOnWorkerFailure` to true. Refuses in an untrusted workspace.
 */
export async function resolveLaunchConfiguration(input: Partial<WorkerscopeLaunchConfig>, ctx: ResolveContext): Promise<Resolution> {
  if (!ctx.trusted) return { kind: 'error', message: UNTRUSTED_MESSAGE };
  const config: WorkerscopeLaunchConfig = { ...input, type: input.type || DEBUG_TYPE, request: input.request || 'launch', name: input.name || '' };
  if (typeof config.report === 'string' && config.report !== '') {
    if (!config.name) config.name = `Workerscope: open ${path.basename(config.report)}`;
    return { kind: 'ok', config };
  }
  if (!config.program || (config.program === '${file}' && !ctx.activePythonFile)) {
    if (!ctx.activePythonFile) return { kind: 'error', message: NO_PROGRAM_MESSAGE };
    config.program = ctx.activePythonFile;
  }
  if (!config.name) config.name = `Workerscope: trace ${path.basename(config.program)}`;
  if (!config.cwd) config.cwd = ctx.workspaceFolder ?? (path.isAbsolute(config.program) ? path.dirname(config.program) : undefined);
  if (!config.python) config.python = await defaultPython(ctx);
  if (config.stopOnWorkerFailure === undefined) config.stopOnWorkerFailure = true;
  if (config.timeline === true) config.timeline = ctx.newTimelineFile?.() ?? true;
  return { kind: 'ok', config };
}

async function defaultPython(ctx: ResolveContext): Promise<string> {
  const setting = ctx.interpreterSetting?.trim();
  if (setting) return setting;
  try {
    const fromExtension = await ctx.pythonFromExtension?.();
    if (fromExtension) return fromExtension;
  } catch {
    // The Python extension is optional: fall through to python3.
  }
  return 'python3';
}

/**
 * Configurations offered for the open Python files, active first: as they are for the Run and
 * Debug view's list; for a new launch.json (`workspaceFolder` given) with paths that travel with
 * the workspace (`${workspaceFolder}/…`, or `${file}` for a file outside it), never absolute.
 */
export function dynamicConfigurations(pythonFiles: readonly string[], workspaceFolder?: string): WorkerscopeLaunchConfig[] {
  return [...new Set(pythonFiles)].map((file) => ({
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Workerscope: trace ${path.basename(file)}`,
    program: workspaceFolder === undefined ? file : portable(file, workspaceFolder),
    stopOnWorkerFailure: true,
  }));
}

function portable(file: string, folder: string): string {
  if (!folder) return '${file}';
  const relative = path.relative(folder, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return '${file}';
  return `\${workspaceFolder}/${relative.split(path.sep).join('/')}`;
}
