/**
 * Runs a Python program under the tracer and streams what the tracer records. The program is
 * started directly (the tracer's bootstrap on its PYTHONPATH), or by a launcher in the client's
 * terminal (terminalLaunch.ts); a program that runs for a while
 * gets a small supervisor beside it that watches for pool hangs, and the report is built here
 * from the channel once the program has ended. Owns the processes and the private channel
 * directory; knows nothing of DAP or of printing. A Node program (`runtime: 'node'`) shares this
 * lifecycle with the Node tracer's preload in place of the Python bootstrap (nodeStart.ts).
 * Longer than 500 lines because the one run lifecycle (launch, channel, stop, report) serves
 * both tracers, and splitting it would split the state every step of it reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeChannelDir, removeChannel } from './channelDir';
import { signalTree } from './processTree';
import { ChannelReader, type ChannelRecord } from './channelReader';
import { parseReport, type TraceReport } from './report';
import type { Breakpoints } from './breakpoints';
import { loadEvents } from './channelEvents';
import { StallHold } from './stallHold';
import { reportText } from './traceFold';
import { TraceModel } from './traceModel';
import { compileTracerIfStale } from './tracerBytecode';
import { ControlChannel, evaluation, setVariableAnswer, variablesAnswer, type EvaluateContext, type Evaluation, type SetVariableAnswer, type SetVariableTarget, type StepKind, type VariablesAnswer, type VariablesTarget } from './control';
import { tracerPythonPath } from './tracerLocation';
import { millis, setTracerFlags, spawnChild, supervisorArgs, watchErrorText } from './programStart';
import { nodeProgramEnv, type ProgramRuntime } from './nodeStart';
import { TerminalProgram, TerminalRefused, type ProgramProcess, type TerminalOption } from './terminalLaunch';
import * as wire from './wire';

export interface LaunchOptions {
  program: string;
  args?: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  python?: string;
  /** `node`: a Node script run by `node` (default python); the Node binary and its options before the script. */
  runtime?: ProgramRuntime;
  node?: string;
  nodeArgs?: readonly string[];
  hangTimeout?: number;
  /** Seconds with no task finished, while tasks run, before a stall is declared (none: never). */
  stallTimeout?: number;
  /**
   * `pause` (debug session): at a stall the supervisor records it but leaves the program running;
   * the stalled workers are stopped here (SIGSTOP) until `continueStalled()`. Default: the stall
   * ends the run, as a hang does.
   */
  stallAction?: 'end' | 'pause';
  detectRaces?: boolean;
  /** Failing workers wait for `resume()` and answer `evaluate()` meanwhile. */
  pauseOnFailure?: boolean;
  /**
   * The program stops at these line breakpoints, in every process and thread (a debug session);
   * after a change, `breakpointsChanged()` tells the running program.
   */
  breakpoints?: Breakpoints;
  /** `inherit` passes the terminal through (CLI); `pipe` emits output events (debug adapter). */
  stdio: 'inherit' | 'pipe';
  /** Run it in the client's terminal (`console`), where it reads input; else (an `error` says why) as `stdio` says. */
  terminal?: TerminalOption;
  /**
   * The trace model follows the run as the records are written (a debug session listens to its
   * events); otherwise it is folded from the channel once the program has ended.
   */
  live?: boolean;
  /** Every process records timeline spans (a TimelineRecorder attached before launch folds them). */
  timeline?: boolean;
}

export type { EvaluateContext, Evaluation, SetVariableAnswer, SetVariableTarget, ShownValue, StepKind, Variable, VariablesAnswer, VariablesTarget } from './control';

export interface RunEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  report: TraceReport | undefined;
  /** The report's JSON text, as `python -m workerscope_tracer --report` would save it. */
  reportText?: string;
  /** Why there is no report, when there is none. */
  reportError?: string;
  /** Why hangs may have gone undetected: the supervisor watching for them stopped early or failed. */
  watchError?: string;
  /** Why the program ran without the tracer (no private channel directory could be made). */
  untraced?: string;
}

export interface TraceRuntimeEvents {
  /** What the tracer records, as it is written; the channel is read live only for a listener added before `launch()`. */
  record: [ChannelRecord];
  /** The program has ended; `end` follows once its report is written. */
  exit: [number | null, NodeJS.Signals | null];
  output: ['stdout' | 'stderr', string];
  end: [RunEnd];
  /** The program has ended and its records are read; the channel directory is still there (its last moment). */
  closing: [string];
  error: [Error];
}

/**
 * When the supervisor starts, if the program is still running. Starting any interpreter beside
 * the program takes a share of the machine from the program (about a tenth of a short pool run
 * on two cores, whatever its priority), so a short program ends before it would start and never
 * has one. Its hang watch needs no earlier start: a hang is timed from the `worker-lost` record's
 * own time, which the supervisor reads when it starts (and with a hang timeout shorter than this
 * delay, it starts after that timeout).
 */
const SUPERVISOR_DELAY_MS = 1000;

/** The run's status when a pool hang or a stall was detected (the supervisor's, and `workerscope run`'s). */
export const HANG_EXIT_CODE = 124;
/** How long Stop waits for the supervisor's list of the tasks in flight (SUPERVISOR_SNAPSHOT asks for it: an `in-flight` record, reason "ended"). */
const SNAPSHOT_WAIT_MS = 800;
const SUPERVISOR_SNAPSHOT = 'snapshot';
const SUPERVISOR_GRACE_MS = 10_000; // how long the supervisor may take to leave once told the program has ended

export class TraceRuntime extends EventEmitter<TraceRuntimeEvents> {
  private child: ProgramProcess | undefined;
  private terminalStart: TerminalProgram | undefined; // a terminal start waiting for its launcher
  private supervisor: ChildProcess | undefined;
  private supervisorGone: Promise<void> = Promise.resolve();
  private supervisorErrors = '';
  private supervisorLeftEarly = false;
  private launched: { python: string; program: string; args: readonly string[]; cwd?: string; env: NodeJS.ProcessEnv } | undefined;
  private supervisorDelay: NodeJS.Timeout | undefined;
  /** The run as the tracer records it: processes, failures, races; the report is serialised from it. */
  readonly model = new TraceModel();
  private reader: ChannelReader | undefined;
  /** The model has been following the channel (else it is folded from it at the end). */
  private readLive = false;
  private channelDir: string | undefined;
  /** Requests to stopped threads; their answers come back as records. */
  private readonly control = new ControlChannel(() => this.channelDir, this);
  private untracedReason: string | undefined;
  /** Which tracer records the run. */
  private runtimeKind: ProgramRuntime = 'python';
  /** `stallAction: 'pause'`: stalled workers are stopped here, not ended by the supervisor. */
  private stallPause = false;
  /** Workers stopped (SIGSTOP) at a stall, until continued or the program ends. */
  private readonly stalled = new StallHold();
  private breakpoints: Breakpoints | undefined;
  private terminating: Promise<void> | undefined;

  /** Set by `launch()` when the program runs without the tracer, and why: it still runs, as plainly. */
  get untraced(): string | undefined {
    return this.untracedReason;
  }

  /** Starts the program; resolves once it is spawned. `end` follows when it exits. */
  launch(options: LaunchOptions): Promise<void> {
    if (options.runtime === 'node') return this.launchNode(options);
    const python = options.python || 'python3';
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    const made = makeChannelDir(env, path.resolve(options.cwd ?? process.cwd()));
    if ('error' in made) return this.launchUntraced(python, env, options, made.error);
    const channelDir = made.dir;
    this.channelDir = channelDir;
    const tracerDir = tracerPythonPath();

    // Read by the tracer in every process of the program: a failing worker waits for `resume()`.
    if (options.pauseOnFailure) env.WORKERSCOPE_PAUSE = '1';
    else delete env.WORKERSCOPE_PAUSE;
    // The program starts as `python script.py` would, with no interpreter in front of it: the
    // bootstrap's sitecustomize installs the tracer in it and in every process it starts.
    const inherited = (env.PYTHONPATH ?? '').split(path.delimiter).filter((entry) => entry && path.resolve(entry) !== tracerDir);
    const programEnv: NodeJS.ProcessEnv = {
      ...env,
      PYTHONPATH: [path.join(tracerDir, 'bootstrap'), ...inherited].join(path.delimiter),
      WORKERSCOPE_CHANNEL: channelDir,
      // The program's own process (its parent is us) announces its interpreter for the report.
      WORKERSCOPE_LAUNCHER: String(process.pid),
    };
    setTracerFlags(programEnv, options);
    // Every process reads the spec as the tracer starts in it; without the variable the tracer
    // loads nothing of breakpoints at all.
    if (options.breakpoints) {
      programEnv.WORKERSCOPE_BREAKPOINTS = '1';
      this.breakpoints = options.breakpoints;
      options.breakpoints.write(channelDir);
    } else {
      delete programEnv.WORKERSCOPE_BREAKPOINTS;
    }

    this.stallPause = options.stallAction === 'pause' && options.stallTimeout !== undefined;
    // Reading the channel live costs this process CPU beside the program's: only for a live
    // model or a listener, or to stop stalled workers where they are.
    if (options.live || this.listenerCount('record') > 0 || this.stallPause) this.startReader();
    this.launched = { python, program: path.resolve(options.cwd ?? process.cwd(), options.program), args: options.args ?? [], cwd: options.cwd, env };
    const started = (pid: number): void => {
      // Never later than a hang or a stall could be declared (a timeout shorter than the delay):
      // the stall watch times from the slots' own task start times, so starting at S is enough.
      const delay = Math.min(SUPERVISOR_DELAY_MS, millis(options.hangTimeout), millis(options.stallTimeout));
      this.supervisorDelay = setTimeout(() => {
        this.supervisorDelay = undefined;
        this.startSupervisor(python, pid, channelDir, tracerDir, env, options);
      }, delay);
    };
    return options.terminal ? this.launchInTerminal(options.terminal, python, programEnv, options, started) : this.spawnProgram(python, programEnv, options, started);
  }

  /**
   * A Node program: the preload on NODE_OPTIONS records into the channel from every thread and
   * child; the report is folded at the end. (The hang watch and the debugger are Python's.)
   */
  private launchNode(options: LaunchOptions): Promise<void> {
    const node = options.node || 'node';
    this.runtimeKind = 'node';
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    // `node [flags] script args`; `node -e code` has no script.
    const line = [...(options.nodeArgs ?? []), ...(options.program ? [options.program] : []), ...(options.args ?? [])];
    const argv = { ...options, program: line[0] ?? '', args: line.slice(1) };
    const made = makeChannelDir(env, path.resolve(options.cwd ?? process.cwd()));
    if ('error' in made) return this.launchUntraced(node, env, argv, made.error);
    this.channelDir = made.dir;
    if (options.live || this.listenerCount('record') > 0) this.startReader();
    this.launched = { python: node, program: path.resolve(options.cwd ?? process.cwd(), options.program), args: options.args ?? [], cwd: options.cwd, env };
    return this.spawnProgram(node, nodeProgramEnv(env, made.dir, process.pid), argv, () => undefined, 'Node');
  }

  /** The program in the client's terminal; a client that starts none leaves it to the pipes. */
  private async launchInTerminal(terminal: TerminalOption, python: string, programEnv: NodeJS.ProcessEnv, options: LaunchOptions, onSpawned: (pid: number) => void): Promise<void> {
    const program = new TerminalProgram(this.channelDir as string, (exitCode, signal) => void this.onClose(exitCode, signal), (why) => {
      if (why) this.emit('error', new Error(why));
      void this.terminate(); // the terminal was closed, or its launcher vanished: the whole tree ends
    });
    this.terminalStart = program;
    try {
      const pid = await program.run(terminal, python, programEnv, options);
      this.child = program;
      onSpawned(pid);
    } catch (error) {
      if (!(error instanceof TerminalRefused)) {
        this.finish();
        throw error;
      }
      this.emit('error', new Error(`${error.message}: the program runs in the Debug Console instead, where input() reads nothing`));
      await this.spawnProgram(python, programEnv, options, onSpawned);
    }
  }

  /** Runs the program as it would run plainly: without a private directory there is no channel to trace into. */
  private launchUntraced(python: string, env: NodeJS.ProcessEnv, options: LaunchOptions, reason: string): Promise<void> {
    this.untracedReason = `${reason}: the program runs untraced`;
    if (options.terminal) this.emit('error', new Error(`${reason}: the program runs in the Debug Console, not in a terminal`));
    this.launched = { python, program: path.resolve(options.cwd ?? process.cwd(), options.program), args: options.args ?? [], cwd: options.cwd, env };
    return this.spawnProgram(python, env, options, () => undefined, this.runtimeKind === 'node' ? 'Node' : undefined);
  }

  private async spawnProgram(python: string, programEnv: NodeJS.ProcessEnv, options: LaunchOptions, onSpawned: (pid: number) => void, what?: string): Promise<void> {
    try {
      this.child = await spawnChild(python, programEnv, options, {
        output: (stream, text) => this.emit('output', stream, text),
        close: (exitCode, signal) => void this.onClose(exitCode, signal),
      }, what);
    } catch (error) {
      this.finish();
      throw error;
    }
    onSpawned(this.child.pid as number);
  }

  /** The hang watch: told on stdin how the program ended, it records a hang it saw and leaves. */
  private startSupervisor(python: string, pid: number, channelDir: string, tracerDir: string, env: NodeJS.ProcessEnv, options: LaunchOptions): void {
    const args = supervisorArgs(tracerDir, pid, channelDir, options);
    this.supervisorErrors = '';
    // Detached: the terminal's signals to the program's group (Ctrl-\, Ctrl-Z) are not for it.
    const supervisor = spawn(python, args, { cwd: options.cwd, env, stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    this.supervisor = supervisor;
    supervisor.stdin?.on('error', () => undefined); // it may have gone already
    supervisor.stderr?.setEncoding('utf8');
    supervisor.stderr?.on('data', (text: string) => {
      this.supervisorErrors += text;
    });
    this.supervisorLeftEarly = false;
    this.supervisorGone = new Promise((resolve) => {
      supervisor.once('error', (error) => {
        this.supervisorErrors += error.message;
        this.supervisorLeftEarly = true;
        resolve();
      });
      supervisor.once('close', () => {
        // Before the program ended, nobody told it to go: the hang watch stopped with it.
        if (this.child?.exitCode === null && this.child.signalCode === null) this.supervisorLeftEarly = true;
        resolve();
      });
    });
  }

  private startReader(): void {
    if (this.reader || !this.channelDir) return;
    this.readLive = true;
    this.reader = new ChannelReader(this.channelDir, (record) => {
      // Stopped before anyone hears of the stall: what they are shown is where the workers stay.
      if (this.stallPause && record.kind === wire.IN_FLIGHT && record.reason === 'stall') this.stalled.hold(record, this.child?.pid, this.channelDir);
      this.model.push(record);
      this.emit('record', record);
    });
    this.reader.start();
  }

  /**
   * Lets a paused failing worker go on. `failureId` names which of its paused failures (two
   * threads of one process may be paused at once); without it, whichever reads the request.
   */
  resume(pid: number, failureId?: string): void {
    if (failureId === undefined) this.control.send(pid, { cmd: wire.CMD_CONTINUE });
    else this.resumeStop(pid, { cmd: wire.CMD_CONTINUE, id: failureId });
  }

  /** Resumes a stopped thread with a step; a stop that is not steppable takes it as continue. */
  step(pid: number, stopId: string, kind: StepKind): void {
    this.resumeStop(pid, { cmd: kind, id: stopId });
  }

  /** The stop's `resumed` record is awaited, so that the channel is read at once when it comes. */
  private resumeStop(pid: number, message: { cmd: string; id: string }): void {
    this.readAnswers();
    this.control.resume(pid, message).catch(() => undefined);
  }

  /** Asks every thread of the program to stop at its next line of the program's own code. */
  pause(): void {
    this.breakpoints?.requestPause();
    this.breakpointsChanged();
  }

  /** Lets a worker stopped at a stall run on (every such worker without a pid); true if one was stopped. */
  continueStalled(pid?: number): boolean {
    return this.stalled.release(pid);
  }

  /** Writes the changed breakpoints for the processes still to start and tells the live ones. */
  breakpointsChanged(): void {
    const pid = this.child?.pid;
    if (!this.breakpoints || !this.channelDir || pid === undefined || this.child?.exitCode !== null || this.child?.signalCode !== null) return;
    this.breakpoints.write(this.channelDir);
    this.breakpoints.announce(pid, this.channelDir);
  }

  /** Whether a worker is held stopped at a stall. */
  isStalledWorker(pid: number): boolean {
    return this.stalled.holds(pid);
  }

  /**
   * Asks a paused worker to evaluate an expression in one of its failure frames (0 = outermost).
   * In the `repl` context (the default) statements run too and may change the frame's locals.
   */
  async evaluate(pid: number, frame: number, expression: string, timeoutMs = 5000, failureId?: string, context?: EvaluateContext): Promise<Evaluation> {
    this.readAnswers();
    const message = { cmd: wire.CMD_EVALUATE, frame, expression, ...(context !== undefined ? { context } : {}), ...(failureId !== undefined ? { id: failureId } : {}) };
    return evaluation(await this.control.request(pid, message, wire.EVALUATE_RESULT, timeoutMs));
  }

  /** A stopped thread's variables: a frame's locals or globals, or a reference's children (valid during that stop). */
  async variables(pid: number, stopId: string, target: VariablesTarget, timeoutMs = 5000): Promise<VariablesAnswer> {
    this.readAnswers();
    return variablesAnswer(await this.control.request(pid, { cmd: wire.CMD_VARIABLES, ...target, id: stopId }, wire.VARIABLES_RESULT, timeoutMs));
  }

  /** Assigns a stopped thread's local, global, dict or list item or attribute; the answer shows the value assigned. */
  async setVariable(pid: number, stopId: string, target: SetVariableTarget, timeoutMs = 5000): Promise<SetVariableAnswer> {
    this.readAnswers();
    return setVariableAnswer(await this.control.request(pid, { cmd: wire.CMD_SET_VARIABLE, ...target, id: stopId }, wire.SET_VARIABLE_RESULT, timeoutMs));
  }

  /** Answers come as records: the channel is read, at once while one is awaited (the debugger's latency). */
  private readAnswers(): void {
    this.startReader();
    this.reader?.hurryWhile(() => this.control.awaiting);
  }

  /** The program's own process id, once it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Ends the program and every process it started. First the supervisor, if one watches, lists
   * the tasks in flight with their live stacks (an `in-flight` record, reason "ended"): waited
   * for briefly, so that the report names what Stop interrupted.
   */
  terminate(): Promise<void> {
    // Stop before the terminal's launcher started the program: nothing runs, and nothing will.
    if (this.terminalStart && !this.child) return Promise.resolve(this.terminalStart.abort('the session was stopped before the program started in the terminal'));
    this.terminating ??= this.snapshotInFlight().then(() => {
      if (!this.signalProgram('SIGTERM', 'tree')) return;
      // Workers held at a stall were let go by signalTree (SIGCONT after SIGTERM).
      this.stalled.forget();
      // A program that ignores SIGTERM must not outlive Stop, nor may a worker it left behind.
      const pid = this.child?.pid as number;
      const channelDir = this.channelDir;
      setTimeout(() => signalTree(pid, channelDir, 'SIGKILL'), 2000).unref();
    });
    return this.terminating;
  }

  /** Asks a watching supervisor for the tasks in flight and waits (briefly) for its record. */
  private snapshotInFlight(): Promise<void> {
    const supervisor = this.supervisor;
    const child = this.child;
    if (!supervisor?.stdin?.writable || supervisor.exitCode !== null || supervisor.signalCode !== null) return Promise.resolve();
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    this.startReader();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.off('record', onRecord);
        resolve();
      };
      const timer = setTimeout(done, SNAPSHOT_WAIT_MS);
      const onRecord = (record: ChannelRecord): void => {
        if (record.kind === wire.IN_FLIGHT && record.reason === 'ended' && record.pid === supervisor.pid) done();
      };
      this.on('record', onRecord);
      supervisor.stdin?.write(`${SUPERVISOR_SNAPSHOT}\n`);
    });
  }

  /** Passes a terminal's Ctrl-C on to every process of the program, as the terminal would. */
  interrupt(): void {
    this.signalProgram('SIGINT', 'tree');
  }

  /** Passes a signal sent to us alone on to the program's own process, as `kill PID` would have. */
  forward(signal: NodeJS.Signals): void {
    this.signalProgram(signal, 'program');
  }

  private signalProgram(signal: NodeJS.Signals, reach: 'tree' | 'program'): boolean {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return false;
    if (reach === 'tree') return signalTree(child.pid, this.channelDir, signal).length > 0;
    try {
      process.kill(child.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  private async onClose(exitCode: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.emit('exit', exitCode, signal);
    // Workers held at a stall would never act on the supervisor's SIGTERM to what is left behind.
    this.continueStalled();
    // A program that ended before its supervisor was due needs none: the report is built here.
    this.cancelSupervisorStart();
    const signalNumber = signal ? (os.constants.signals[signal] ?? 0) : 0;
    if (this.supervisor) {
      // Told how the program ended, it leaves; any hang it declared is on the channel by then.
      this.supervisor.stdin?.write(signal ? `signal ${signalNumber}\n` : `exit ${exitCode ?? 0}\n`);
      this.supervisor.stdin?.end();
      let giveUp: NodeJS.Timeout | undefined;
      const stuck = new Promise<void>((resolve) => {
        giveUp = setTimeout(() => {
          this.supervisor?.kill('SIGKILL');
          resolve();
        }, SUPERVISOR_GRACE_MS);
      });
      await Promise.race([this.supervisorGone, stuck]);
      clearTimeout(giveUp);
    }
    this.reader?.stop(); // its last read, for the records written at the very end
    this.reader = undefined;
    const programCode = signal ? -signalNumber : (exitCode ?? 0);
    const built: { report?: TraceReport; text?: string; error?: string; cacheTag?: string } = this.untracedReason
      ? { error: this.untracedReason }
      : this.channelDir && this.child?.pid !== undefined
        ? this.buildReport(this.channelDir, this.child.pid, programCode)
        : { error: 'the program was never started' };
    if (this.channelDir && !this.untracedReason) this.emit('closing', this.channelDir);
    this.finish();
    // The supervisor killed the program after a hang: the run ends with the hang's status.
    const hung = built.report?.failures.some((failure) => failure.kind === 'hang' || (failure.kind === 'stall' && !this.stallPause)) ?? false;
    const end: RunEnd = { exitCode, signal, report: built.report, reportText: built.text, reportError: built.error, watchError: this.watchError(), untraced: this.untracedReason };
    this.emit('end', hung ? { ...end, exitCode: HANG_EXIT_CODE, signal: null } : end);
    // Not on the way to the report: the check reads the header of every tracer module's .pyc.
    const launched = this.launched;
    if (launched && built.cacheTag) {
      const cacheTag = built.cacheTag;
      setImmediate(() => compileTracerIfStale(launched.python, tracerPythonPath(), cacheTag, launched.cwd, launched.env));
    }
  }

  /**
   * The report, serialised from the trace model: read live, it already holds every record (the
   * reader's last read is done); otherwise the channel's records are folded into it now. A
   * failure to build it is the run's report error.
   */
  private buildReport(channelDir: string, pid: number, programCode: number): { report?: TraceReport; text?: string; error?: string; cacheTag?: string } {
    const launched = this.launched;
    try {
      if (this.readLive) this.model.flush();
      else for (const record of loadEvents(channelDir, false)) this.model.apply(record as ChannelRecord);
      const root = this.model.rootAnnouncement(pid);
      // A stall ends the run as a hang does, unless the debug session holds it instead.
      const report = this.model.report({
        program: launched?.program ?? '',
        argv: launched?.args ?? [],
        python: this.runtimeKind === 'node' ? null : (root.python ?? 'unknown'),
        runtime: this.runtimeKind,
        exitCode: this.model.endedByWatch(!this.stallPause) ? HANG_EXIT_CODE : programCode,
        rootPid: pid,
        rootPpid: (this.child instanceof TerminalProgram && this.child.launcherPid) || process.pid,
        rootExit: programCode,
      });
      const text = reportText(report);
      return { report: parseReport(report, 'the trace report'), text, cacheTag: root.cacheTag };
    } catch (error) {
      return { error: `could not build the report: ${(error as Error).message}` };
    }
  }

  private watchError(): string | undefined {
    return watchErrorText(this.supervisorErrors, this.supervisorLeftEarly);
  }

  private cancelSupervisorStart(): void {
    if (this.supervisorDelay) clearTimeout(this.supervisorDelay);
    this.supervisorDelay = undefined;
  }

  private finish(): void {
    this.cancelSupervisorStart();
    this.reader?.stop();
    this.reader = undefined;
    if (this.channelDir) removeChannel(this.channelDir);
    this.channelDir = undefined;
  }
}
