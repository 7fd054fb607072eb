/**
 * How a Node program is started under the Node tracer: which command lines are Node's, where the
 * preload is (`dist/node` beside the bundle, `debug-adapter/node` in the repository), and the
 * environment that loads it into every thread and child process (NODE_OPTIONS `--require`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type ProgramRuntime = 'python' | 'node';

/** The preload's file name in its folder. */
const PRELOAD = 'workerscope_node.cjs';

/** The Node tracer's entry file. */
export function nodeTracerPath(): string {
  const candidates = [
    path.join(__dirname, 'node'),
    path.resolve(__dirname, '..', '..', '..', 'debug-adapter', 'node'),
    path.resolve(__dirname, '..', 'debug-adapter', 'node'),
  ];
  for (const dir of candidates) {
    const file = path.join(dir, PRELOAD);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`Workerscope's Node tracer was not found (looked in ${candidates.join(', ')})`);
}

/** `node`, `nodejs`, `node22`, `/usr/local/bin/node`: a command that is a Node binary. */
export function isNodeCommand(command: string): boolean {
  return /^node(js)?(\d+)?(\.exe)?$/i.test(path.basename(command));
}

/** Scripts Node runs and Python does not. */
export function isNodeScript(file: string): boolean {
  return /\.(mjs|cjs|js)$/i.test(file);
}

/**
 * The command line as given, split for the runtime: `node [flags] app.js args` gives the node
 * binary, its flags, the script (undefined for `node -e …` and the like) and the script's args.
 */
export function splitNodeCommand(args: readonly string[]): { flags: string[]; script: string | undefined; scriptArgs: string[] } {
  const flags: string[] = [];
  // Node options that take the next argument as their value.
  const withValue = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--conditions', '-C', '--input-type', '--env-file', '--inspect-port', '--stack-size', '--title']);
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    flags.push(arg);
    if (['-e', '--eval', '-p', '--print'].includes(arg)) return { flags: [...args], script: undefined, scriptArgs: [] };
    if (withValue.has(arg) && i + 1 < args.length) flags.push(args[++i]);
  }
  return { flags, script: args[i], scriptArgs: args.slice(i + 1) };
}

/** NODE_OPTIONS quotes a value with spaces in double quotes, backslash escaping `"` and `\`. */
function quoted(value: string): string {
  return /[\s"\\]/.test(value) ? `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"` : value;
}

/**
 * The program's environment: the preload first in NODE_OPTIONS (before the program's own
 * preloads, so that workers they start are seen), the channel, and the launcher's pid by which
 * the program's own process knows it is the main one.
 */
export function nodeProgramEnv(env: NodeJS.ProcessEnv, channelDir: string, launcherPid: number, preload = nodeTracerPath()): NodeJS.ProcessEnv {
  const own = `--require ${quoted(preload)}`;
  const inherited = (env.NODE_OPTIONS ?? '').trim();
  return {
    ...env,
    NODE_OPTIONS: inherited ? `${own} ${inherited}` : own,
    WORKERSCOPE_CHANNEL: channelDir,
    WORKERSCOPE_LAUNCHER: String(launcherPid),
  };
}
