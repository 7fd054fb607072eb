/**
 * What the runtime asks the client's terminal to run (`console`): the launcher's command line and
 * the environment changes that make the terminal's program see what a piped one would.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launcherArgs, resolveInterpreter, terminalEnv, TERMINAL_CHANNEL_VARIABLE } from '../src/terminalLaunch';

test('the terminal gets the program environment\'s changes, the channel under the launcher\'s name, and removals as null', () => {
  const base = { PATH: '/usr/bin', HOME: '/home/u', WORKERSCOPE_PAUSE: '1', LANG: 'C' };
  const programEnv = { PATH: '/usr/bin', HOME: '/home/u', LANG: 'C', PYTHONPATH: '/ext/bootstrap', WORKERSCOPE_CHANNEL: '/tmp/workerscope-x', WORKERSCOPE_LAUNCHER: '42', WORKERSCOPE_BREAKPOINTS: '1' };
  assert.deepEqual(terminalEnv(programEnv, { LANG: 'C' }, base), {
    LANG: 'C', // named by the launch: always passed, the terminal's own may differ
    PYTHONPATH: '/ext/bootstrap',
    WORKERSCOPE_BREAKPOINTS: '1',
    [TERMINAL_CHANNEL_VARIABLE]: '/tmp/workerscope-x',
    WORKERSCOPE_PAUSE: null,
  });
  // A channel of an outer run in our own environment must not reach the launcher.
  assert.equal(terminalEnv(programEnv, undefined, { ...base, WORKERSCOPE_CHANNEL: '/tmp/outer' }).WORKERSCOPE_CHANNEL, null);
});

test('the launcher runs the program with the interpreter found on PATH here', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-which-'));
  try {
    const python = path.join(dir, 'pythonX');
    fs.writeFileSync(python, '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'not-executable'), '', { mode: 0o644 });
    assert.equal(resolveInterpreter('pythonX', { PATH: `/nonexistent${path.delimiter}${dir}` }, '/'), python);
    assert.equal(resolveInterpreter('not-executable', { PATH: dir }, '/'), 'not-executable');
    assert.equal(resolveInterpreter('./venv/bin/python', {}, '/work'), '/work/venv/bin/python');
    const args = launcherArgs(python, '/w/main.py', ['a b', '--x']);
    assert.deepEqual([args[0], args[1], args.slice(3)], [python, '-S', ['--', python, '/w/main.py', 'a b', '--x']]);
    assert.ok(fs.existsSync(args[2]) && args[2].endsWith(path.join('workerscope_tracer', 'tools', 'terminal.py')), args[2]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
