/**
 * A small, strict argument parser for the `workerscope` command: known flags only, clear errors,
 * and everything after `--` passed through untouched.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** By name: each command runs from a bundle of its own, with its own copy of the class. */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof Error && error.name === 'UsageError';
}

export interface FlagSpec {
  /** Takes a value (`--format json` or `--format=json`). */
  value?: boolean;
  /** May be given more than once; values are collected. */
  repeat?: boolean;
}

export interface ParsedArgs {
  flags: Map<string, string[]>;
  positionals: string[];
  /** Arguments after a literal `--`. */
  rest: string[];
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { flags, positionals, rest: argv.slice(i + 1) };
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const flag = spec[name];
    if (!flag) throw new UsageError(`unknown option --${name}`);
    let value = 'true';
    if (flag.value) {
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i]!;
      else throw new UsageError(`--${name} needs a value`);
    } else if (eq !== -1) {
      throw new UsageError(`--${name} takes no value`);
    }
    const values = flags.get(name) ?? [];
    if (values.length > 0 && !flag.repeat) throw new UsageError(`--${name} given more than once`);
    values.push(value);
    flags.set(name, values);
  }
  return { flags, positionals, rest: [] };
}
