// `npm run demo` (after packaging): runs the checker over the sample workspace and a crashing
// program under the tracer, the two halves of the product, and reports the packaged .vsix.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const workspace = 'test-fixtures/workspace';
let ok = true;

function step(title, args, expectStatus) {
  console.log(`\n$ workerscope ${args.join(' ')}`);
  const result = spawnSync(process.execPath, ['dist/cli.js', ...args], { stdio: 'inherit' });
  const good = expectStatus(result.status);
  if (!good) {
    ok = false;
    console.error(`demo: ${title} exited ${result.status ?? result.signal}, which was not expected`);
  }
}

step('check', ['check', workspace], (s) => s === 1);

mkdirSync('out', { recursive: true });
const report = path.join('out', 'demo-report.json');
step('run', ['run', '--report', report, '--', path.join(workspace, 'crashing_pool.py')], (s) => s !== 0 && s !== null);
try {
  const failures = JSON.parse(readFileSync(report, 'utf8')).failures ?? [];
  console.log(`\ntrace report ${report}: ${failures.length} failure(s): ${failures.map((f) => `${f.kind} ${f.exception?.type ?? ''}`.trim()).join(', ')}`);
  if (!failures.some((f) => f.kind === 'exception')) {
    ok = false;
    console.error('demo: the report does not name the failing task');
  }
} catch (error) {
  ok = false;
  console.error(`demo: no readable report: ${error.message}`);
}

const vsix = `workerscope-${pkg.version}.vsix`;
try {
  console.log(`\npackaged ${vsix}: ${(statSync(vsix).size / 1024).toFixed(0)} KiB — install with: code --install-extension ${vsix}`);
} catch {
  ok = false;
  console.error(`demo: ${vsix} is missing (run npm run package)`);
}
console.log(ok ? '\ndemo: OK' : '\ndemo: FAILED');
process.exit(ok ? 0 : 1);
