/**
 * Hostile programs, inputs and environments under `workerscope run` and the debug adapter's
 * runtime: each fault program (test-fixtures/faults) runs plainly and traced, and stdout, the
 * program's stderr, its exit status or signal and the files it wrote must be the same, with no
 * channel directory left behind. The Python twin is debug-adapter/python/tests/test_faults.py.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inTerminalForeground } from '../src/processTree';
import { TraceRuntime, type RunEnd } from '../src/traceRuntime';
import type { ChannelRecord } from '../src/channelReader';
import { until as poll } from './support/until';

const root = path.resolve(__dirname, '..', '..', '..');
const FAULTS = path.join(root, 'test-fixtures', 'faults');
const CLI = path.join(root, 'bin', 'workerscope.js');
const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';
const DEADLINE_MS = 60_000;

interface Outcome {
  stdout: Buffer;
  stderr: Buffer;
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Started {
  pid: number;
  /** Resolves with each complete line of stdout as it arrives, in order. */
  line: () => Promise<string>;
  write: (data: string | Buffer) => void;
  end: (data?: string | Buffer) => void;
  done: Promise<Outcome>;
}

/** The program's own stderr: the tracer's lines (from the first "workerscope: " line on) cut off. */
function programStderr(text: Buffer): Buffer {
  const at = text.indexOf('workerscope: ');
  const lineStart = at >= 0 && (at === 0 || text[at - 1] === 0x0a);
  return lineStart ? text.subarray(0, at) : text;
}

/**
 * Starts the program, plainly or under `workerscope run`. `ownSession` runs it without the test
 * runner's terminal: a signal the test sends is then not one a terminal could have sent to the
 * whole foreground group (which `workerscope run` does not pass on a second time).
 */
function start(traced: boolean, program: string, args: readonly string[], env: NodeJS.ProcessEnv, ownSession = false): Started {
  const argv = traced ? [CLI, 'run', '--python', PYTHON, '--', program, ...args] : [program, ...args];
  const child = spawn(traced ? process.execPath : PYTHON, argv, { cwd: path.dirname(program), env, stdio: ['pipe', 'pipe', 'pipe'], detached: ownSession });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let pending = '';
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  child.stdin.on('error', () => undefined);
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    pending += chunk.toString('latin1');
    let cut: number;
    while ((cut = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, cut);
      pending = pending.slice(cut + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const done = new Promise<Outcome>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ stdout: Buffer.concat(out), stderr: programStderr(Buffer.concat(err)), code, signal }));
  });
  const line = (): Promise<string> => {
    const ready = lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return withDeadline(new Promise<string>((resolve) => waiters.push(resolve)), 'a line of output');
  };
  return { pid: child.pid as number, line, write: (d) => child.stdin.write(d), end: (d) => child.stdin.end(d), done: withDeadline(done, `${path.basename(program)} to end`) };
}

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), DEADLINE_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function run(traced: boolean, program: string, args: readonly string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Outcome> {
  const started = start(traced, program, args, env);
  started.end(stdin);
  return started.done;
}

const until = <T>(what: string, probe: () => T | undefined | false): Promise<T> => poll(what, probe, 20, DEADLINE_MS);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function sameOutcome(traced: Outcome, plain: Outcome): void {
  assert.deepEqual({ code: traced.code, signal: traced.signal }, { code: plain.code, signal: plain.signal }, traced.stderr.toString());
  assert.ok(traced.stdout.equals(plain.stdout), `stdout differs:\n${traced.stdout.toString().slice(-500)}\n---\n${plain.stdout.toString().slice(-500)}`);
  assert.equal(traced.stderr.toString('latin1'), plain.stderr.toString('latin1'));
}

function fault(name: string): string {
  return path.join(FAULTS, `${name}.py`);
}

describe('fault programs under workerscope run and the debug runtime', { timeout: 20 * DEADLINE_MS }, () => {
  let tmp: string;
  let channels: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-faults-'));
    channels = path.join(tmp, 'channels');
    fs.mkdirSync(channels);
    env = { ...process.env, TMPDIR: channels };
    for (const key of Object.keys(env)) if (key.startsWith('WORKERSCOPE_')) delete env[key];
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const noChannelLeft = (dir = channels): void => assert.deepEqual(fs.readdirSync(dir), [], 'a channel directory was left behind');

  async function fileRun(traced: boolean, method: string): Promise<{ outcome: Outcome; lines: string[] }> {
    const file = path.join(tmp, `out-${method}-${traced}.txt`);
    const outcome = await run(traced, fault('closed_descriptors'), [file, method], env);
    return { outcome, lines: fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).sort() };
  }

  test('a program that closes inherited descriptors gets nothing of the tracer in its own file and loses nothing', async () => {
    for (const method of ['fork', 'spawn']) {
      const plain = await fileRun(false, method);
      const traced = await fileRun(true, method);
      sameOutcome(traced.outcome, plain.outcome);
      assert.deepEqual(traced.lines, plain.lines);
      assert.equal(plain.lines.length, 8);
      noChannelLeft();
    }
  });

  test('the debug runtime keeps the program\'s file clean as well', async () => {
    const file = path.join(tmp, 'debug-out.txt');
    const runtime = new TraceRuntime();
    const records: ChannelRecord[] = [];
    runtime.on('record', (record) => records.push(record));
    const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
    await runtime.launch({ program: fault('closed_descriptors'), args: [file, 'fork'], cwd: FAULTS, python: PYTHON, env: { TMPDIR: channels }, stdio: 'pipe' });
    const end = await withDeadline(ended, 'the debug run to end');
    assert.equal(end.exitCode, 0);
    assert.deepEqual(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).sort(), ['main end', 'main start', ...[0, 1, 2, 3, 4, 5].map((i) => `worker ${i}`)]);
    assert.deepEqual(end.report?.processes.map((p) => p.role).sort(), ['main', 'pool-worker', 'pool-worker']);
    noChannelLeft();
  });

  test('an unusable TMPDIR (missing, a file) does not stop the program: the channel goes where tempfile would look', async () => {
    const aFile = path.join(tmp, 'a-file');
    fs.writeFileSync(aFile, '');
    for (const bad of [path.join(tmp, 'missing'), aFile]) {
      const badEnv = { ...env, TMPDIR: bad, TEMP: channels };
      const plain = await run(false, fault('bare_fork'), [], badEnv);
      const traced = await run(true, fault('bare_fork'), [], badEnv);
      sameOutcome(traced, plain);
      noChannelLeft();
    }
  });

  test('with no private directory anywhere the program runs untraced, with one line on stderr', async (t) => {
    const probe = spawnSync('unshare', ['-rm', '--propagation', 'private', 'true']);
    if (probe.status !== 0 || !fs.existsSync('/mnt')) {
      t.skip('unshare -rm is not available: every temporary directory cannot be made unusable');
      return;
    }
    // The checkout is bound at /mnt first: one under /tmp would vanish with it.
    const script = [
      'set -e',
      'src=$(cat "$1")',
      'mount --bind "$5" /mnt',
      'mount -t tmpfs tmpfs /tmp && mkdir /tmp/p && printf "%s\\n" "$src" > /tmp/p/prog.py',
      'mount -o remount,ro /tmp',
      'for d in /var/tmp /usr/tmp; do [ -d "$d" ] && mount -t tmpfs -o ro tmpfs "$d"; done',
      'cd /tmp/p',
      'TMPDIR=/nonexistent "$2" "$3" run --python "$4" -- prog.py; echo "status $?"',
    ].join('\n');
    const done = spawnSync('unshare', ['-rm', '--propagation', 'private', 'sh', '-c', script, 'sh', fault('session_leader'), process.execPath, path.join('/mnt', path.relative(root, CLI)), PYTHON, root], { timeout: DEADLINE_MS });
    const plain = await run(false, fault('session_leader'), [], env);
    assert.equal(done.stdout.toString(), `${plain.stdout.toString()}status 0\n`, done.stderr.toString());
    const lines = done.stderr.toString().split('\n').filter(Boolean);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /^workerscope: no private temporary directory could be made \(tried .*\/nonexistent .*\): the program runs untraced$/);
  });

  async function signalled(traced: boolean, signal: NodeJS.Signals, handled: boolean): Promise<Outcome & { before: string[] }> {
    const stop = path.join(tmp, 'stop');
    fs.rmSync(stop, { force: true });
    const started = start(traced, fault('signals'), handled ? [stop, signal] : [stop], env, true);
    const before = [await started.line(), await started.line()];
    assert.equal(before[1], 'ready');
    process.kill(started.pid, signal);
    if (handled) {
      before.push(await started.line());
      fs.writeFileSync(stop, '');
    }
    return { ...(await started.done), before };
  }

  test('each signal a shell delivers reaches the program once, and the run ends the way the program did', async () => {
    for (const signal of ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const) {
      for (const handled of [false, true]) {
        if (signal === 'SIGWINCH' && !handled) continue; // ignored by default: nothing would end the program
        const plain = await signalled(false, signal, handled);
        const traced = await signalled(true, signal, handled);
        const what = `${signal}${handled ? ' (handled)' : ''}`;
        assert.deepEqual({ code: traced.code, signal: traced.signal, before: traced.before, stdout: traced.stdout.toString() }, { code: plain.code, signal: plain.signal, before: plain.before, stdout: plain.stdout.toString() }, what);
        if (signal === 'SIGINT' && !handled) assert.match(traced.stderr.toString(), /KeyboardInterrupt\n$/, what);
        else assert.equal(traced.stderr.toString(), plain.stderr.toString(), what);
        noChannelLeft();
      }
    }
  });

  test('keys typed at a terminal (Ctrl-C, Ctrl-\\, Ctrl-Z) reach the program once, not again through the run', async () => {
    const seen: string[] = [];
    for (const traced of [false, true]) {
      const stop = path.join(tmp, `stop-keys-${traced}`);
      const program = [fault('terminal_keys'), stop, 'SIGINT,SIGQUIT,SIGTSTP'];
      const command = traced ? [process.execPath, CLI, 'run', '--python', PYTHON, '--', ...program] : [PYTHON, ...program];
      const done = spawnSync(PYTHON, [fault('pty_driver'), stop, '\\x03,\\x1c,\\x1a', '--', ...command], { env, timeout: DEADLINE_MS + 10_000 });
      const result = JSON.parse(done.stdout.toString()) as { output: string; status: number };
      // The terminal's echo of the keys (^C) lands wherever the timing puts it.
      seen.push(`${(result.output.match(/got [A-Z ]*/g) ?? []).join('|')} status ${result.status}`);
    }
    assert.equal(seen[0], 'got SIGINT SIGQUIT SIGTSTP status 0');
    assert.equal(seen[1], seen[0]);
    noChannelLeft();
  });

  test('a program that dies by SIGUSR1, SIGPIPE or SIGXFSZ makes the run die by it too (no inspector port, no 128+n exit)', async () => {
    const dies = path.join(tmp, 'dies.py');
    fs.writeFileSync(dies, 'import os, signal, sys\nsig = getattr(signal, sys.argv[1])\nsignal.signal(sig, signal.SIG_DFL)\nprint("dying", flush=True)\nos.kill(os.getpid(), sig)\n');
    for (const signal of ['SIGUSR1', 'SIGPIPE', 'SIGXFSZ']) {
      const plain = await run(false, dies, [signal], env);
      const traced = await run(true, dies, [signal], env);
      assert.equal(plain.signal, signal);
      sameOutcome(traced, plain);
      assert.doesNotMatch(traced.stderr.toString(), /Debugger listening/);
    }
  });

  test('SIGTSTP stops the run once the program has stopped, and SIGCONT lets both finish', async (t) => {
    // In a session of its own the run's process group would be orphaned, where SIGTSTP stops
    // nothing; in the runner's terminal's foreground group a SIGTSTP looks like Ctrl-Z, which
    // reached the program already (the terminal test covers that case).
    if (inTerminalForeground()) {
      t.skip('the test runner is a terminal\'s foreground job');
      return;
    }
    if (processGroupOrphaned()) {
      t.skip('an orphaned process group: SIGTSTP stops nothing in it');
      return;
    }
    const stop = path.join(tmp, 'stop-tstp');
    const started = start(true, fault('signals'), [stop], env);
    await started.line();
    await started.line();
    process.kill(started.pid, 'SIGTSTP');
    await until('the run to stop', () => fs.readFileSync(`/proc/${started.pid}/stat`, 'latin1').split(') ')[1]?.startsWith('T'));
    fs.writeFileSync(stop, '');
    process.kill(started.pid, 'SIGCONT');
    const end = await started.done;
    assert.deepEqual({ code: end.code, stdout: end.stdout.toString() }, { code: 0, stdout: 'squares [3, 2, 1, 0, 1, 2]\nready\nend\n' });
    noChannelLeft();
  });

  test('the program keeps the process group and session of a plain run: os.setsid() works', async () => {
    const plain = await run(false, fault('session_leader'), [], env);
    assert.match(plain.stdout.toString(), /main session leader now: True/);
    sameOutcome(await run(true, fault('session_leader'), [], env), plain);
    const runtime = new TraceRuntime();
    let stdout = '';
    runtime.on('output', (stream, text) => {
      if (stream === 'stdout') stdout += text;
    });
    const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
    await runtime.launch({ program: fault('session_leader'), cwd: FAULTS, python: PYTHON, env: { TMPDIR: channels }, stdio: 'pipe' });
    assert.equal((await withDeadline(ended, 'the debug run')).exitCode, 0);
    assert.equal(stdout, plain.stdout.toString());
    noChannelLeft();
  });

  test('Stop ends the whole tree without a process group: workers, a session leader child and its daemon', async () => {
    const runtime = new TraceRuntime();
    let stdout = '';
    runtime.on('output', (stream, text) => {
      if (stream === 'stdout') stdout += text;
    });
    const ended = new Promise<RunEnd>((resolve) => runtime.once('end', resolve));
    await runtime.launch({ program: fault('process_tree'), cwd: FAULTS, python: PYTHON, env: { TMPDIR: channels }, stdio: 'pipe' });
    const line = await until('the tree to be built', () => /^pids .*\n/m.exec(stdout)?.[0]);
    const pids = line.trim().split(' ').slice(1).map(Number);
    assert.equal(pids.length, 5, line);
    assert.ok(pids.every(alive));
    runtime.terminate();
    await withDeadline(ended, 'the run to end after Stop');
    await until('every process of the tree to be gone', () => pids.every((pid) => !alive(pid)));
    noChannelLeft();
  });

  test('a bare os.fork() child is traced: an uncaught exception, or one os._exit() silenced, is a failure of that process', async () => {
    const plain = await run(false, fault('bare_fork'), [], env);
    const reportFile = path.join(tmp, 'bare-fork.json');
    const started = spawn(process.execPath, [CLI, 'run', '--python', PYTHON, '--report', reportFile, '--', fault('bare_fork')], { cwd: FAULTS, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    started.stdout.on('data', (c: Buffer) => out.push(c));
    started.stderr.on('data', (c: Buffer) => err.push(c));
    const code = await withDeadline(new Promise<number | null>((resolve) => started.once('close', resolve)), 'the traced bare fork');
    sameOutcome({ stdout: Buffer.concat(out), stderr: programStderr(Buffer.concat(err)), code, signal: null }, plain);
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { processes: Array<{ name: string; exitCode: number }>; failures: Array<{ kind: string; exception?: { message: string }; exitCode?: number }> };
    assert.deepEqual(report.processes.filter((p) => p.name === 'os.fork()').map((p) => p.exitCode).sort(), [0, 0, 1, 3]);
    // os._exit(3) gives the parent a status; it is no failure.
    assert.deepEqual(report.failures.map((f) => `${f.kind} ${f.exception?.message}`).sort(), ['exception bad shard 1', 'exception bad shard 3']);
    noChannelLeft();
  });

  test('50 MB of stdout pass through unchanged', async () => {
    const plain = await run(false, fault('big_stdout'), [], env);
    const traced = await run(true, fault('big_stdout'), [], env);
    assert.ok(plain.stdout.length >= 50 * 1024 * 1024);
    const digest = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');
    assert.equal(digest(traced.stdout), digest(plain.stdout));
    assert.equal(traced.stderr.toString(), plain.stderr.toString());
    assert.equal(traced.code, plain.code);
  });

  test('stdin passes through, line by line as the program answers, then in bulk', async () => {
    const bulk = Buffer.alloc(1 << 20, 'abc\x00\xff');
    const results: string[] = [];
    for (const traced of [false, true]) {
      const started = start(traced, fault('stdin_echo'), [], env);
      let answers = '';
      for (const word of ['alpha', 'beta']) {
        started.write(`${word}\n`);
        answers += `${await started.line()}\n`;
      }
      started.end(Buffer.concat([Buffer.from('quit\n'), bulk]));
      const end = await started.done;
      results.push(`${answers}|${end.stdout.toString()}|${end.code}`);
    }
    assert.equal(results[1], results[0]);
    assert.match(results[0], /^echo ahpla\necho ateb\n\|.*rest 1048576 /s);
  });

  test('a program in a directory with spaces and non-ASCII characters runs the same, its channel there too', async () => {
    const where = path.join(tmp, 'dir with spaces', 'ünï');
    const otherChannels = path.join(tmp, 'tmp with spaces', 'ünï');
    fs.mkdirSync(where, { recursive: true });
    fs.mkdirSync(otherChannels, { recursive: true });
    const hostileEnv = { ...env, TMPDIR: otherChannels };
    for (const name of ['bare_fork', 'closed_descriptors']) fs.copyFileSync(fault(name), path.join(where, `${name}.py`));
    sameOutcome(await run(true, path.join(where, 'bare_fork.py'), [], hostileEnv), await run(false, path.join(where, 'bare_fork.py'), [], hostileEnv));
    const files: string[][] = [];
    const outcomes: Outcome[] = [];
    for (const traced of [false, true]) {
      const file = path.join(where, `out ${traced} ü.txt`);
      outcomes.push(await run(traced, path.join(where, 'closed_descriptors.py'), [file, 'spawn'], hostileEnv));
      files.push(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).sort());
    }
    sameOutcome(outcomes[1], outcomes[0]);
    assert.deepEqual(files[1], files[0]);
    noChannelLeft(otherChannels);
  });
});

/**
 * True when no member of this process group has its parent in another group of the same session
 * (tests started by a background job whose shell has left): the kernel discards SIGTSTP there.
 */
function processGroupOrphaned(): boolean {
  const stat = (pid: number): [number, number, number] => {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), Number(fields[2]), Number(fields[3])]; // ppid, pgrp, session
  };
  let group: number;
  let session: number;
  try {
    [, group, session] = stat(process.pid);
  } catch {
    return false;
  }
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const [ppid, memberGroup] = stat(Number(name));
      if (memberGroup !== group) continue;
      const [, parentGroup, parentSession] = stat(ppid);
      if (parentGroup !== group && parentSession === session) return false;
    } catch {
      continue;
    }
  }
  return true;
}
