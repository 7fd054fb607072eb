/**
 * `workerscope run`: runs a Python program under the tracer with the terminal passed through,
 * prints the failure summary to stderr, writes the report, and exits with the program's status.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { TraceRuntime, type RunEnd } from '../../../debug-adapter/src/runtime/traceRuntime';
import { formatSummary } from '../../../debug-adapter/src/runtime/summary';
import { parseArgs, UsageError } from './args';
import type { CheckIo } from './check';

export const RUN_USAGE = `Usage: workerscope run [--report FILE] [--hang-timeout S] [--detect-races] [--python PATH] -- script.py [args...]

Runs a Python program under the Workerscope tracer. Its stdin, stdout, stderr and exit status
are passed through unchanged; worker failures are summarised on stderr.
  --report FILE       write the trace report (JSON, version 1) to FILE
  --hang-timeout S    seconds to wait after a pool worker died before reporting a hang (default 10)
  --detect-races      report unlocked read-modify-writes of shared Value/Array/Manager objects
  --python PATH       Python interpreter (default: python3)`;

export async function runTraced(argv: readonly string[], io: CheckIo): Promise<number> {
  const args = parseArgs(argv, {
    report: { value: true },
    'hang-timeout': { value: true },
    'detect-races': {},
    python: { value: true },
    help: {},
  });
  if (args.flags.has('help')) {
    io.out(`${RUN_USAGE}\n`);
    return 0;
  }
  const [program, ...programArgs] = [...args.positionals, ...args.rest];
  if (!program) throw new UsageError('no program given (use: workerscope run -- script.py [args...])');
  const hangTimeoutText = args.flags.get('hang-timeout')?.[0];
  const hangTimeout = hangTimeoutText === undefined ? undefined : Number(hangTimeoutText);
  if (hangTimeout !== undefined && !(hangTimeout > 0)) throw new UsageError(`--hang-timeout needs a positive number of seconds, not "${hangTimeoutText}"`);
  const reportFile = args.flags.get('report')?.[0];

  const runtime = new TraceRuntime();
  const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
  try {
    await runtime.launch({
      program,
      args: programArgs,
      python: args.flags.get('python')?.[0],
      hangTimeout,
      detectRaces: args.flags.has('detect-races'),
      stdio: 'inherit',
    });
  } catch (error) {
    io.err(`workerscope: ${(error as Error).message}\n`);
    return 2;
  }
  if (runtime.untraced) io.err(`workerscope: ${runtime.untraced}\n`);
  // The program runs in its own process group: the terminal's Ctrl-C reaches us, and we pass it on.
  const interrupt = (): void => runtime.interrupt();
  const terminate = (): void => runtime.terminate();
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', terminate);
  const end = await ended;
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', terminate);

  if (end.report) {
    io.err(formatSummary(end.report));
    if (reportFile) {
      try {
        // The tracer's own text, so both entry points save the same report.
        fs.writeFileSync(reportFile, end.reportText ?? `${JSON.stringify(end.report, null, 2)}\n`);
      } catch (error) {
        io.err(`workerscope: cannot write report ${reportFile}: ${(error as Error).message}\n`);
      }
    }
  } else if (!end.untraced) {
    io.err(`workerscope: no trace report (${end.reportError ?? 'unknown reason'})\n`);
  }
  if (end.watchError) io.err(`workerscope: pool hangs may have gone undetected: ${end.watchError}\n`);
  if (end.signal) dieBy(end.signal);
  return end.exitCode ?? 1;
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
