/**
 * The "Workerscope Trace" output channel: the failure summary of each `workerscope` session,
 * coloured by syntaxes/workerscope-trace.tmLanguage.json through its own language id. It never
 * comes forward by itself (that would take the panel from the Debug Console): the user opens it
 * with "Workerscope: Show Trace Summary" (palette, or the Worker Failures view's title bar).
 */
import * as vscode from 'vscode';
import { SUMMARY_EVENT, type SummaryEventBody } from '../../../protocol/src/customEvents';
import { DEBUG_TYPE } from './configuration';
import { sessionHeader } from './traceHeader';

export const TRACE_LANGUAGE_ID = 'workerscope-trace';
export const TRACE_CHANNEL_NAME = 'Workerscope Trace';
export const SHOW_TRACE_COMMAND = 'workerscope.showTrace';

export function registerTraceOutput(context: vscode.ExtensionContext): vscode.OutputChannel {
  const channel = vscode.window.createOutputChannel(TRACE_CHANNEL_NAME, TRACE_LANGUAGE_ID);
  context.subscriptions.push(
    channel,
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (event.session.type !== DEBUG_TYPE || event.event !== SUMMARY_EVENT) return;
      const body = event.body as SummaryEventBody;
      channel.appendLine(sessionHeader(event.session.name, new Date()));
      channel.append(body.text.endsWith('\n') ? body.text : `${body.text}\n`);
    }),
    vscode.commands.registerCommand(SHOW_TRACE_COMMAND, () => channel.show(true)),
  );
  return channel;
}
