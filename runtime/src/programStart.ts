/**
 * Spawns the traced program as `python script.py` would run: with pipes whose text becomes
 * output events (the debug adapter), or with the terminal passed through (the CLI). Its end is
 * the child's `close`. (In the client's terminal the program is started by terminalLaunch.ts.)
 * Also the command line of the hang watch that runs beside a program.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** What the hang watch is told of the run. */
export interface WatchOptions {
  program: string;
  args?: readonly string[];
  hangTimeout?: number;
  stallTimeout?: number;
  stallAction?: 'end' | 'pause';
}

/** The opt-in flags every process of the program reads as the tracer starts in it. */
export function setTracerFlags(env: NodeJS.ProcessEnv, options: { detectRaces?: boolean; timeline?: boolean }): void {
  for (const [name, on] of [['WORKERSCOPE_DETECT_RACES', options.detectRaces], ['WORKERSCOPE_TIMELINE', options.timeline]] as const) {
    if (on) env[name] = '1';
    else delete env[name];
  }
}

/** The supervisor's arguments: it watches `pid` through the channel for hangs and stalls. */
export function supervisorArgs(tracerDir: string, pid: number, channelDir: string, options: WatchOptions): string[] {
  const args = ['-S', path.join(tracerDir, 'workerscope_supervise.py'), '--watch', String(pid), '--channel', channelDir, '--no-summary'];
  if (options.hangTimeout !== undefined) args.push('--hang-timeout', String(options.hangTimeout));
  if (options.stallTimeout !== undefined) args.push('--stall-timeout', String(options.stallTimeout));
  // The supervisor records the stall but leaves the program running: the session holds the workers.
  if (options.stallTimeout !== undefined && options.stallAction === 'pause') args.push('--stall-keep-running');
  return [...args, '--', options.program, ...(options.args ?? [])];
}

export interface SpawnHandlers {
  output(stream: 'stdout' | 'stderr', text: string): void;
  close(exitCode: number | null, signal: NodeJS.Signals | null): void;
}

/** Resolves with the child once it runs; rejects (with a message for people) when it cannot start. */
export function spawnChild(python: string, env: NodeJS.ProcessEnv, options: { program: string; args?: readonly string[]; cwd?: string; stdio: 'inherit' | 'pipe' }, on: SpawnHandlers, what = 'Python interpreter'): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [options.program, ...(options.args ?? [])], {
      cwd: options.cwd,
      env,
      // A debug session has no terminal to type into: stdin reads end at once instead of hanging.
      stdio: options.stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      // No process group of its own: the program stays where `python script.py` would be (in
      // the terminal's foreground group, able to call os.setsid()); Stop finds its tree itself.
    });
    // Streaming decoders: a UTF-8 character split across two pipe reads stays whole.
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => on.output('stdout', text));
    child.stderr?.on('data', (text: string) => on.output('stderr', text));
    child.once('spawn', () => resolve(child));
    child.once('error', (error) => {
      const message = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${what} "${python}" was not found` : error.message;
      reject(new Error(message));
    });
    child.once('close', (exitCode, signal) => on.close(exitCode, signal));
  });
}

/** Why pool hangs may have gone undetected, from the hang watch's stderr and whether it left early. */
export function watchErrorText(errors: string, leftEarly: boolean): string | undefined {
  const detail = errors.trim();
  if (!leftEarly && !detail) return undefined;
  const what = leftEarly ? 'the hang watch stopped before the program ended' : 'the hang watch reported an error';
  return detail ? `${what}: ${detail}` : what;
}

/** Seconds as a delay in milliseconds; none (or not a number) is never. */
export function millis(seconds: number | undefined): number {
  return seconds !== undefined && Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : Infinity;
}
