/**
 * Runs the program in the editor's terminal (`console: integratedTerminal | externalTerminal`):
 * the client starts the launcher (`workerscope_tracer/tools/terminal.py`) there, which starts the program as its child and
 * reports to us over a Unix socket in the private channel directory: its pid, a hangup, and how
 * it ended. We are not the program's parent, so that report (or the launcher's socket closing
 * without one) is how the run's end is known. Knows nothing of DAP.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { tracerPythonPath } from './tracerLocation';

export type TerminalKind = 'integrated' | 'external';

/** What the client is asked to run (DAP `runInTerminal`, built by the session). */
export interface TerminalRequest {
  kind: TerminalKind;
  title: string;
  cwd: string;
  args: string[];
  /** Added to the terminal's environment; null removes a variable. */
  env: Record<string, string | null>;
}

export interface TerminalOption {
  kind: TerminalKind;
  /**
   * Asks the client to run the request in a terminal. Rejects with `TerminalRefused` when the
   * client did not start it (an error answer, no answer): the program then runs with pipes.
   */
  run(request: TerminalRequest): Promise<void>;
}

/** The client did not start the terminal: nothing runs there, and nothing will. */
export class TerminalRefused extends Error {}

/** Where the launcher finds the channel: not `WORKERSCOPE_CHANNEL`, which marks the program's processes. */
export const TERMINAL_CHANNEL_VARIABLE = 'WORKERSCOPE_TERMINAL_CHANNEL';
export const TERMINAL_SOCKET = 'terminal.sock';
/** The longest socket path every platform binds (macOS: 104 bytes with the terminator). */
const SOCKET_PATH_MAX = 103;
/** How long a terminal the client started may take to run the launcher (a slow shell profile). */
const LAUNCHER_WAIT_MS = 30_000;
/** How often a program whose launcher vanished is checked for its end. */
const GONE_POLL_MS = 100;

/** What the runtime reads of the program's process: a child it spawned, or one a terminal's launcher runs. */
export interface ProgramProcess {
  readonly pid?: number;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
}

/** What the runtime passes on to the terminal: the program and where and how it runs. */
export interface TerminalLaunch {
  program: string;
  args?: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
}

/** The program run by the launcher, shaped like the parts of a ChildProcess the runtime reads. */
export class TerminalProgram implements ProgramProcess {
  pid: number | undefined;
  /** The launcher's pid: the program's parent. */
  launcherPid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private server: net.Server | undefined;
  private link: net.Socket | undefined;
  private starting: { resolve: (pid: number) => void; reject: (error: Error) => void } | undefined;
  private waitTimer: NodeJS.Timeout | undefined;
  private ended = false;

  /**
   * `closed`: the program has ended (its exit code, or the signal that ended it). `ending`: the
   * terminal was closed, or the launcher left without the program's status (`why`): the
   * program's tree is to be ended; `closed` follows once the program is gone.
   */
  constructor(
    private readonly channelDir: string,
    private readonly closed: (exitCode: number | null, signal: NodeJS.Signals | null) => void,
    private readonly ending: (why?: string) => void,
  ) {}

  /** Starts the program in the client's terminal as `python program args` with this environment. */
  run(option: TerminalOption, python: string, programEnv: NodeJS.ProcessEnv, launch: TerminalLaunch): Promise<number> {
    const cwd = path.resolve(launch.cwd ?? process.cwd());
    const interpreter = resolveInterpreter(python, programEnv, cwd);
    return this.start(option, {
      title: `Workerscope: ${path.basename(launch.program)}`,
      cwd,
      args: launcherArgs(interpreter, launch.program, launch.args ?? []),
      env: terminalEnv(programEnv, launch.env),
    });
  }

  /**
   * Asks the client for the terminal and resolves with the program's pid once the launcher has
   * started it. The socket accepts one launcher and only until then: a launcher started later
   * (a slow client, the command run again from the terminal's history) starts nothing.
   */
  private start(option: TerminalOption, request: Omit<TerminalRequest, 'kind'>): Promise<number> {
    return new Promise((resolve, reject) => {
      this.starting = { resolve, reject };
      const socketPath = path.join(this.channelDir, TERMINAL_SOCKET);
      if (Buffer.byteLength(socketPath) > SOCKET_PATH_MAX) {
        this.fail(new TerminalRefused(`the private directory's path is too long for a socket (${socketPath})`));
        return;
      }
      const server = net.createServer((socket) => this.accept(socket));
      this.server = server;
      server.on('error', (error) => this.fail(new TerminalRefused(`no socket for the terminal: ${error.message}`)));
      server.listen(socketPath, () => {
        option.run({ ...request, kind: option.kind }).then(
          () => {
            if (!this.starting) return;
            this.waitTimer = setTimeout(() => {
              const python = request.args[0];
              this.fail(new Error(`the terminal did not start the program within ${LAUNCHER_WAIT_MS / 1000} s (can it run ${python}?)`));
            }, LAUNCHER_WAIT_MS);
          },
          // Once the launcher has called, the client did run it, whatever its answer says (a late one).
          (error: Error) => {
            if (this.starting && !this.link) this.fail(error instanceof TerminalRefused ? error : new TerminalRefused(error.message));
          },
        );
      });
    });
  }

  /** Gives up a start still waiting for the launcher (Stop before the program ran). */
  abort(reason: string): void {
    this.fail(new Error(reason));
  }

  private fail(error: Error): void {
    const starting = this.starting;
    this.starting = undefined;
    this.stopListening();
    starting?.reject(error);
  }

  private stopListening(): void {
    clearTimeout(this.waitTimer);
    this.server?.close();
    this.server = undefined;
    // No later launcher may connect by path: the socket file goes with the listening.
    fs.rmSync(path.join(this.channelDir, TERMINAL_SOCKET), { force: true });
  }

  private accept(socket: net.Socket): void {
    if (this.link || !this.starting) {
      socket.end(`${JSON.stringify({ start: false, why: 'another launcher has started the program already' })}\n`);
      return;
    }
    this.link = socket;
    this.stopListening();
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buffered += text;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        this.onMessage(socket, line);
      }
    });
    socket.on('error', () => undefined); // the close that follows says what is needed
    socket.on('close', () => this.onLinkClosed());
  }

  private onMessage(socket: net.Socket, line: string): void {
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null) return;
      message = parsed as Record<string, unknown>;
    } catch {
      return; // not ours to act on
    }
    if (message.hello !== undefined) {
      if (isPid(message.launcher)) this.launcherPid = message.launcher;
      socket.write(`${JSON.stringify({ start: this.starting !== undefined })}\n`);
    } else if (isPid(message.pid) && this.pid === undefined) {
      if (!this.starting) return this.disown(message.pid);
      this.pid = message.pid;
      const starting = this.starting;
      this.starting = undefined;
      starting.resolve(message.pid);
    } else if (typeof message.error === 'string') {
      this.fail(new Error(message.error));
    } else if (message.hangup === true && this.pid !== undefined && !this.ended) {
      this.ending();
    } else if (Number.isInteger(message.exit)) {
      this.end(message.exit as number, null);
    } else if (Number.isInteger(message.signal)) {
      this.end(null, signalName(message.signal as number));
    }
  }

  /** A program started after its start was given up (Stop at that moment): it must not run on. */
  private disown(pid: number): void {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone already
    }
    this.link?.destroy();
  }

  private onLinkClosed(): void {
    if (this.starting) {
      this.fail(new Error('the terminal ended before the program started'));
      return;
    }
    if (this.ended || this.pid === undefined) return;
    // Killed outright (SIGKILL), or the terminal took it down before it could write: no status.
    this.ending('the terminal running the program ended without passing on how the program ended');
    this.untilGone(this.pid, startTime(this.pid));
  }

  /** Waits for a program we cannot wait for (not our child), then ends as a hangup would. */
  private untilGone(pid: number, started: string | undefined): void {
    const timer = setInterval(() => {
      if (alive(pid, started)) return;
      clearInterval(timer);
      this.end(null, 'SIGHUP');
    }, GONE_POLL_MS);
  }

  /** After the pid's promise settles (a short program's status can come in the same read). */
  private end(exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (this.ended || this.pid === undefined) return;
    this.ended = true;
    this.exitCode = exitCode;
    this.signalCode = signal;
    setImmediate(() => this.closed(exitCode, signal));
  }
}

function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function signalName(number: number): NodeJS.Signals {
  const found = Object.entries(os.constants.signals).find(([, n]) => n === number);
  return (found?.[0] as NodeJS.Signals | undefined) ?? 'SIGKILL';
}

/** The process's start time (/proc), to tell it from a later process given the same pid. */
function startTime(pid: number): string | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && (started === undefined || fields[19] === started);
  } catch {
    return !fs.existsSync('/proc/self/stat'); // no /proc: the signal check is all there is
  }
}

/** The launcher the client runs: `python -S .../tools/terminal.py -- python program args`. */
export function launcherArgs(python: string, program: string, args: readonly string[]): string[] {
  return [python, '-S', path.join(tracerPythonPath(), 'workerscope_tracer', 'tools', 'terminal.py'), '--', python, program, ...args];
}

/**
 * The terminal's environment changes: what the program's environment sets differently from
 * ours (the terminal starts from the editor's, as we do), the launch's own variables always,
 * and null for what the program must not have. The channel goes under its launcher's name.
 */
export function terminalEnv(programEnv: NodeJS.ProcessEnv, launchEnv: Readonly<Record<string, string>> | undefined, base: NodeJS.ProcessEnv = process.env): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(programEnv)) {
    if (value !== undefined && (base[key] !== value || (launchEnv && key in launchEnv))) changes[key] = value;
  }
  for (const key of Object.keys(base)) if (programEnv[key] === undefined) changes[key] = null;
  const channel = programEnv.WORKERSCOPE_CHANNEL;
  if (channel !== undefined) changes[TERMINAL_CHANNEL_VARIABLE] = channel;
  delete changes.WORKERSCOPE_CHANNEL;
  if (base.WORKERSCOPE_CHANNEL !== undefined) changes.WORKERSCOPE_CHANNEL = null;
  delete changes.WORKERSCOPE_LAUNCHER; // the launcher names itself
  return changes;
}

/** `python3` as found on PATH here, so the terminal runs the interpreter the session means. */
export function resolveInterpreter(python: string, env: NodeJS.ProcessEnv, cwd: string): string {
  if (python.includes('/')) return path.resolve(cwd, python);
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, python);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here: the next entry of PATH
    }
  }
  return python;
}
