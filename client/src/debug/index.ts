/**
 * Everything the extension adds for the `workerscope` debugger: launch configuration resolution,
 * the "Worker Failures" view, the "Workerscope Trace" output channel, "Open Trace Report…" and the
 * Timeline panel (client/src/timeline).
 */
import type * as vscode from 'vscode';
import { registerConfigurationProvider } from './configurationProvider';
import { registerFailuresView } from './failuresView';
import { registerOpenReport } from './openReport';
import { registerTraceOutput } from './traceOutput';
import { registerTimeline } from '../timeline/register';

export function registerDebugFeatures(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  registerConfigurationProvider(context, output);
  registerFailuresView(context);
  registerTraceOutput(context);
  registerOpenReport(context);
  registerTimeline(context);
}
