/**
 * Fuzz target: the language server through LSP. Rule fixtures are mutated into opened documents,
 * then edited in bursts of whole-document and range changes (end-first, past the end, splitting CR
 * LF pairs and surrogate pairs); the server must stay up, answer within a deadline, never publish
 * a version older than one it has received, and end with the diagnostics of a fresh open.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../server/test/lsp/lspClient';
import { finalText, replay, runCase, startServer, type Change, type FuzzCase } from './lib/lspSession';
import { lineStarts } from './lib/lspText';
import { minimiseCase } from './lib/minimise';
import { mutate, randomInsert } from './lib/mutate';
import { Random } from './lib/random';

export interface FuzzOptions {
  seed: number;
  deadline: number;
  log: (s: string) => void;
}

export interface FuzzResult {
  iterations: number;
  failures: string[];
}

function loadSeeds(): string[] {
  const dir = path.join(REPO_ROOT, 'test-fixtures', 'rules');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

function randomChange(random: Random, text: string, seeds: readonly string[]): Change {
  if (random.chance(0.1)) return { text: mutate(text, random, seeds) };
  const lines = lineStarts(text).length;
  const position = (): { line: number; character: number } => ({
    // Mostly inside the text; sometimes past the last line or a line's end.
    line: random.chance(0.9) ? random.int(lines) : lines + random.int(5),
    character: random.chance(0.8) ? random.int(40) : random.int(400),
  });
  let start = position();
  let end = random.chance(0.5) ? { ...start } : { line: start.line + random.int(4), character: random.int(40) };
  if (random.chance(0.25)) [start, end] = [end, start]; // End-first, as some clients send.
  const insert = random.chance(0.3) ? '' : randomInsert(random, seeds);
  return { range: { start, end }, text: insert };
}

export function generateCase(random: Random, seeds: readonly string[]): FuzzCase {
  const open = random.chance(0.8) ? mutate(random.pick(seeds), random, seeds) : random.pick(seeds);
  const c: FuzzCase = { open, bursts: [] };
  let text = open;
  for (let b = random.int(4) + 1; b > 0; b--) {
    const burst: Change[] = [];
    for (let k = random.int(6) + 1; k > 0; k--) {
      const change = randomChange(random, text, seeds);
      burst.push(change);
      text = finalText({ open: text, bursts: [[change]] });
    }
    c.bursts.push(burst);
  }
  return c;
}

export async function run(opts: FuzzOptions): Promise<FuzzResult> {
  const seeds = loadSeeds();
  const random = new Random(opts.seed);
  const failures: string[] = [];
  let client = await startServer();
  let iterations = 0;
  try {
    while (Date.now() < opts.deadline && failures.length < 3) {
      const caseSeed = random.seed();
      const c = generateCase(new Random(caseSeed), seeds);
      const failure = await runCase(client, `file:///tmp/workerscope-fuzz/case-${iterations}.py`, c);
      iterations++;
      if (!failure) continue;
      failures.push(await report(opts, caseSeed, c, failure));
      // Whatever state the server is in, the next case gets a fresh one.
      client.process.kill('SIGKILL');
      client = await startServer();
    }
  } finally {
    client.process.kill('SIGKILL');
  }
  return { iterations, failures };
}

/** Minimises the case on fresh servers, writes it to a JSON file and describes how to replay it. */
async function report(opts: FuzzOptions, caseSeed: number, c: FuzzCase, failure: string): Promise<string> {
  opts.log(`lsp: case seed ${caseSeed} (run seed ${opts.seed}) failed: ${failure.split('\n')[0]}; minimising`);
  const minimal = await minimiseCase(c, async (candidate) => (await replay(candidate)) !== undefined, Math.min(opts.deadline + 30_000, Date.now() + 90_000));
  const file = path.join(os.tmpdir(), `workerscope-fuzz-lsp-${caseSeed}.json`);
  fs.writeFileSync(file, `${JSON.stringify(minimal, null, 2)}\n`);
  const again = (await replay(minimal)) ?? failure;
  return `lsp (run seed ${opts.seed}, case seed ${caseSeed}): ${again}\nminimised reproduction (open text + bursts of didChange): ${file}\n${JSON.stringify(minimal).slice(0, 4000)}`;
}
