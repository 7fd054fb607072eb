// `npm test`: type-checks, lints, builds, then runs every test suite (Node unit and integration
// tests, the Python tracer's unittest suite on each available CPython, grammar tests) and prints
// one closing line "tests: N passed, N failed". Set WORKERSCOPE_TEST_ONLY=node|python|grammar|cpython to run one part.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const only = process.env.WORKERSCOPE_TEST_ONLY;
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(name, cmd, args, { parse, env } = {}) {
  process.stdout.write(`\n== ${name}\n`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: parse ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  if (parse) {
    process.stdout.write(result.stdout?.toString() ?? '');
    process.stderr.write(result.stderr?.toString() ?? '');
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  const counts = parse ? parse(`${result.stdout ?? ''}\n${result.stderr ?? ''}`) : { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
  if (!ok && counts.failed === 0) counts.failed = 1; // A crashed runner counts as a failure even if it reported none.
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  if (!ok) failures.push(name);
  process.stdout.write(`-- ${name}: ${ok ? 'ok' : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds}s\n`);
  return ok;
}

function parseNodeTap(text) {
  const pick = (key) => Number(text.match(new RegExp(`^(?:# |ℹ )${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  return { passed: pick('pass'), failed: pick('fail') + pick('cancelled'), skipped: pick('skipped') + pick('todo') };
}

// run_all_pythons.sh prints "3.11.7: OK (Ran 71 tests in 33.6s, 34s)" per version, followed by
// indented "FAIL: …"/"ERROR: …" lines when a version failed.
function parseUnittest(text) {
  let passed = 0, failed = 0;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = /^\S+: (OK|FAILED) \(Ran (\d+) tests?/.exec(line);
    if (!m) return;
    let bad = 0;
    for (let j = i + 1; j < lines.length && /^\s+(FAIL|ERROR):/.test(lines[j]); j++) bad++;
    if (m[1] === 'FAILED' && bad === 0) bad = 1;
    failed += bad;
    passed += Number(m[2]) - bad;
  });
  return { passed, failed, skipped: 0 };
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...testFiles(full));
    else if (entry.endsWith('.test.js')) found.push(full);
  }
  return found;
}

if (!only || only === 'node') {
  run('type-check (tsc --noEmit)', 'npx', ['tsc', '-p', '.', '--noEmit']);
  run('lint (eslint)', 'npx', ['eslint', '.']);
  run('build (esbuild)', 'node', ['esbuild.mjs']);
  rmSync('out', { recursive: true, force: true });
  if (run('compile tests (tsc)', 'npx', ['tsc', '-p', 'tsconfig.test.json'])) {
    const files = ['server', 'client', 'runtime', 'debug-adapter', 'scripts'].flatMap((d) => testFiles(path.join('out', d, 'test')));
    run(`node tests (${files.length} files)`, 'node', ['--test', '--test-concurrency=1', ...files], { parse: parseNodeTap });
  }
}

if (!only || only === 'grammar') {
  const grammarTests = existsSync('syntaxes/tests') ? readdirSync('syntaxes/tests').filter((f) => !f.startsWith('.')) : [];
  if (grammarTests.length > 0) {
    run('grammar tests (vscode-tmgrammar-test)', 'npx', ['vscode-tmgrammar-test', '-g', 'syntaxes/workerscope-trace.tmLanguage.json', ...grammarTests.map((f) => `syntaxes/tests/${f}`)]);
  }
}

if (!only || only === 'python') {
  const runner = 'debug-adapter/python/run_all_pythons.sh';
  if (existsSync(runner)) run('Python tracer tests (every CPython 3.8-3.13 found)', 'bash', [runner], { parse: parseUnittest });
}

if (!only || only === 'cpython') {
  // CPython's own suites under the tracer (skipped with a line when no pyenv 3.13 is found).
  run('CPython test_multiprocessing_fork and test_concurrent_futures under the tracer', 'node', ['scripts/test-cpython.mjs'], {
    parse: (text) => {
      const m = /^cpython suites: (\d+) passed, (\d+) failed$/m.exec(text);
      return m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: 0 } : { passed: 0, failed: 0, skipped: 1 };
    },
  });
}

console.log(`\nfailed steps: ${failures.length > 0 ? failures.join('; ') : 'none'}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failures.length > 0 ? 1 : 0);
