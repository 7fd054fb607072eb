/**
 * The "Workerscope Trace" output channel: the failure summary of each `workerscope` session,
 * coloured by syntaxes/workerscope-trace.tmLanguage.json through its own language id.
 */
import * as vscode from 'vscode';
import { SUMMARY_EVENT, type SummaryEventBody } from '../../../protocol/src/customEvents';
import { DEBUG_TYPE } from './configuration';
import { sessionHeader } from './traceHeader';

export const TRACE_LANGUAGE_ID = 'workerscope-trace';
export const TRACE_CHANNEL_NAME = 'Workerscope Trace';

export function registerTraceOutput(context: vscode.ExtensionContext): vscode.OutputChannel {
  const channel = vscode.window.createOutputChannel(TRACE_CHANNEL_NAME, TRACE_LANGUAGE_ID);
  context.subscriptions.push(
    channel,
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (event.session.type !== DEBUG_TYPE || event.event !== SUMMARY_EVENT) return;
      const body = event.body as SummaryEventBody;
      channel.appendLine(sessionHeader(event.session.name, new Date()));
      channel.append(body.text.endsWith('\n') ? body.text : `${body.text}\n`);
      // Bring the summary forward only when there is something to read.
      if (!/no worker failures/.test(body.text)) channel.show(true);
    }),
  );
  return channel;
}
