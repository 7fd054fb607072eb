/**
 * The Workerscope debug session: translates DAP requests into calls on the trace runtime and the
 * trace model's events into DAP events, nothing else. Processes and threads become DAP threads,
 * worker failures become `stopped` events on them, captured frames and locals become stacks and
 * variables. A launch either runs a program under the tracer (live) or opens a saved report
 * (post-mortem).
 */
import * as path from 'node:path';
import {
  Event, ExitedEvent, InitializedEvent, Logger, logger, LoggingDebugSession,
  OutputEvent, TerminatedEvent, Thread, ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { loadReport, type TraceFailure, type TraceReport } from '../../runtime/src/report';
import { formatFailure, formatSummary } from '../../runtime/src/summary';
import { TraceModel, type ModelFailure, type ModelThread } from '../../runtime/src/traceModel';
import { TraceRuntime, type RunEnd } from '../../runtime/src/traceRuntime';
import { FAILURE_EVENT, RACE_EVENT, SUMMARY_EVENT, type FailureEventBody, type RaceEventBody, type SummaryEventBody } from '../../protocol/src/customEvents';
import { raceText, signalExitCode, threadLabel, threadListLabel } from './session/describe';
import { WorkerEvaluator } from './session/evaluation';
import { FailureInspector } from './session/inspection';
import type { Held } from './session/variables';
import { Breakpoints, type ExceptionFilters } from '../../runtime/src/breakpoints';
import { RunControl } from './session/runControl';
import { stoppedEvent, stopExceptionInfo } from './session/stops';
import type { LaunchAttributes } from '../../protocol/src/launchAttributes';
import { recordTimeline } from './session/timeline';
import { consoleChoice } from './session/terminal';
import { EXCEPTION_FILTERS, evaluateContext, liveVariables, setLiveVariable } from './session/liveRequests';

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
  private program = '';
  private launchEnv: NodeJS.ProcessEnv | undefined;
  private ended = false;
  private readonly announced = new Set<number>();
  private readonly listed = new Set<number>();
  /** What each thread is stopped at, and Continue, the steps and Pause. */
  private readonly control = new RunControl((event) => this.sendEvent(event), () => this.runtime);
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
  /** `initialize`: the client answers `runInTerminal`. */
  private clientSupportsTerminal = false;
  private readonly configured = new Promise<void>((resolve) => (this.configurationDone = resolve));

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- DAP requests ------------------------------------------------------------------------

  protected initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientSupportsTerminal = args.supportsRunInTerminalRequest === true;
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsExceptionInfoRequest: true,
      supportsEvaluateForHovers: false,
      supportsTerminateRequest: true,
      supportsSetVariable: true,
      supportsExceptionFilterOptions: false,
      supportsStepBack: false,
      supportsRestartRequest: false,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: false,
      supportsDelayedStackTraceLoading: false,
      supportTerminateDebuggee: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
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

  protected setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const on = new Set(args.filters);
    const filters: ExceptionFilters = { failures: on.has('failures'), uncaught: on.has('uncaught'), raised: on.has('raised') };
    this.breakpoints.setExceptionFilters(filters);
    this.runtime?.breakpointsChanged();
    response.body = { breakpoints: args.filters.map(() => ({ verified: true })) };
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

  protected variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    return this.guarded(response, async () => {
      response.body = { variables: await liveVariables(this.inspector, this.evaluator, this.runtime, args) };
      this.sendResponse(response);
    });
  }

  protected setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    return this.guarded(response, async () => {
      const set = await setLiveVariable(this.inspector, this.evaluator, this.runtime, args);
      if ('error' in set) {
        this.sendErrorResponse(response, set.error);
        return;
      }
      response.body = set.body;
      this.sendResponse(response);
    });
  }

  protected exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    const failure = this.failureShownOn(args.threadId);
    const body = failure?.kind === 'stop' ? stopExceptionInfo(failure) : failure && this.inspector.exceptionInfo(failure);
    if (!body) {
      this.sendErrorResponse(response, 3002, 'This thread is not stopped at an exception or a failure.');
      return;
    }
    response.body = body;
    this.sendResponse(response);
  }

  protected evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    return this.guarded(response, () => this.evaluate(response, args));
  }

  private async evaluate(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    const frame = args.frameId !== undefined ? this.inspector.frame(args.frameId) : undefined;
    const answer = await this.evaluator.answer(frame, args.expression, this.runtime, evaluateContext(args.context));
    if ('result' in answer) {
      const children = frame && frame.index !== 'submitted' && answer.ref ? this.inspector.liveChild(frame.failure, answer.ref, frame.index) : 0;
      response.body = { result: answer.result, type: answer.type, variablesReference: children };
      this.sendResponse(response);
    } else {
      // Answered in the console, where it was typed: no notification for each failed evaluation.
      this.sendErrorResponse(response, { id: answer.code, format: answer.message, showUser: false });
    }
  }

  protected continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    response.body = { allThreadsContinued: false };
    this.sendResponse(response);
    if (this.postMortem) this.continuePostMortem();
    else this.control.continue(args.threadId);
  }

  protected pauseRequest(response: DebugProtocol.PauseResponse): void {
    if (!this.runtime) {
      this.sendErrorResponse(response, 3007, this.postMortem ? 'A saved report cannot pause: it shows a run that has ended.' : 'The program is not running.');
      return;
    }
    // Every thread stops at its next line of the program's own code; one blocked outside it stays running.
    this.runtime.pause();
    this.sendResponse(response);
  }

  protected nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.stepRequest(response, args.threadId, 'next');
  }

  protected stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.stepRequest(response, args.threadId, 'stepIn');
  }

  protected stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.stepRequest(response, args.threadId, 'stepOut');
  }

  private stepRequest(response: DebugProtocol.Response, threadId: number, command: 'next' | 'stepIn' | 'stepOut'): void {
    this.sendResponse(response);
    if (this.postMortem) this.continuePostMortem(); // a report has nothing to step through: on to its next failure
    else this.control.step(threadId, command);
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
    // `stopOnWorkerFailure: false` turns the "Failed tasks and worker deaths" filter off for the launch.
    if (args.stopOnWorkerFailure === false) this.breakpoints.setExceptionFilters({ ...this.breakpoints.exceptionFilters, failures: false });
    this.breakpoints.setJustMyCode(args.justMyCode !== false);
    if (args.stallTimeout !== undefined && !(typeof args.stallTimeout === 'number' && args.stallTimeout > 0)) {
      this.sendErrorResponse(response, 3011, `Workerscope: "stallTimeout" must be a positive number of seconds, not ${JSON.stringify(args.stallTimeout)}.`);
      return;
    }
    const where = consoleChoice(args.console, this.clientSupportsTerminal, (request, timeout, cb) => this.runInTerminalRequest(request, timeout, cb));
    if ('error' in where) return this.sendErrorResponse(response, 3012, where.error);
    if (where.notice) this.sendEvent(new OutputEvent(`Workerscope: ${where.notice}\n`, 'important'));
    const runtime = new TraceRuntime();
    this.runtime = runtime;
    this.model = runtime.model;
    this.watchModel();
    runtime.on('output', (stream, text) => this.sendEvent(new OutputEvent(text, stream)));
    runtime.on('error', (error) => this.sendEvent(new OutputEvent(`Workerscope: ${error.message}\n`, 'important')));
    // Before the end's listener: the timeline's last batch goes out before the session ends.
    const timeline = recordTimeline(runtime, args.timeline, this.program, (event) => this.sendEvent(event));
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
        pauseOnFailure: this.breakpoints.exceptionFilters.failures,
        breakpoints: this.breakpoints,
        stdio: 'pipe',
        terminal: where.terminal,
        live: true,
        timeline,
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
    for (const race of this.model.races) this.sendEvent(new Event(RACE_EVENT, { race, postMortem: true } satisfies RaceEventBody));
    this.postMortemQueue = this.model.failures.filter(isStoppable);
    if (this.postMortemQueue.length > 0) this.sendEvent(stoppedEvent(this.postMortemQueue[0], true));
    else this.endPostMortem();
  }

  private continuePostMortem(): void {
    this.postMortemQueue.shift();
    if (this.postMortemQueue.length > 0) this.sendEvent(stoppedEvent(this.postMortemQueue[0], true));
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
    this.model.on('resumed', (held, reason) => {
      if (reason === 'timeout' || reason === 'channel-gone') this.control.resumedByItself(held, reason);
    });
    this.model.on('race', (race) => {
      this.sendEvent(new OutputEvent(`Workerscope: ${raceText(race)}\n`, 'console'));
      this.sendEvent(new Event(RACE_EVENT, { race, postMortem: false } satisfies RaceEventBody));
    });
    this.model.on('stopped', (stop) => {
      const thread = this.model.thread(stop.threadId);
      if (thread) this.announce(thread);
      this.control.hold(stop);
    });
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
    if (failure.kind === 'stall' && !this.breakpoints.exceptionFilters.failures && failure.pid !== undefined) this.runtime?.continueStalled(failure.pid);
    // A worker the tracer holds was paused by the exception filters (an uncaught exception ends a
    // thread or process even with the failures filter off): it is stopped at, never left waiting.
    if (!(this.breakpoints.exceptionFilters.failures || failure.paused) || !isStoppable(failure)) {
      const lines = formatFailure(failure, this.model.failures.indexOf(failure) + 1);
      this.sendEvent(new OutputEvent(`Workerscope: ${lines.join('\n')}\n`, 'important'));
      if (failure.paused && failure.pid !== undefined) this.runtime?.resume(failure.pid, failure.id);
      return;
    }
    this.control.hold(failure);
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
      const head = this.control.stops.head(threadId);
      if (head) return head;
    }
    const own = this.model.failures.filter((f) => f.threadId === threadId);
    return own[own.length - 1];
  }
}


function isStoppable(failure: ModelFailure): boolean {
  return failure.kind !== 'swallowed' && failure.kind !== 'hang';
}
