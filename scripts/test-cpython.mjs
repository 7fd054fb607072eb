// `npm run test:cpython`: CPython's own multiprocessing and concurrent.futures test suites run
// under the tracer (`workerscope run -- -m test …`) must pass unchanged, environment checks
// included (`--fail-env-changed`: no process, thread or file left behind that a plain run
// would not leave). Usage: npm run test:cpython [-- [--python PATH] [--plain] [suite…]]
// (default suites: test_multiprocessing_fork test_concurrent_futures; default interpreter: the
// newest pyenv CPython 3.13, else WORKERSCOPE_CPYTHON). Prints one line per suite and a
// closing "cpython suites: N passed, N failed".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SUITE_TIMEOUT_MS = 30 * 60 * 1000;
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 && args.splice(i, 1).length === 1;
};

function newestPyenv313() {
  const root = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'versions');
  if (!existsSync(root)) return undefined;
  const found = readdirSync(root).filter((v) => /^3\.13\.\d+$/.test(v)).sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  const bin = found.length ? path.join(root, found[found.length - 1], 'bin', 'python') : undefined;
  return bin && existsSync(bin) ? bin : undefined;
}

const python = option('--python') ?? process.env.WORKERSCOPE_CPYTHON ?? newestPyenv313();
const alsoPlain = flag('--plain');
const suites = args.length ? args : ['test_multiprocessing_fork', 'test_concurrent_futures'];
// Without an interpreter that has its test package there is nothing to run: said, not failed.
const missing = !python
  ? 'no CPython 3.13 found (pyenv): set WORKERSCOPE_CPYTHON or pass --python PATH'
  : spawnSync(python, ['-c', 'import test.support'], { stdio: 'ignore' }).status !== 0
    ? `${python} has no test package (python -m test)`
    : undefined;
if (missing) {
  console.log(`cpython suites: skipped (${missing})`);
  process.exit(0);
}
const version = spawnSync(python, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).stdout.trim();
// Tests that hang on this interpreter without the tracer, by a CPython bug fixed in a later
// release: a hang ends the whole suite at --timeout (-w cannot re-run it), so they are left out,
// by name, only on the releases that have the bug.
// gh-125451: ProcessPoolExecutor's manager thread holds the shutdown lock while joining the
// queue feeder thread, which needs that lock to report a task that failed to pickle; fixed in
// 3.12.8 and 3.13.1. On 3.13.0 a plain loop of test_shutdown_deadlock_pickle's steps hangs
// within 300 iterations (gh-110337 is the same hang on CPython's own buildbots).
const KNOWN_UPSTREAM_HANGS = [
  { test: 'test_shutdown_deadlock_pickle', affected: (v) => (v[0] === 3 && v[1] === 13 && v[2] < 1) || (v[0] === 3 && v[1] === 12 && v[2] < 8) },
];
const parsedVersion = version.split('.').map((n) => Number.parseInt(n, 10));
const leftOut = KNOWN_UPSTREAM_HANGS.filter((h) => h.affected(parsedVersion)).map((h) => h.test);
const cli = path.resolve('dist', 'cli.js');
if (!existsSync(cli)) spawnSync('node', ['esbuild.mjs'], { stdio: 'inherit' });

/** Runs a command with its output passed through; resolves with [exit status, seconds]. */
function run(cmd, argv, cwd) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), SUITE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve([code ?? `signal ${signal}`, Math.round((Date.now() - started) / 1000)]);
    });
  });
}

const results = [];
for (const suite of suites) {
  // Each suite in a fresh working directory: the suites write temporary files beside them.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'workerscope-cpython-'));
  // -w re-runs a failed test once, as CPython's own CI does: a timing flake on a loaded
  // machine passes the second time, a failure the tracer causes does not.
  const testArgs = ['-m', 'test', suite, '--fail-env-changed', '-w', '--timeout', '1200', ...leftOut.flatMap((t) => ['-i', t])];
  try {
    if (alsoPlain) {
      console.log(`\n== ${suite}, plain`);
      const [code, seconds] = await run(python, testArgs, cwd);
      results.push({ suite: `${suite} (plain)`, ok: code === 0, code, seconds });
    }
    console.log(`\n== ${suite}, under the tracer`);
    const report = path.join(cwd, 'report.json');
    const [code, seconds] = await run('node', [cli, 'run', '--report', report, '--python', python, '--', ...testArgs], cwd);
    results.push({ suite, ok: code === 0, code, seconds });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

console.log(`\nCPython ${version} (${python})`);
if (leftOut.length) console.log(`  left out (hang without the tracer on ${version}, CPython bug): ${leftOut.join(', ')}`);
for (const r of results) console.log(`  ${r.suite}: ${r.ok ? 'passed' : `FAILED (exit ${r.code})`} in ${r.seconds}s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`cpython suites: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
