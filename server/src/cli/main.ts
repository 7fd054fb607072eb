/**
 * The `workerscope` command: dispatches to `check` (static analysis) and `run` (the tracer),
 * mapping usage errors to exit status 2 with a one-line message. Each command's modules are
 * loaded only when it runs (a bundle of its own in dist/): `run` does not compile the engine.
 */
import { isUsageError, UsageError } from './args';

declare const WORKERSCOPE_VERSION: string | undefined;
const version = typeof WORKERSCOPE_VERSION === 'string' ? WORKERSCOPE_VERSION : '0.0.0-dev';

const USAGE = `workerscope ${version} — find and explain parallel-code bugs

Commands:
  workerscope check [paths...] [--format text|json|sarif] [--rule ID]...
      Analyse Python, JavaScript and TypeScript files for unguarded entry points,
      unpicklable pool tasks, functions posted to workers, unlocked shared counters and more.
  workerscope run [--report FILE] [--hang-timeout S] [--stall-timeout S] [--detect-races] [--python PATH] -- script.py [args...]
      Run a Python program under the tracer: worker crashes, killed workers,
      swallowed exceptions and hangs are reported on stderr and in a JSON report.

Options: --help, --version. Run "workerscope <command> --help" for details.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t), version };
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      case '--version':
        io.out(`${version}\n`);
        return 0;
      case 'check':
        return await (await import('./check.js')).runCheck(rest, io);
      case 'run':
        return await (await import('./run.js')).runTraced(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (isUsageError(error)) {
      const help = command === 'check' ? (await import('./check.js')).CHECK_USAGE : command === 'run' ? (await import('./run.js')).RUN_USAGE : USAGE;
      io.err(`workerscope: ${error.message}\n\n${help}\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`workerscope: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
