// `npm run fuzz -- --minutes N [--seed S] [--target NAME]... [--no-build]`: builds the server and the
// fuzz targets, then runs every module in out/scripts/fuzz/ for a share of N minutes. On failure it
// prints the seed and a minimised reproduction and exits 1.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
let minutes = 5;
let seed = Math.floor(Math.random() * 0x7fffffff);
let build = true;
const only = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  const value = () => {
    if (i + 1 >= argv.length) usage(`${arg} needs a value`);
    return argv[++i];
  };
  if (arg === '--minutes') minutes = Number(value());
  else if (arg === '--seed') seed = Number(value());
  else if (arg === '--target') only.push(value());
  else if (arg === '--no-build') build = false;
  else usage(`unknown argument ${arg}`);
}
if (!(minutes > 0) || !Number.isInteger(seed)) usage('--minutes needs a positive number and --seed an integer');

function usage(message) {
  console.error(`fuzz: ${message}\nUsage: npm run fuzz -- --minutes N [--seed S] [--target NAME]... [--no-build]`);
  process.exit(2);
}

if (build) {
  for (const [cmd, args] of [['node', ['esbuild.mjs']], ['npx', ['tsc', '-p', 'tsconfig.test.json']]]) {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

const { runAll } = require('../out/scripts/fuzz/lib/runAll.js');
console.log(`fuzz: seed ${seed}, ${minutes} minute(s)`);
const results = await runAll({ seed, budgetMs: minutes * 60_000, log: (s) => console.log(s), ...(only.length > 0 ? { only } : {}) });
const failures = results.flatMap((r) => r.failures.map((f) => `[${r.name}] ${f}`));
for (const f of failures) console.error(`\nFAILURE ${f}`);
console.log(`\nfuzz: ${results.map((r) => `${r.name} ${r.iterations} iterations`).join(', ')}; ${failures.length} failure(s); replay with --seed ${seed}`);
process.exit(failures.length > 0 ? 1 : 0);
