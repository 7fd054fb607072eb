/**
 * Spawns the traced program as `python script.py` would run: with pipes whose text becomes
 * output events (the debug adapter), or with the terminal passed through (the CLI). Its end is
 * the child's `close`. (In the client's terminal the program is started by terminalLaunch.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnHandlers {
  output(stream: 'stdout' | 'stderr', text: string): void;
  close(exitCode: number | null, signal: NodeJS.Signals | null): void;
}

/** Resolves with the child once it runs; rejects (with a message for people) when it cannot start. */
export function spawnChild(python: string, env: NodeJS.ProcessEnv, options: { program: string; args?: readonly string[]; cwd?: string; stdio: 'inherit' | 'pipe' }, on: SpawnHandlers): Promise<ChildProcess> {
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
      const message = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `Python interpreter "${python}" was not found` : error.message;
      reject(new Error(message));
    });
    child.once('close', (exitCode, signal) => on.close(exitCode, signal));
  });
}
