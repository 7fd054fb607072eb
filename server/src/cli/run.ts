/**
 * `workerscope run`: runs a Python or Node program under its tracer with the terminal passed through,
 * prints the failure summary to stderr, writes the report, and exits with the program's status.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceRuntime, type RunEnd } from '../../../runtime/src/traceRuntime';
import { formatSummary } from '../../../runtime/src/summary';
import { writeReportFile } from '../../../runtime/src/report';
import { TimelineRecorder } from '../../../runtime/src/timelineRecorder';
import { inTerminalForeground, isStopped } from '../../../runtime/src/processTree';
import { isNodeCommand, isNodeScript, splitNodeCommand } from '../../../runtime/src/nodeStart';
import { parseArgs, UsageError } from './args';
import type { CheckIo } from './check';

export const RUN_USAGE = `Usage: workerscope run [--report FILE] [--timeline FILE] [--hang-timeout S] [--stall-timeout S] [--detect-races] [--python PATH] -- script.py [args...]
       workerscope run [--report FILE] -- node [node options] app.js [args...]

Runs a Python or Node program under the Workerscope tracer. Its stdin, stdout, stderr and exit
status are passed through unchanged; worker failures are summarised on stderr. A command that is
\`node\` (or a .js/.mjs/.cjs script) runs under the Node tracer: worker threads, cluster workers
and child processes are traced (the hang and stall watches and race detection are Python's).
  --report FILE       write the trace report (JSON, version 1) to FILE
  --timeline FILE     record a timeline of workers and tasks and write it to FILE (Chrome Trace
                      Event JSON: opens in Perfetto, chrome://tracing and the Timeline panel)
  --hang-timeout S    seconds to wait after a pool worker died before reporting a hang (default 10)
  --stall-timeout S   report a stall and end the run (status 124) when tasks run but none has
                      finished for S seconds while the program waits on results (default: never)
  --detect-races      report unlocked read-modify-writes of shared Value/Array/Manager objects
  --python PATH       Python interpreter (default: python3)
  --runtime R         python or node (default: node for a \`node\` command or a .js/.mjs/.cjs
                      script, else python); with node, a script is run by \`node\` from PATH`;

export async function runTraced(argv: readonly string[], io: CheckIo): Promise<number> {
  const args = parseArgs(argv, {
    report: { value: true },
    timeline: { value: true },
    'hang-timeout': { value: true },
    'stall-timeout': { value: true },
    'detect-races': {},
    python: { value: true },
    runtime: { value: true },
    help: {},
  });
  if (args.flags.has('help')) {
    io.out(`${RUN_USAGE}\n`);
    return 0;
  }
  const [program, ...programArgs] = [...args.positionals, ...args.rest];
  if (!program) throw new UsageError('no program given (use: workerscope run -- script.py [args...])');
  const hangTimeout = seconds(args.flags.get('hang-timeout')?.[0], '--hang-timeout');
  const stallTimeout = seconds(args.flags.get('stall-timeout')?.[0], '--stall-timeout');
  const reportFile = args.flags.get('report')?.[0];
  const node = nodeLaunch(program, programArgs, args.flags.get('runtime')?.[0]);
  const timelineFile = args.flags.get('timeline')?.[0];

  const runtime = new TraceRuntime();
  let timelineError: string | undefined;
  if (timelineFile) {
    const recorder = new TimelineRecorder(runtime, { program: path.resolve(program), file: timelineFile });
    recorder.once('final', (end) => {
      timelineError = end.error;
    });
  }
  const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
  // From before the spawn: a signal that arrives meanwhile waits for the program, not kills us.
  const stopForwarding = forwardSignals(runtime);
  try {
    await runtime.launch({
      program,
      args: programArgs,
      ...node,
      python: args.flags.get('python')?.[0],
      hangTimeout,
      stallTimeout,
      detectRaces: args.flags.has('detect-races'),
      timeline: timelineFile !== undefined,
      stdio: 'inherit',
    });
  } catch (error) {
    stopForwarding();
    io.err(`workerscope: ${(error as Error).message}\n`);
    return 2;
  }
  if (runtime.untraced) io.err(`workerscope: ${runtime.untraced}\n`);
  const end = await ended;
  stopForwarding();

  if (end.report) {
    io.err(formatSummary(end.report));
    if (reportFile) {
      try {
        // The tracer's own text, so both entry points save the same report.
        writeReportFile(reportFile, end.reportText ?? `${JSON.stringify(end.report, null, 2)}\n`);
      } catch (error) {
        io.err(`workerscope: cannot write report ${reportFile}: ${(error as Error).message}\n`);
      }
    }
  } else if (!end.untraced) {
    io.err(`workerscope: no trace report (${end.reportError ?? 'unknown reason'})\n`);
  }
  if (timelineError) io.err(`workerscope: ${timelineError}\n`);
  if (end.watchError) io.err(`workerscope: pool hangs may have gone undetected: ${end.watchError}\n`);
  if (end.signal) dieBy(end.signal);
  return end.exitCode ?? 1;
}

/**
 * The launch of a Node program, when the command line is one: `node [flags] app.js args`, or a
 * script that `--runtime node` (or its .js/.mjs/.cjs extension) gives to `node`.
 */
function nodeLaunch(program: string, programArgs: readonly string[], runtime: string | undefined): { runtime: 'node'; node: string; nodeArgs: string[]; program: string; args: string[] } | undefined {
  if (runtime !== undefined && runtime !== 'node' && runtime !== 'python') throw new UsageError(`--runtime is python or node, not "${runtime}"`);
  if (runtime === 'python') return undefined;
  if (isNodeCommand(program)) {
    const { flags, script, scriptArgs } = splitNodeCommand(programArgs);
    return { runtime: 'node', node: program, nodeArgs: flags, program: script ?? '', args: scriptArgs };
  }
  if (runtime === 'node' || isNodeScript(program)) return { runtime: 'node', node: 'node', nodeArgs: [], program, args: [...programArgs] };
  return undefined;
}

/** A timeout option's value: a positive number of seconds. */
function seconds(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new UsageError(`${option} needs a positive number of seconds, not "${text}"`);
  return value;
}

/** The signals a shell or a terminal delivers, and `kill` sends by name. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT', 'SIGTSTP'];
/** Those a terminal sends to its whole foreground process group (the program is in ours). */
const TERMINAL_GENERATED: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGQUIT', 'SIGTSTP', 'SIGWINCH']);

/**
 * Passes each signal sent to this process on to the program's process, which shares our process
 * group. A signal the terminal generated while we are its foreground group reached the program
 * already and is not sent twice. Ctrl-Z stops us too once the program has stopped, so that the
 * shell sees the job stop. Returns the function that stops forwarding.
 */
function forwardSignals(runtime: TraceRuntime): () => void {
  const handlers = FORWARDED.map((signal) => {
    // launch() spawns the program before it first awaits: no handler runs before there is one.
    const handler = (): void => {
      if (!(TERMINAL_GENERATED.has(signal) && inTerminalForeground())) runtime.forward(signal);
      if (signal === 'SIGTSTP') void stopWithProgram(runtime);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** Stops this process once the program has stopped (a program that ignores SIGTSTP goes on, and so do we). */
async function stopWithProgram(runtime: TraceRuntime): Promise<void> {
  const pid = runtime.pid;
  const deadline = Date.now() + 1000;
  while (pid !== undefined && Date.now() < deadline) {
    const stopped = isStopped(pid);
    if (stopped === undefined) break; // cannot tell: stop as the shell asked
    if (stopped) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (pid !== undefined && isStopped(pid) === false) return;
  process.kill(process.pid, 'SIGSTOP');
}

/**
 * Dies by the signal that killed the program, so that the shell sees the same status. Node
 * holds some signals itself: SIGUSR1 starts its inspector (a TCP port on 127.0.0.1:9229), SIGPIPE
 * and SIGXFSZ are ignored. A listener added and removed again leaves the signal at its default
 * action (libuv restores SIG_DFL when its last watcher stops), whatever Node did with it before.
 */
function dieBy(signal: NodeJS.Signals): never {
  const ignore = (): void => undefined;
  try {
    process.on(signal, ignore);
    process.off(signal, ignore);
    process.kill(process.pid, signal);
  } catch {
    // A signal Node will not watch (SIGKILL, SIGSTOP): killing ourselves needs no reset.
    try {
      process.kill(process.pid, signal);
    } catch {
      // Falls through to the exit status a shell would show.
    }
  }
  // A signal whose default action does not end a process cannot have ended the program
  // either; should we survive anyway, the status is the one a shell reports for that death.
  process.exit(128 + (os.constants.signals[signal] ?? 0));
}
