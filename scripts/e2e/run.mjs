// `npm run test:e2e`: installs the tools (idempotent, cached outside the repository), packages the
// .vsix, then runs each scenario against a fresh code-server + Chromium and saves a screenshot per
// scenario under out/e2e/screenshots. Closes with "e2e: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCENARIOS } from './scenarios.mjs';

const only = process.argv.slice(2);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const vsix = path.resolve(`workerscope-${pkg.version}.vsix`);

function must(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`e2e: "${cmd} ${args.join(' ')}" failed`);
    process.exit(1);
  }
}

if (!process.env.WORKERSCOPE_E2E_SKIP_SETUP) {
  must('bash', ['scripts/e2e/install.sh']);
  must('npm', ['run', 'package']);
}

let passed = 0;
let failed = 0;
for (const scenario of SCENARIOS) {
  if (only.length > 0 && !only.some((o) => scenario.name.includes(o))) continue;
  const started = Date.now();
  process.stdout.write(`e2e: ${scenario.name} ... `);
  try {
    await scenario.run({ vsix, workspaceSource: path.resolve('test-fixtures/workspace') });
    passed++;
    console.log(`ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed++;
    console.log(`FAILED (${((Date.now() - started) / 1000).toFixed(1)} s)\n${error.stack ?? error}`);
  }
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
