/**
 * The launch attribute `console` in DAP terms: for a terminal, the runtime's launch option that
 * asks the client to run the program there (`runInTerminal`); with a client that cannot, the
 * Debug Console, and a line saying so.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CONSOLE_KINDS } from '../../../protocol/src/launchAttributes';
import { TerminalRefused, type TerminalOption, type TerminalRequest } from '../../../runtime/src/terminalLaunch';

/** The session's `runInTerminalRequest` (DebugSession), bound to it. */
export type RunInTerminalRequester = (args: DebugProtocol.RunInTerminalRequestArguments, timeout: number, cb: (response: DebugProtocol.RunInTerminalResponse) => void) => void;

/** How long the client may take to answer `runInTerminal` (it answers once the terminal runs the command). */
export const RUN_IN_TERMINAL_TIMEOUT_MS = 20_000;

export type ConsoleChoice = { terminal?: TerminalOption; notice?: string } | { error: string };

/**
 * The runtime's `terminal` launch option for the launch's `console` (none: the Debug Console).
 * `clientSupportsTerminal`: the client's `supportsRunInTerminalRequest` from `initialize`.
 */
export function consoleChoice(console: unknown, clientSupportsTerminal: boolean, runInTerminal: RunInTerminalRequester): ConsoleChoice {
  if (console === undefined || console === null || console === 'internalConsole') return {};
  if (typeof console !== 'string' || !(CONSOLE_KINDS as readonly string[]).includes(console)) {
    return { error: `Workerscope: "console" must be one of ${CONSOLE_KINDS.map((kind) => `"${kind}"`).join(', ')}, not ${JSON.stringify(console)}.` };
  }
  if (!clientSupportsTerminal) {
    return { notice: `this client cannot run the program in a terminal ("console": "${console}"): it runs in the Debug Console, where input() reads nothing.` };
  }
  const kind = console === 'externalTerminal' ? 'external' : 'integrated';
  return { terminal: { kind, run: (request) => askClient(runInTerminal, request) } };
}

/** Resolves once the client has started the command; `TerminalRefused` when it did not answer or refused. */
function askClient(runInTerminal: RunInTerminalRequester, request: TerminalRequest): Promise<void> {
  const args: DebugProtocol.RunInTerminalRequestArguments = {
    kind: request.kind,
    title: request.title,
    cwd: request.cwd,
    args: request.args,
    // DAP: a null value removes the variable from the terminal's environment.
    env: request.env as Record<string, string>,
  };
  return new Promise((resolve, reject) => {
    runInTerminal(args, RUN_IN_TERMINAL_TIMEOUT_MS, (response) => {
      if (response.success) resolve();
      else reject(new TerminalRefused(`the client did not run the program in a terminal (${response.message || 'no reason given'})`));
    });
  });
}
