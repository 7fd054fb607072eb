/**
 * Everything the extension adds for the `workerscope` debugger: launch configuration resolution,
 * the "Worker Failures" view, the "Workerscope Trace" output channel and "Open Trace Report…".
 */
import type * as vscode from 'vscode';
import { registerConfigurationProvider } from './configurationProvider';
import { registerFailuresView } from './failuresView';
import { registerOpenReport } from './openReport';
import { registerTraceOutput } from './traceOutput';

export function registerDebugFeatures(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  registerConfigurationProvider(context, output);
  registerFailuresView(context);
  registerTraceOutput(context);
  registerOpenReport(context);
}
