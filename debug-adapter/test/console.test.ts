/**
 * The launch attribute `console` through the built adapter: the test plays a client that answers
 * `runInTerminal` by really running the given command (stdin a pipe that feeds `input()`), and
 * checks that the program reads its input there while breakpoints, the report, the exit status,
 * Stop, a closed terminal and a client without terminals all still work.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PYTHON, program, stackOf, withSession, type Session } from './support/dapSession';

const FIXTURE = program('console_input.py');
const BREAK_LINE = fs.readFileSync(FIXTURE, 'utf8').split('\n').findIndex((line) => line.endsWith('# BREAK square')) + 1;

/** The command the adapter asked the client to run, as the test's "terminal" ran it. */
interface Terminal {
  request: DebugProtocol.RunInTerminalRequestArguments;
  process: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `hold`: answers that the terminal runs the command, but runs nothing (a terminal slow to start). */
type Answer = 'run' | 'refuse' | 'hold';

/**
 * Makes the session's client answer reverse requests: `runInTerminal` runs the command (or is
 * refused), with `input` written to its stdin. The test support's client has no such hook of its
 * own, so its message dispatch is wrapped.
 */
function playTerminal(s: Session, answer: Answer, input: string, held: DebugProtocol.RunInTerminalRequestArguments[] = []): Terminal[] {
  const terminals: Terminal[] = [];
  const client = s.dc as unknown as { dispatch(body: string): void; outputStream: NodeJS.WritableStream };
  const dispatch = client.dispatch.bind(client);
  let seq = 100_000;
  const respond = (request: DebugProtocol.Request, success: boolean, body: unknown, message?: string): void => {
    const json = JSON.stringify({ type: 'response', seq: seq++, request_seq: request.seq, command: request.command, success, message, body });
    client.outputStream.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`, 'utf8');
  };
  client.dispatch = (body: string): void => {
    const message = JSON.parse(body) as DebugProtocol.ProtocolMessage;
    if (message.type !== 'request') return dispatch(body);
    const request = message as DebugProtocol.RunInTerminalRequest;
    if (request.command !== 'runInTerminal' || answer === 'refuse') return respond(request, false, undefined, 'no terminal here');
    const args = request.arguments;
    if (answer === 'hold') {
      held.push(args);
      return respond(request, true, { shellProcessId: process.pid });
    }
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(args.env ?? {})) {
      if (value === null || value === undefined) delete env[key];
      else env[key] = value;
    }
    // A process group of its own, as a terminal's foreground job has: Ctrl-C is a SIGINT to it.
    const child = spawn(args.args[0], args.args.slice(1), { cwd: args.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const terminal: Terminal = {
      request: args,
      process: child,
      stdout: '',
      stderr: '',
      exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    };
    child.stdout.on('data', (data: Buffer) => (terminal.stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (terminal.stderr += data.toString()));
    child.stdin.end(input);
    terminals.push(terminal);
    respond(request, true, { processId: child.pid });
  };
  return terminals;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000, detail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function start(s: Session, args: Record<string, unknown>, supportsTerminal = true): Promise<void> {
  await s.dc.initializeRequest({ adapterID: 'workerscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsRunInTerminalRequest: supportsTerminal });
  const launched = s.dc.launchRequest({ program: FIXTURE, python: PYTHON, ...args } as DebugProtocol.LaunchRequestArguments);
  await s.waitFor('initialized');
  if (args.breakpoints !== false) await s.dc.setBreakpointsRequest({ source: { path: FIXTURE }, breakpoints: [{ line: BREAK_LINE, condition: 'x == 2' }] });
  await s.dc.configurationDoneRequest();
  await launched;
}

function exitCode(s: Session): number | undefined {
  return s.events.find((e): e is DebugProtocol.ExitedEvent => e.event === 'exited')?.body.exitCode;
}

/** The pids the program printed: its main process and, in "wait" mode, its two pool workers. */
function printedPids(text: string): { main?: number; parent?: number; workers: number[] } {
  const main = /\bmain (\d+) parent (\d+)$/m.exec(text);
  const workers = [...text.matchAll(/^worker (\d+)$/gm)].map((m) => Number(m[1]));
  return { main: main ? Number(main[1]) : undefined, parent: main ? Number(main[2]) : undefined, workers };
}

/** The pids printed by the program in "wait" mode once both its workers wait. */
function programPids(s: Session, terminals: Terminal[]): Promise<{ main?: number; workers: number[] }> {
  return until('the program\'s pids', () => {
    const found = printedPids(terminals[0]?.stdout ?? '');
    return found.main !== undefined && found.workers.length === 2 ? found : undefined;
  }, 60_000, () => `terminal: ${terminals[0]?.stdout}${terminals[0]?.stderr}\nsession: ${s.output()}`);
}

describe('console: the program in the client terminal', { timeout: 300_000 }, () => {
  test('integratedTerminal: input() reads the terminal, a pool breakpoint stops, the exit status and report come back', () => withSession(async (s) => {
    const terminals = playTerminal(s, 'run', 'world\n');
    await start(s, { console: 'integratedTerminal' });
    assert.equal(terminals.length, 1);
    const [terminal] = terminals;
    assert.equal(terminal.request.kind, 'integrated');
    assert.ok(terminal.request.args[0].startsWith('/'), `the interpreter is resolved: ${terminal.request.args[0]}`);
    const python = terminal.request.args[0];
    assert.deepEqual(terminal.request.args.filter((arg) => !arg.endsWith('/tools/terminal.py')), [python, '-S', '--', python, FIXTURE]);
    const env = terminal.request.env ?? {};
    assert.ok(typeof env.WORKERSCOPE_TERMINAL_CHANNEL === 'string', 'the launcher is told the channel');
    assert.ok(!('WORKERSCOPE_CHANNEL' in env) || env.WORKERSCOPE_CHANNEL === null, 'the launcher itself is not marked as the program');

    const stop = await s.waitFor<DebugProtocol.StoppedEvent>('stopped');
    assert.equal(stop.body.reason, 'breakpoint');
    const [top] = await stackOf(s, stop.body.threadId!);
    assert.deepEqual([top.name, top.line], ['square', BREAK_LINE]);
    await s.dc.continueRequest({ threadId: stop.body.threadId! });

    await s.waitFor('terminated');
    assert.equal(exitCode(s), 3);
    assert.match(terminal.stdout, /^name\? main \d+ parent \d+$/m);
    assert.match(terminal.stdout, /hello world, total 14/);
    assert.deepEqual(await terminal.exit, { code: 3, signal: null }, 'the terminal shows the program\'s status');
    const pids = printedPids(terminal.stdout);
    assert.equal(pids.parent, terminal.process.pid, 'the program is the launcher\'s child');
    assert.match(s.output('console'), /no worker failures \(3 processes traced, exit code 3\)/);
    assert.equal(s.output('stdout'), '', 'the output went to the terminal, not the Debug Console');

    // The command run again from the terminal's history: the session is over, nothing starts.
    const again = spawn(terminal.request.args[0], terminal.request.args.slice(1), { cwd: terminal.request.cwd, env: { ...process.env, ...terminal.request.env as Record<string, string> }, stdio: ['pipe', 'pipe', 'pipe'] });
    let said = '';
    again.stdout.on('data', (data: Buffer) => (said += data.toString()));
    again.stderr.on('data', (data: Buffer) => (said += data.toString()));
    again.stdin.end('x\n');
    const code = await new Promise((resolve) => again.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(said, /^workerscope: not starting .*console_input\.py: the debug session that started this terminal has ended/);
    assert.doesNotMatch(said, /name\?/);
  }));

  test('Ctrl-C in the terminal interrupts the program, which ends by SIGINT; so does the launcher', () => withSession(async (s) => {
    const terminals = playTerminal(s, 'run', 'x\n');
    await start(s, { console: 'integratedTerminal', args: ['wait'], breakpoints: false, stopOnWorkerFailure: false });
    const pids = await programPids(s, terminals);
    process.kill(-(terminals[0].process.pid as number), 'SIGINT');
    await s.waitFor('terminated');
    assert.deepEqual(await terminals[0].exit, { code: null, signal: 'SIGINT' });
    assert.equal(exitCode(s), 128 + 2);
    assert.match(terminals[0].stderr, /KeyboardInterrupt/);
    await until('the tree to end', () => [pids.main as number, ...pids.workers].every((pid) => !alive(pid)), 10_000);
  }));

  test('a program ended by a signal: the session and the terminal both show it', () => withSession(async (s) => {
    const terminals = playTerminal(s, 'run', 'x\n');
    await start(s, { console: 'externalTerminal', args: ['die'], breakpoints: false });
    assert.equal(terminals[0].request.kind, 'external');
    await s.waitFor('terminated');
    assert.equal(exitCode(s), 128 + 15);
    assert.deepEqual(await terminals[0].exit, { code: null, signal: 'SIGTERM' });
    assert.match(s.output('console'), /SIGTERM/);
  }));

  test('Stop ends the whole tree run in the terminal, and the launcher with it', () => withSession(async (s) => {
    const terminals = playTerminal(s, 'run', 'x\n');
    await start(s, { console: 'integratedTerminal', args: ['wait'], breakpoints: false });
    const pids = await programPids(s, terminals);
    await s.dc.terminateRequest({});
    await s.waitFor('terminated');
    await until('the tree to end', () => [pids.main as number, ...pids.workers].every((pid) => !alive(pid)), 10_000);
    assert.deepEqual(await terminals[0].exit, { code: null, signal: 'SIGTERM' });
    assert.equal(exitCode(s), 128 + 15);
  }));

  test('a closed terminal (SIGHUP to the launcher) ends the session and the program\'s tree', () => withSession(async (s) => {
    const terminals = playTerminal(s, 'run', 'x\n');
    await start(s, { console: 'integratedTerminal', args: ['wait'], breakpoints: false });
    const pids = await programPids(s, terminals);
    terminals[0].process.kill('SIGHUP');
    await s.waitFor('terminated');
    await until('the tree to end', () => [pids.main as number, ...pids.workers].every((pid) => !alive(pid)), 10_000);
  }));

  test('a launcher killed outright: the session still ends, and the program with it', () => withSession(async (s) => {
    const terminals = playTerminal(s, 'run', 'x\n');
    await start(s, { console: 'integratedTerminal', args: ['wait'], breakpoints: false });
    const pids = await programPids(s, terminals);
    terminals[0].process.kill('SIGKILL');
    await s.waitFor('terminated');
    assert.match(s.output('important'), /ended without passing on how the program ended/);
    await until('the tree to end', () => [pids.main as number, ...pids.workers].every((pid) => !alive(pid)), 10_000);
  }));

  test('Stop while the terminal has not started the program: the launch ends, and the command run later starts nothing', () => withSession(async (s) => {
    const held: DebugProtocol.RunInTerminalRequestArguments[] = [];
    playTerminal(s, 'hold', '', held);
    await s.dc.initializeRequest({ adapterID: 'workerscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsRunInTerminalRequest: true });
    const launched = s.dc.launchRequest({ program: FIXTURE, python: PYTHON, console: 'integratedTerminal' } as DebugProtocol.LaunchRequestArguments);
    await s.waitFor('initialized');
    await s.dc.configurationDoneRequest();
    const request = await until('the runInTerminal request', () => held[0]);
    await s.dc.terminateRequest({});
    await assert.rejects(launched, /stopped before the program started in the terminal/);
    const late = spawn(request.args[0], request.args.slice(1), { cwd: request.cwd, env: { ...process.env, ...request.env as Record<string, string> }, stdio: ['pipe', 'pipe', 'pipe'] });
    let said = '';
    late.stdout.on('data', (data: Buffer) => (said += data.toString()));
    late.stderr.on('data', (data: Buffer) => (said += data.toString()));
    late.stdin.end('x\n');
    assert.equal(await new Promise((resolve) => late.once('exit', resolve)), 1);
    assert.match(said, /not starting .*: the debug session that started this terminal has ended/);
    assert.doesNotMatch(said, /name\?/);
  }));

  test('a client that refuses the terminal: the program runs in the Debug Console, and a later launcher starts nothing', () => withSession(async (s) => {
    playTerminal(s, 'refuse', '');
    await start(s, { console: 'integratedTerminal', breakpoints: false });
    await s.waitFor('terminated');
    assert.match(s.output('important'), /did not run the program in a terminal \(no terminal here\).*Debug Console/);
    assert.match(s.output('stdout'), /hello nobody, total 14/);
    assert.equal(exitCode(s), 3);
  }));

  test('a client without runInTerminal: the Debug Console, with a line saying so', () => withSession(async (s) => {
    const terminals = playTerminal(s, 'run', 'x\n');
    await start(s, { console: 'integratedTerminal', breakpoints: false }, false);
    await s.waitFor('terminated');
    assert.equal(terminals.length, 0);
    assert.match(s.output('important'), /cannot run the program in a terminal/);
    assert.match(s.output('stdout'), /hello nobody, total 14/);
  }));

  test('a bad console value is a clear launch error', () => withSession(async (s) => {
    await s.dc.initializeRequest({ adapterID: 'workerscope', pathFormat: 'path', supportsRunInTerminalRequest: true });
    await assert.rejects(s.dc.launchRequest({ program: FIXTURE, console: 'terminal' } as DebugProtocol.LaunchRequestArguments), /"console" must be one of "internalConsole", "integratedTerminal", "externalTerminal"/);
  }));
});
