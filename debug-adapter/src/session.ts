/**
 * The Workerscope debug session: translates DAP requests into calls on the trace runtime and the
 * trace model's events into DAP events, nothing else. Processes and threads become DAP threads,
 * worker failures become `stopped` events on them, captured frames and locals become stacks and
 * variables. A launch either runs a program under the tracer (live) or opens a saved report
 * (post-mortem).
 */
import * as path from 'node:path';
import { constants as osConstants } from 'node:os';
import {
  ContinuedEvent, Event, ExitedEvent, InitializedEvent, Logger, logger, LoggingDebugSession,
  OutputEvent, StoppedEvent, TerminatedEvent, Thread, ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { loadReport, type TraceFailure, type TraceRace, type TraceReport } from '../../runtime/src/report';
import { formatFailure, formatSummary } from '../../runtime/src/summary';
import { TraceModel, type ModelFailure, type ModelThread } from '../../runtime/src/traceModel';
import { TraceRuntime, type RunEnd } from '../../runtime/src/traceRuntime';
import { FAILURE_EVENT, SUMMARY_EVENT, type FailureEventBody, type SummaryEventBody } from '../../protocol/src/customEvents';
import { describeFailure, stopBadge, threadLabel, threadListLabel } from './session/describe';
import { WorkerEvaluator } from './session/evaluation';
import { FailureInspector } from './session/inspection';
import type { Held } from './session/variables';
import { Breakpoints } from '../../runtime/src/breakpoints';
import type { LaunchAttributes } from '../../protocol/src/launchAttributes';

export interface WorkerscopeLaunchArguments extends DebugProtocol.LaunchRequestArguments, LaunchAttributes {
  /** Log the DAP traffic to the adapter's stderr. */
  trace?: boolean;
}

const CONFIGURATION_DONE_TIMEOUT_MS = 5000;

// Over 500 lines for a reason: one short handler per DAP request and one per model event, kept in
// the one class that maps DAP to the model; the words, variables and shapes live in session/.
export class WorkerscopeSession extends LoggingDebugSession {
  private model = new TraceModel();
  private runtime: TraceRuntime | undefined;
  private postMortem = false;
  private stopOnFailure = true;
  private program = '';
  private launchEnv: NodeJS.ProcessEnv | undefined;
  private ended = false;
  private readonly announced = new Set<number>();
  private readonly listed = new Set<number>();
  /** Failures each thread is stopped at; the head is the one shown. */
  private readonly stops = new Map<number, Held[]>();
  /** Post-mortem: the failures still to stop at, in report order. */
  private postMortemQueue: ModelFailure[] = [];
  private report: TraceReport | undefined;
  private readonly inspector = new FailureInspector((line) => this.convertDebuggerLineToClient(line));
  private readonly evaluator = new WorkerEvaluator();
  /** The program's line breakpoints, placed before or while it runs. */
  private readonly breakpoints = new Breakpoints();
  /** The interpreter that places breakpoints: the launch's, once it is known. */
  private launchPython!: (python: string) => void;
  private readonly python = new Promise<string>((resolve) => (this.launchPython = resolve));
  /** Requests of the async handlers not answered yet (see `guarded`). */
  private readonly pending = new Set<number>();
  private configurationDone!: () => void;
  private readonly configured = new Promise<void>((resolve) => (this.configurationDone = resolve));

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- DAP requests ------------------------------------------------------------------------

  protected initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsExceptionInfoRequest: true,
      supportsEvaluateForHovers: false,
      supportsTerminateRequest: true,
      supportsSetVariable: false,
      supportsStepBack: false,
      supportsRestartRequest: false,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: false,
      supportsDelayedStackTraceLoading: false,
      supportTerminateDebuggee: true,
      exceptionBreakpointFilters: [],
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configurationDone();
    this.sendResponse(response);
  }

  /**
   * The base class answers a request whose handler throws, but not one whose promise rejects:
   * that would end the adapter (an unhandled rejection). The async handlers run through here.
   */
  private async guarded(response: DebugProtocol.Response, handle: () => Promise<void>): Promise<void> {
    this.pending.add(response.request_seq);
    try {
      await handle();
    } catch (error) {
      const message = `Workerscope: internal error in ${response.command}: ${(error as Error)?.message ?? String(error)}`;
      if (this.pending.has(response.request_seq)) this.sendErrorResponse(response, 3099, message);
      else this.sendEvent(new OutputEvent(`${message}\n`, 'important'));
    } finally {
      this.pending.delete(response.request_seq);
    }
  }

  public sendResponse(response: DebugProtocol.Response): void {
    this.pending.delete(response.request_seq);
    super.sendResponse(response);
  }

  protected launchRequest(response: DebugProtocol.LaunchResponse, args: WorkerscopeLaunchArguments): Promise<void> {
    return this.guarded(response, () => this.launch(response, args));
  }

  private async launch(response: DebugProtocol.LaunchResponse, args: WorkerscopeLaunchArguments): Promise<void> {
    logger.setup(args.trace ? Logger.LogLevel.Verbose : Logger.LogLevel.Stop, false);
    this.postMortem = typeof args.report === 'string' && args.report !== '';
    this.launchEnv = { ...process.env, ...args.env };
    this.launchPython(args.python || 'python3');
    await Promise.race([this.configured, new Promise((resolve) => setTimeout(resolve, CONFIGURATION_DONE_TIMEOUT_MS))]);
    if (typeof args.report === 'string' && args.report !== '') {
      this.launchReport(response, args.report);
      return;
    }
    if (typeof args.program !== 'string' || args.program === '') {
      this.sendErrorResponse(response, 3001, 'Workerscope: the launch configuration needs "program" (a Python file) or "report" (a saved trace report).');
      return;
    }
    await this.launchProgram(response, args);
  }

  protected setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    return this.guarded(response, () => this.setBreakpoints(response, args));
  }

  /** Places the file's breakpoints with the program's interpreter; a running program hears of them at once. */
  private async setBreakpoints(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const requested = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const file = args.source.path;
    if (!file || this.postMortem) {
      const why = this.postMortem ? 'A saved report cannot stop: breakpoints apply to a program Workerscope runs.' : 'Workerscope places breakpoints in files only.';
      response.body = { breakpoints: requested.map((bp) => ({ verified: false, line: bp.line, message: why })) };
      this.sendResponse(response);
      return;
    }
    // The launch request names the interpreter; one that never comes leaves the default.
    let timer: NodeJS.Timeout | undefined;
    const python = await Promise.race([this.python, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('python3'), CONFIGURATION_DONE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    const placed = await this.breakpoints.set(python, file, requested, this.launchEnv);
    this.runtime?.breakpointsChanged();
    response.body = { breakpoints: placed.map((bp) => ({ id: bp.id, verified: bp.verified, line: this.convertDebuggerLineToClient(bp.line), message: bp.message, source: args.source })) };
    this.sendResponse(response);
  }

  protected threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = {
      threads: this.model.threads.filter((t) => this.listed.has(t.id)).map((t) => new Thread(t.id, threadListLabel(t))),
    };
    this.sendResponse(response);
  }

  protected stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const all = this.inspector.stackFrames(this.failureShownOn(args.threadId));
    const start = args.startFrame ?? 0;
    const end = args.levels ? start + args.levels : all.length;
    response.body = { stackFrames: all.slice(start, end), totalFrames: all.length };
    this.sendResponse(response);
  }

  protected scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    response.body = { scopes: this.inspector.scopes(args.frameId) };
    this.sendResponse(response);
  }

  protected variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    response.body = { variables: this.inspector.variablesOf(args.variablesReference) };
    this.sendResponse(response);
  }

  protected exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    const failure = this.failureShownOn(args.threadId);
    if (!failure || failure.kind === 'breakpoint') {
      this.sendErrorResponse(response, 3002, 'This thread is not stopped at a failure.');
      return;
    }
    response.body = this.inspector.exceptionInfo(failure);
    this.sendResponse(response);
  }

  protected evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    return this.guarded(response, () => this.evaluate(response, args));
  }

  private async evaluate(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    const frame = args.frameId !== undefined ? this.inspector.frame(args.frameId) : undefined;
    const answer = await this.evaluator.answer(frame, args.expression, this.runtime);
    if ('result' in answer) {
      response.body = { result: answer.result, variablesReference: 0 };
      this.sendResponse(response);
    } else {
      this.sendErrorResponse(response, answer.code, answer.message);
    }
  }

  protected continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    response.body = { allThreadsContinued: false };
    this.sendResponse(response);
    if (this.postMortem) {
      this.continuePostMortem();
      return;
    }
    const queue = this.stops.get(args.threadId);
    const head = queue?.shift();
    // A stalled worker was stopped by a signal where it runs: let it run on.
    if (head?.kind === 'stall' && head.pid !== undefined) this.runtime?.continueStalled(head.pid);
    if (head?.paused && head.pid !== undefined && this.runtime) {
      head.paused = false;
      try {
        this.runtime.resume(head.pid, head.id);
      } catch (error) {
        this.sendEvent(new OutputEvent(`Workerscope could not resume ${head.worker ?? `pid ${head.pid}`}: ${(error as Error).message}\n`, 'important'));
      }
    }
    if (queue && queue.length > 0) this.sendStopped(queue[0]);
  }

  protected pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendErrorResponse(response, 3007, 'Workerscope cannot pause running Python code: it stops where workers fail. Use the Python debugger to pause.');
  }

  protected nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendErrorResponse(response, 3008, 'Workerscope cannot step: the failing worker is stopped after its exception. Use Continue.');
  }

  protected stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendErrorResponse(response, 3008, 'Workerscope cannot step: the failing worker is stopped after its exception. Use Continue.');
  }

  protected stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendErrorResponse(response, 3008, 'Workerscope cannot step: the failing worker is stopped after its exception. Use Continue.');
  }

  protected terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    void this.stopEverything();
  }

  protected disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    // Answered once the program has been signalled: the client may end this adapter right after.
    return this.guarded(response, async () => {
      await this.stopEverything();
      this.sendResponse(response);
    });
  }

  // ---- launch --------------------------------------------------------------------------------

  private async launchProgram(response: DebugProtocol.LaunchResponse, args: WorkerscopeLaunchArguments): Promise<void> {
    const cwd = args.cwd || path.dirname(path.resolve(args.program ?? '.'));
    this.program = path.resolve(cwd, args.program ?? '');
    this.stopOnFailure = args.stopOnWorkerFailure !== false;
    if (args.stallTimeout !== undefined && !(typeof args.stallTimeout === 'number' && args.stallTimeout > 0)) {
      this.sendErrorResponse(response, 3011, `Workerscope: "stallTimeout" must be a positive number of seconds, not ${JSON.stringify(args.stallTimeout)}.`);
      return;
    }
    const runtime = new TraceRuntime();
    this.runtime = runtime;
    this.model = runtime.model;
    this.watchModel();
    runtime.on('output', (stream, text) => this.sendEvent(new OutputEvent(text, stream)));
    runtime.on('error', (error) => this.sendEvent(new OutputEvent(`Workerscope: ${error.message}\n`, 'important')));
    runtime.on('end', (end) => this.onRunEnd(end));
    try {
      await runtime.launch({
        program: this.program,
        args: args.args ?? [],
        cwd,
        env: args.env,
        python: args.python || undefined,
        hangTimeout: args.hangTimeout,
        // A stall stops its workers where they are, and the session on them; the program goes on.
        stallTimeout: args.stallTimeout,
        stallAction: 'pause',
        detectRaces: args.detectRaces === true,
        pauseOnFailure: this.stopOnFailure,
        breakpoints: this.breakpoints,
        stdio: 'pipe',
        live: true,
      });
    } catch (error) {
      this.runtime = undefined;
      this.sendErrorResponse(response, 3010, `Workerscope could not start ${this.program}: ${(error as Error).message}`);
      return;
    }
    this.sendResponse(response);
  }

  private launchReport(response: DebugProtocol.LaunchResponse, file: string): void {
    let report: TraceReport;
    let model: TraceModel;
    let summary: string;
    try {
      report = loadReport(path.resolve(file));
      // Inside the try: a report that passed the shape check but still trips the model is
      // answered as an error, never left to end the adapter.
      model = TraceModel.fromReport(report);
      summary = formatSummary(report);
    } catch (error) {
      this.sendErrorResponse(response, 3020, `Workerscope could not open the trace report: ${(error as Error).message}`);
      return;
    }
    this.postMortem = true;
    this.report = report;
    this.program = report.program;
    this.model = model;
    this.sendResponse(response);
    for (const thread of this.model.threads) this.announce(thread);
    this.sendEvent(new OutputEvent(`Workerscope: opened trace report ${file} (program ${report.program}, exit code ${report.exitCode ?? 'unknown'})\n${summary}`, 'console'));
    this.sendSummaryEvent(summary, report.exitCode);
    for (const failure of this.model.failures) this.sendFailureEvent(failure);
    this.postMortemQueue = this.model.failures.filter(isStoppable);
    if (this.postMortemQueue.length > 0) this.sendStopped(this.postMortemQueue[0]);
    else this.endPostMortem();
  }

  private continuePostMortem(): void {
    this.postMortemQueue.shift();
    if (this.postMortemQueue.length > 0) this.sendStopped(this.postMortemQueue[0]);
    else this.endPostMortem();
  }

  private endPostMortem(): void {
    if (this.ended) return;
    this.ended = true;
    this.sendEvent(new ExitedEvent(this.report?.exitCode ?? 0));
    this.sendEvent(new TerminatedEvent());
  }

  // ---- model and runtime events -> DAP events --------------------------------------------------

  private watchModel(): void {
    this.model.on('processStarted', (thread) => this.announce(thread));
    this.model.on('processExited', (thread) => {
      if (this.model.failures.some((f) => f.threadId === thread.id)) return; // Keep failed ones inspectable.
      if (!this.listed.delete(thread.id)) return;
      this.sendEvent(new ThreadEvent('exited', thread.id));
    });
    this.model.on('failure', (failure) => this.onFailure(failure));
    this.model.on('resumed', (failure, reason) => {
      if (reason === 'continue') return;
      // The tracer let the worker go on by itself (safety timeout, channel gone).
      const queue = this.stops.get(failure.threadId);
      if (!queue || queue[0] !== failure) return;
      queue.shift();
      this.sendEvent(new OutputEvent(`Workerscope: ${failure.worker ?? `pid ${failure.pid}`} resumed by itself (${reason}).\n`, 'console'));
      this.sendEvent(new ContinuedEvent(failure.threadId, false));
      if (queue.length > 0) this.sendStopped(queue[0]);
    });
    this.model.on('race', (race) => this.sendEvent(new OutputEvent(`Workerscope: ${raceText(race)}\n`, 'important')));
    this.model.on('stopped', (stop) => this.hold(stop));
    this.model.on('log', (log) => this.sendEvent(new OutputEvent(`${log.message}\n`, 'console')));
  }

  private announce(thread: ModelThread): void {
    this.listed.add(thread.id);
    if (this.announced.has(thread.id)) return;
    this.announced.add(thread.id);
    this.sendEvent(new ThreadEvent('started', thread.id));
  }

  private onFailure(failure: ModelFailure): void {
    const thread = this.model.thread(failure.threadId);
    if (thread) this.announce(thread);
    this.sendFailureEvent(failure);
    // Not to be stopped at: a stalled worker held where it runs goes on at once.
    if (failure.kind === 'stall' && !this.stopOnFailure && failure.pid !== undefined) this.runtime?.continueStalled(failure.pid);
    if (!this.stopOnFailure || !isStoppable(failure)) {
      const lines = formatFailure(failure, this.model.failures.indexOf(failure) + 1);
      this.sendEvent(new OutputEvent(`Workerscope: ${lines.join('\n')}\n`, 'important'));
      return;
    }
    this.hold(failure);
  }

  /** Queues what a thread stopped at; the head of its queue is what it shows. */
  private hold(held: Held): void {
    const thread = this.model.thread(held.threadId);
    if (thread) this.announce(thread);
    const queue = this.stops.get(held.threadId) ?? [];
    this.stops.set(held.threadId, queue);
    queue.push(held);
    if (queue.length === 1) this.sendStopped(held);
  }

  private onRunEnd(end: RunEnd): void {
    const report = end.report;
    let text = report ? formatSummary(report) : `workerscope: no trace report (${end.reportError ?? 'unknown reason'})\n`;
    if (end.watchError) text += `workerscope: pool hangs may have gone undetected: ${end.watchError}\n`;
    this.sendEvent(new OutputEvent(text, 'console'));
    const exitCode = end.exitCode ?? signalExitCode(end.signal) ?? report?.exitCode ?? 1;
    this.sendSummaryEvent(text, exitCode);
    this.runtime = undefined;
    this.ended = true;
    this.sendEvent(new ExitedEvent(exitCode));
    this.sendEvent(new TerminatedEvent());
  }

  private sendStopped(failure: Held): void {
    if (failure.kind === 'breakpoint') {
      const event = new StoppedEvent('breakpoint', failure.threadId) as DebugProtocol.StoppedEvent;
      if (failure.breakpoint !== undefined) event.body.hitBreakpointIds = [failure.breakpoint];
      event.body.allThreadsStopped = false;
      this.sendEvent(event);
      return;
    }
    // VS Code shows `description` as the thread's badge in the Call Stack: keep it short, so the
    // thread's name stays readable; `text` carries the whole story.
    // A stall is no exception: the worker is paused where it runs, with its live stack.
    const event = new StoppedEvent(failure.kind === 'stall' ? 'pause' : 'exception', failure.threadId, describeFailure(failure)) as DebugProtocol.StoppedEvent;
    event.body.description = stopBadge(failure);
    event.body.allThreadsStopped = false;
    event.body.preserveFocusHint = false;
    this.sendEvent(event);
  }

  private sendFailureEvent(failure: ModelFailure): void {
    const thread = this.model.thread(failure.threadId);
    const plain: Partial<ModelFailure> = { ...failure };
    delete plain.id;
    delete plain.threadId;
    delete plain.paused;
    const body: FailureEventBody = {
      id: failure.id,
      threadId: failure.threadId,
      threadName: thread ? threadLabel(thread) : `pid ${failure.pid}`,
      failure: plain as TraceFailure,
      postMortem: this.postMortem,
    };
    this.sendEvent(new Event(FAILURE_EVENT, body));
  }

  private sendSummaryEvent(text: string, exitCode: number | null): void {
    const body: SummaryEventBody = { text, program: this.program, exitCode, postMortem: this.postMortem };
    this.sendEvent(new Event(SUMMARY_EVENT, body));
  }

  private async stopEverything(): Promise<void> {
    if (this.runtime) {
      // The supervisor lists the tasks in flight first (at most a moment): the report names them.
      await this.runtime.terminate();
      return; // `end` follows and sends exited/terminated.
    }
    if (this.postMortem) this.endPostMortem();
  }

  /** The failure a thread is stopped at, else its last one (failed threads stay inspectable). */
  private failureShownOn(threadId: number): Held | undefined {
    if (this.postMortem) {
      const head = this.postMortemQueue[0];
      if (head?.threadId === threadId) return head;
    } else {
      const head = this.stops.get(threadId)?.[0];
      if (head) return head;
    }
    const own = this.model.failures.filter((f) => f.threadId === threadId);
    return own[own.length - 1];
  }
}

function isStoppable(failure: ModelFailure): boolean {
  return failure.kind !== 'swallowed' && failure.kind !== 'hang';
}


function raceText(race: TraceRace): string {
  return `race: unlocked read-modify-write of ${race.object ?? 'shared object'} at ${race.file}:${race.line}`;
}

function signalExitCode(signal: NodeJS.Signals | null): number | undefined {
  if (!signal) return undefined;
  const n = (osConstants.signals as Record<string, number | undefined>)[signal];
  return n !== undefined ? 128 + n : undefined;
}
