/**
 * The program's line breakpoints: checked against the lines Python can stop at (moved to the
 * next one, as other Python debuggers do), written to the channel's `breakpoints.json` for every
 * process the program starts, and announced to its live processes by a signal.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { programProcesses } from './processTree';
import { tracerPythonPath } from './tracerLocation';
import * as wire from './wire';

/** A breakpoint as the editor asks for it. */
export interface SourceBreakpoint {
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

/** What the program will stop at for one requested breakpoint. */
export interface PlacedBreakpoint {
  id: number;
  verified: boolean;
  /** The line it stops at: the requested one, or the next line with code. */
  line: number;
  /** Why it is not verified (no code at or after the line, the file does not compile). */
  message?: string;
}

interface SpecBreakpoint extends SourceBreakpoint {
  id: number;
}

/** When a thread stops for an exception (see the session's exception breakpoint filters). */
export interface ExceptionFilters {
  /** A failing task, process or thread (today's stop at a worker failure). */
  failures: boolean;
  /** An exception no code catches, in any process, the main one included. */
  uncaught: boolean;
  /** Every exception raised in the program's own code. */
  raised: boolean;
}

export const DEFAULT_EXCEPTION_FILTERS: Readonly<ExceptionFilters> = { failures: true, uncaught: true, raised: false };

/** The spec every traced process of a debug session reads (see the tracer's breakpoints.py). */
export interface BreakpointSpec {
  version: number;
  files: Record<string, SpecBreakpoint[]>;
  exceptions: ExceptionFilters;
  /** Stepping and pausing stop in the program's own code only, never in libraries. */
  justMyCode: boolean;
  /** Raised by one at each pause asked for: every process seeing a new value pauses its threads. */
  pause: number;
}

/** How long the interpreter may take to list a file's lines before the breakpoint is left unverified. */
const LINES_TIMEOUT_MS = 10_000;

export class Breakpoints {
  private readonly files = new Map<string, SpecBreakpoint[]>();
  private nextId = 1;
  private version = 0;
  private exceptions: ExceptionFilters = { ...DEFAULT_EXCEPTION_FILTERS };
  private justMyCode = true;
  private pauses = 0;

  get isEmpty(): boolean {
    return [...this.files.values()].every((list) => list.length === 0);
  }

  /**
   * Replaces the breakpoints of one file (as `setBreakpoints` does) and places each on a line
   * with code; what cannot be placed is kept out of the spec and answered unverified.
   */
  async set(python: string, file: string, requested: readonly SourceBreakpoint[], env?: NodeJS.ProcessEnv): Promise<PlacedBreakpoint[]> {
    const real = realPath(file);
    const known = requested.length === 0 ? { lines: [] } : await executableLines(python, real, env);
    const placed: PlacedBreakpoint[] = [];
    const kept: SpecBreakpoint[] = [];
    for (const bp of requested) {
      const id = this.nextId++;
      if ('error' in known) {
        placed.push({ id, verified: false, line: bp.line, message: `Workerscope cannot place breakpoints in this file: ${known.error}` });
        continue;
      }
      const line = known.lines.find((l) => l >= bp.line);
      if (line === undefined) {
        placed.push({ id, verified: false, line: bp.line, message: 'No code at or after this line: Python never stops here.' });
        continue;
      }
      placed.push({ id, verified: true, line });
      kept.push(dropEmpty({ id, line, condition: bp.condition, hitCondition: bp.hitCondition, logMessage: bp.logMessage }));
    }
    this.files.set(real, kept);
    this.version += 1;
    return placed;
  }

  get exceptionFilters(): Readonly<ExceptionFilters> {
    return this.exceptions;
  }

  setExceptionFilters(filters: ExceptionFilters): void {
    this.exceptions = { ...filters };
    this.version += 1;
  }

  setJustMyCode(on: boolean): void {
    this.justMyCode = on;
    this.version += 1;
  }

  /** Asks every thread of the program to stop at its next line of the program's own code. */
  requestPause(): void {
    this.pauses += 1;
    this.version += 1;
  }

  /** The spec every traced process reads (see the tracer's breakpoints.py). */
  spec(): BreakpointSpec {
    const files: Record<string, SpecBreakpoint[]> = {};
    for (const [file, list] of this.files) if (list.length > 0) files[file] = list;
    return { version: this.version, files, exceptions: { ...this.exceptions }, justMyCode: this.justMyCode, pause: this.pauses };
  }

  /** Writes the spec into the channel, whole (renamed into place) and private to the user. */
  write(channelDir: string): void {
    const final = path.join(channelDir, wire.BREAKPOINTS_FILE);
    const tmp = `${final}.tmp${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(this.spec()), { mode: 0o600 });
    fs.renameSync(tmp, final);
  }

  /**
   * Tells the program's live processes to read the spec again. Only a process that catches the
   * signal gets it: to any other (not traced yet, a helper) its default action would be death.
   */
  announce(rootPid: number, channelDir: string): number[] {
    const signal = signalNumber(wire.BREAKPOINT_SIGNAL_OFFSET);
    const told: number[] = [];
    for (const pid of programProcesses(rootPid, channelDir)) {
      if (!catches(pid, signal)) continue;
      try {
        process.kill(pid, signal);
        told.push(pid);
      } catch {
        // Gone meanwhile.
      }
    }
    return told;
  }
}

/** SIGRTMIN + offset as Linux numbers it (glibc's SIGRTMIN is 34). */
function signalNumber(offset: number): number {
  return 34 + offset;
}

/** Whether /proc says the process has a handler for the signal (its SigCgt mask). */
function catches(pid: number, signal: number): boolean {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) >> BigInt(signal - 1)) % 2n === 1n;
  } catch {
    return false;
  }
}

/** The lines Python can stop at in `file`, asked of the program's own interpreter. */
export function executableLines(python: string, file: string, env?: NodeJS.ProcessEnv): Promise<{ lines: number[] } | { error: string }> {
  return new Promise((resolve) => {
    const script = 'import sys; sys.path.insert(0, sys.argv.pop(1)); from workerscope_tracer import lines; lines.main()';
    let out = '';
    let settled = false;
    const finish = (value: { lines: number[] } | { error: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const child = spawn(python, ['-S', '-c', script, tracerPythonPath(), file], { env: { ...(env ?? process.env), PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ error: 'the interpreter did not list the file\'s lines in time' });
    }, LINES_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', (error) => finish({ error: `could not run ${python}: ${error.message}` }));
    child.on('close', () => {
      try {
        const entry = (JSON.parse(out) as { files: Record<string, { lines?: unknown; error?: unknown }> }).files[file];
        if (entry && Array.isArray(entry.lines)) finish({ lines: entry.lines.filter((l): l is number => Number.isInteger(l)).sort((a, b) => a - b) });
        else finish({ error: typeof entry?.error === 'string' ? entry.error : 'the file\'s lines could not be listed' });
      } catch {
        finish({ error: 'the file\'s lines could not be listed' });
      }
    });
  });
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(path.resolve(file));
  } catch {
    return path.resolve(file);
  }
}

function dropEmpty(bp: SpecBreakpoint): SpecBreakpoint {
  for (const key of ['condition', 'hitCondition', 'logMessage'] as const) if (!bp[key]) delete bp[key];
  return bp;
}
