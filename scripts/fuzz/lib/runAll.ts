/**
 * Runs every fuzz target module in out/scripts/fuzz/ (each exports `run(opts)`), sharing the time
 * budget between them, and collects their failures. Used by `npm run fuzz` and by the bounded run
 * in `npm test`; a target added to scripts/fuzz/ is picked up without being listed anywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TargetResult {
  name: string;
  iterations: number;
  failures: string[];
  seconds: number;
}

interface TargetModule {
  run(opts: { seed: number; deadline: number; log: (s: string) => void }): Promise<{ iterations: number; failures: string[] }>;
}

export const TARGET_DIR = path.resolve(__dirname, '..');

export function targetNames(dir = TARGET_DIR): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
}

/** Runs each target for an equal share of the time left, all with `seed`. */
export async function runAll(opts: { seed: number; budgetMs: number; log: (s: string) => void; only?: readonly string[] }): Promise<TargetResult[]> {
  const names = targetNames().filter((n) => !opts.only || opts.only.includes(n));
  const end = Date.now() + opts.budgetMs;
  const results: TargetResult[] = [];
  for (const [i, name] of names.entries()) {
    const started = Date.now();
    const deadline = started + Math.max(1000, (end - started) / (names.length - i));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const target = require(path.join(TARGET_DIR, `${name}.js`)) as Partial<TargetModule>;
    if (typeof target.run !== 'function') continue;
    opts.log(`fuzz ${name}: seed ${opts.seed}, ${((deadline - started) / 1000).toFixed(0)} s`);
    let result: { iterations: number; failures: string[] };
    try {
      result = await target.run({ seed: opts.seed, deadline, log: (s) => opts.log(`  ${s}`) });
    } catch (error) {
      result = { iterations: 0, failures: [`${name} threw: ${error instanceof Error ? error.stack : String(error)}`] };
    }
    const seconds = (Date.now() - started) / 1000;
    opts.log(`fuzz ${name}: ${result.iterations} iterations in ${seconds.toFixed(1)} s, ${result.failures.length} failure(s)`);
    results.push({ name, ...result, seconds });
  }
  return results;
}
