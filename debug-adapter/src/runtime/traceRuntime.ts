/**
 * Runs a Python program under the tracer's supervisor and streams what the tracer records.
 * Owns the process and the private channel directory; knows nothing of DAP or of printing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChannelReader, type ChannelRecord } from './channelReader';
import { loadReport, type TraceReport } from './report';
import { tracerPythonPath } from './tracerLocation';

export interface LaunchOptions {
  program: string;
  args?: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  python?: string;
  hangTimeout?: number;
  detectRaces?: boolean;
  /** Failing workers wait for `resume()` and answer `evaluate()` meanwhile. */
  pauseOnFailure?: boolean;
  /** `inherit` passes the terminal through (CLI); `pipe` emits output events (debug adapter). */
  stdio: 'inherit' | 'pipe';
}

export interface RunEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  report: TraceReport | undefined;
  /** Why there is no report, when there is none. */
  reportError?: string;
}

export interface TraceRuntimeEvents {
  record: [ChannelRecord];
  output: ['stdout' | 'stderr', string];
  end: [RunEnd];
  error: [Error];
}

export class TraceRuntime extends EventEmitter<TraceRuntimeEvents> {
  private child: ChildProcess | undefined;
  private reader: ChannelReader | undefined;
  private channelDir: string | undefined;
  private ownProcessGroup = false;
  /** The program's main process: the supervisor starts it as the leader of its own process group. */
  private programPid: number | undefined;
  private controlSeq = 0;

  /** Starts the program; resolves once it is spawned. `end` follows when it exits. */
  launch(options: LaunchOptions): Promise<void> {
    const channelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-'));
    fs.chmodSync(channelDir, 0o700);
    this.channelDir = channelDir;
    const python = options.python || 'python3';
    // Started like the program itself (with site): the supervisor forks its interpreter into
    // the program rather than starting a second one, the bulk of the tracer's fixed cost.
    const launcher = path.join(tracerPythonPath(), 'workerscope_supervise.py');
    const tracerArgs = [launcher, '--channel', channelDir, '--no-summary', '--report', path.join(channelDir, 'report.json')];
    if (options.hangTimeout !== undefined) tracerArgs.push('--hang-timeout', String(options.hangTimeout));
    if (options.detectRaces) tracerArgs.push('--detect-races');
    tracerArgs.push('--', options.program, ...(options.args ?? []));

    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    // Read by the tracer in every process of the program: a failing worker waits for `resume()`.
    if (options.pauseOnFailure) env.WORKERSCOPE_PAUSE = '1';
    else delete env.WORKERSCOPE_PAUSE;

    this.ownProcessGroup = options.stdio === 'pipe';
    this.programPid = undefined;
    this.reader = new ChannelReader(channelDir, (record) => {
      if (record.kind === 'process-start' && record.role === 'main' && this.programPid === undefined) this.programPid = record.pid;
      this.emit('record', record);
    });
    this.reader.start();
    return new Promise((resolve, reject) => {
      const child = spawn(python, tracerArgs, {
        cwd: options.cwd,
        env,
        // A debug session has no terminal to type into: stdin reads end at once instead of hanging.
        stdio: options.stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
        // A piped run has no terminal: give it its own process group so Stop can end the whole tree.
        detached: this.ownProcessGroup,
      });
      this.child = child;
      child.stdout?.on('data', (chunk: Buffer) => this.emit('output', 'stdout', chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => this.emit('output', 'stderr', chunk.toString('utf8')));
      child.once('spawn', () => resolve());
      child.once('error', (error) => {
        this.finish();
        const message = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `Python interpreter "${python}" was not found` : error.message;
        reject(new Error(message));
      });
      child.once('close', (exitCode, signal) => this.onClose(exitCode, signal));
    });
  }

  /** Lets a paused failing worker go on. */
  resume(pid: number): void {
    this.sendControl(pid, { cmd: 'continue' });
  }

  /** Asks a paused worker to evaluate an expression in one of its failure frames (0 = outermost). */
  evaluate(pid: number, frame: number, expression: string, timeoutMs = 5000): Promise<ChannelRecord> {
    const seq = this.sendControl(pid, { cmd: 'evaluate', frame, expression });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('record', onRecord);
        reject(new Error('the worker did not answer in time'));
      }, timeoutMs);
      const onRecord = (record: ChannelRecord): void => {
        // The tracer echoes the request's sequence number as a string (it is the request's file name).
        if (record.kind !== 'evaluate-result' || record.pid !== pid || String(record.seq) !== String(seq)) return;
        clearTimeout(timer);
        this.off('record', onRecord);
        resolve(record);
      };
      this.on('record', onRecord);
    });
  }

  /** Ends the program and every process it started. */
  terminate(): void {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const target = this.ownProcessGroup ? -child.pid : child.pid;
    try {
      process.kill(target, 'SIGTERM');
    } catch {
      return;
    }
    const programGroup = this.programPid;
    const escalate = setTimeout(() => {
      // A program that ignores the SIGTERM the supervisor forwards must not outlive Stop.
      for (const group of [target, programGroup === undefined ? undefined : -programGroup]) {
        if (group === undefined) continue;
        try {
          process.kill(group, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }, 2000);
    child.once('close', () => clearTimeout(escalate));
  }

  private sendControl(pid: number, message: Record<string, unknown>): number {
    if (!this.channelDir) throw new Error('no program is running');
    const seq = ++this.controlSeq;
    const dir = path.join(this.channelDir, 'ctl', String(pid));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const final = path.join(dir, `${seq}.json`);
    // Write then rename, so the worker never reads half a request.
    fs.writeFileSync(`${final}.tmp`, JSON.stringify({ ...message, seq }), { mode: 0o600 });
    fs.renameSync(`${final}.tmp`, final);
    return seq;
  }

  private onClose(exitCode: number | null, signal: NodeJS.Signals | null): void {
    let report: TraceReport | undefined;
    let reportError: string | undefined;
    this.reader?.stop();
    if (this.channelDir) {
      try {
        report = loadReport(path.join(this.channelDir, 'report.json'));
      } catch (error) {
        reportError = (error as Error).message;
      }
    }
    this.finish();
    this.emit('end', { exitCode, signal, report, reportError });
  }

  private finish(): void {
    this.reader?.stop();
    this.reader = undefined;
    if (this.channelDir) fs.rmSync(this.channelDir, { recursive: true, force: true });
    this.channelDir = undefined;
  }
}
