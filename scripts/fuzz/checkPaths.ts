/**
 * Fuzz target: `workerscope check` (the built CLI, in a child process with a deadline) on random
 * trees of hostile paths — FIFOs, devices, symbolic link loops and dangling links, unreadable
 * directories and files, binary, undecodable and huge files, names with spaces, quotes, newlines
 * and non-ASCII — mixed with rule fixtures whose findings are known. Checks the exit status, that
 * every unreadable or refused path is named on stderr, and that every readable fixture's findings
 * are reported, once, under the name it was reached by.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzePythonSource } from '../../server/src/analysis';
import { REPO_ROOT } from '../../server/test/lsp/lspClient';
import { Random } from './lib/random';

export interface FuzzOptions {
  seed: number;
  deadline: number;
  log: (s: string) => void;
}

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const RUN_DEADLINE_MS = 60_000;
// Root reads everything: the CLI then runs as `nobody` so that permissions are real.
const AS_ROOT = process.getuid?.() === 0;
const NAMES = ['with space.py', 'ünïcödé.py', '日本語 ファイル.py', '-starts-with-dash.py', "quo'te\".py", 'new\nline.py', 'tab\there.py', 'emoji😀.py', 'plain.py'];

interface Fixture {
  text: string;
  /** `rule@line:column` of each finding, as the CLI's JSON gives them (1-based). */
  findings: string[];
}

interface Expectation {
  /** Paths (relative to the tree) that must be reported on stderr with exit 2. */
  unreadable: string[];
  /** Paths that must be reported as skipped (no exit 2 for them). */
  skipped: string[];
  /** Relative path -> finding keys the JSON must list for it. */
  findings: Map<string, string[]>;
}

async function loadFixtures(): Promise<Fixture[]> {
  const dir = path.join(REPO_ROOT, 'test-fixtures', 'rules');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.py') && !f.includes('.fixed.')).sort();
  return Promise.all(files.map(async (f) => {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const findings = (await analyzePythonSource(text, { file: f })).map((x) => `${x.rule}@${x.range.start.line + 1}:${x.range.start.character + 1}`);
    return { text, findings };
  }));
}

/** One hostile entry: creates itself under `root` and records what `check` must make of it. */
type Entry = (root: string, random: Random, fixtures: readonly Fixture[], expect: Expectation) => void;

function addGood(rel: string, fixture: Fixture, root: string, expect: Expectation): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(root, rel), fixture.text, { mode: 0o644 });
  if (fixture.findings.length > 0) expect.findings.set(rel, fixture.findings);
}

/** What each entry of ENTRIES makes, for reproductions. */
const ENTRY_NAMES = ['fixture under an odd name', 'binary file', 'latin-1 file without cookie', 'huge file (sometimes)', 'FIFO with a Python name', 'FIFO without one', 'link to /dev/zero', 'directory link back to the root', 'link to itself', 'dangling link', 'unreadable directory', 'unreadable file', 'link to a file or directory outside'];

const ENTRIES: Entry[] = [
  (root, random, fixtures, expect) => addGood(`${random.pick(['', 'sub/', 'a b/c d/', 'ñ/'])}${random.pick(NAMES)}`, random.pick(fixtures), root, expect),
  (root, random, _fixtures, expect) => {
    const rel = `binary-${random.int(1000)}.py`;
    fs.writeFileSync(path.join(root, rel), Buffer.concat([Buffer.from('import multiprocessing\n'), Buffer.from([0, 1, 2, 0xff, 0])]), { mode: 0o644 });
    expect.skipped.push(rel);
  },
  (root, random, _fixtures, expect) => {
    const rel = `latin-${random.int(1000)}.py`;
    fs.writeFileSync(path.join(root, rel), Buffer.from('import multiprocessing\ns = "caf\xe9"\n', 'latin1'), { mode: 0o644 });
    expect.skipped.push(rel);
  },
  (root, random, _fixtures, expect) => {
    if (!random.chance(0.2)) return; // Writing many megabytes each time would slow the whole run down.
    const rel = 'huge.py';
    const size = random.chance(0.5) ? 13 << 20 : 5 << 20; // Refused before reading, or after decoding.
    fs.writeFileSync(path.join(root, rel), `import multiprocessing\n${'x = 1\n'.repeat(Math.ceil(size / 6))}`, { mode: 0o644 });
    expect.skipped.push(rel);
  },
  (root, random, _fixtures, expect) => {
    const rel = `fifo ${random.int(1000)}.py`;
    if (spawnSync('mkfifo', ['-m', '644', path.join(root, rel)]).status === 0) expect.unreadable.push(rel);
  },
  (root) => {
    spawnSync('mkfifo', ['-m', '644', path.join(root, 'not-python-fifo')]); // Never opened: not a Python name.
  },
  (root, _random, _fixtures, expect) => {
    fs.symlinkSync('/dev/zero', path.join(root, 'zero.py'));
    expect.unreadable.push('zero.py');
  },
  (root, random) => {
    const dir = path.join(root, `loop${random.int(100)}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.symlinkSync(root, path.join(dir, 'up')); // A cycle back to the root: followed once, no error.
  },
  (root, _random, _fixtures, expect) => {
    fs.symlinkSync('self-loop.py', path.join(root, 'self-loop.py'));
    expect.unreadable.push('self-loop.py');
  },
  (root, random, _fixtures, expect) => {
    const rel = `dangling${random.int(100)}.py`;
    fs.symlinkSync(path.join(root, 'no-such-target.py'), path.join(root, rel));
    expect.unreadable.push(rel);
  },
  (root, random, fixtures, expect) => {
    const rel = `locked dir ${random.int(100)}`;
    addGood(`${rel}/hidden.py`, random.pick(fixtures), root, { ...expect, findings: new Map() });
    fs.chmodSync(path.join(root, rel), 0o000);
    expect.unreadable.push(rel);
  },
  (root, random, fixtures, expect) => {
    const rel = `locked-${random.int(100)}.py`;
    fs.writeFileSync(path.join(root, rel), random.pick(fixtures).text, { mode: 0o000 });
    expect.unreadable.push(rel);
  },
  (root, random, fixtures, expect) => {
    // A link to a fixture outside the tree, and to a directory outside it: reported under the link.
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-fuzz-outside-'));
    fs.chmodSync(outside, 0o755);
    const fixture = random.pick(fixtures);
    fs.writeFileSync(path.join(outside, 'target.py'), fixture.text, { mode: 0o644 });
    const link = random.chance(0.5) ? 'linked file.py' : 'linked dir';
    fs.symlinkSync(link.endsWith('.py') ? path.join(outside, 'target.py') : outside, path.join(root, link));
    if (fixture.findings.length > 0) expect.findings.set(link.endsWith('.py') ? link : `${link}/target.py`, fixture.findings);
    cleanups.push(outside);
  },
];

const cleanups: string[] = [];

function removeTree(dir: string): void {
  spawnSync('chmod', ['-R', 'u+rwx', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
}

function runCli(args: string[], cwd: string): Promise<{ status: number | null; out: string; err: string } | string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'check', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(AS_ROOT ? { uid: 65534, gid: 65534 } : {}) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`check did not end within ${RUN_DEADLINE_MS} ms (stderr so far: ${err.slice(0, 1000)})`);
    }, RUN_DEADLINE_MS);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out, err });
    });
  });
}

/** One tree: which entries (each with a seed of its own, so that any subset rebuilds the same way) and how check is called. */
interface TreeCase {
  entries: Array<{ kind: number; seed: number }>;
  relative: boolean;
  separator: boolean;
}

function generate(random: Random): TreeCase {
  const entries = Array.from({ length: random.int(6) + 2 }, () => ({ kind: random.int(ENTRIES.length), seed: random.seed() }));
  return { entries, relative: random.chance(0.5), separator: random.chance(0.5) };
}

/** Builds the tree, runs check on it and returns what went wrong (empty when nothing did). */
async function runTree(c: TreeCase, fixtures: readonly Fixture[]): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-fuzz-tree-'));
  fs.chmodSync(root, 0o755);
  const expect: Expectation = { unreadable: [], skipped: [], findings: new Map() };
  try {
    for (const { kind, seed } of c.entries) {
      try {
        ENTRIES[kind]!(root, new Random(seed), fixtures, expect);
      } catch (error) {
        // A name already taken in this tree: the entry is left out.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const args = ['--format', 'json', ...(c.separator ? ['--'] : []), c.relative ? '.' : root];
    const run = await runCli(args, root);
    if (typeof run === 'string') return [run];
    return judge(run, expect, root, c.relative);
  } finally {
    removeTree(root);
    for (const dir of cleanups.splice(0)) removeTree(dir);
  }
}

/** Drops entries one at a time while the tree still fails, within the deadline. */
async function minimiseTree(c: TreeCase, fixtures: readonly Fixture[], deadline: number): Promise<TreeCase> {
  let best = c;
  for (let i = best.entries.length - 1; i >= 0 && Date.now() < deadline; i--) {
    const candidate = { ...best, entries: best.entries.filter((_, j) => j !== i) };
    if ((await runTree(candidate, fixtures)).length > 0) best = candidate;
  }
  return best;
}

function describeTree(c: TreeCase): string {
  return JSON.stringify({ ...c, entries: c.entries.map((e) => ({ ...e, what: ENTRY_NAMES[e.kind] })) });
}

function judge(run: { status: number | null; out: string; err: string }, expect: Expectation, root: string, relative: boolean): string[] {
  const problems: string[] = [];
  const wantStatus = expect.unreadable.length > 0 ? 2 : expect.findings.size > 0 ? 1 : 0;
  if (run.status !== wantStatus) problems.push(`exit status ${run.status}, expected ${wantStatus}`);
  const shown = (rel: string): string => (relative ? rel : path.join(root, rel));
  for (const rel of expect.unreadable) if (!run.err.includes(`cannot read ${shown(rel)}`)) problems.push(`stderr does not report ${JSON.stringify(rel)} as unreadable`);
  for (const rel of expect.skipped) if (!run.err.includes(`skipped ${shown(rel)}`)) problems.push(`stderr does not report ${JSON.stringify(rel)} as skipped`);
  let reported: Array<{ file: string; rule: string; line: number; column: number }>;
  try {
    reported = JSON.parse(run.out);
  } catch {
    return [...problems, `stdout is not JSON: ${run.out.slice(0, 200)}`];
  }
  const got = new Map<string, string[]>();
  for (const f of reported) {
    const rel = path.relative(root, path.resolve(root, f.file));
    got.set(rel, [...(got.get(rel) ?? []), `${f.rule}@${f.line}:${f.column}`]);
  }
  const norm = (m: Map<string, string[]>): string => JSON.stringify([...m].map(([k, v]) => [k, [...v].sort()]).sort());
  if (norm(got) !== norm(expect.findings)) problems.push(`findings differ:\n  got      ${norm(got).slice(0, 1500)}\n  expected ${norm(expect.findings).slice(0, 1500)}`);
  if (problems.length > 0) problems.push(`stderr: ${run.err.slice(0, 1500)}`);
  return problems;
}

export async function run(opts: FuzzOptions): Promise<{ iterations: number; failures: string[] }> {
  if (!fs.existsSync(CLI)) return { iterations: 0, failures: [`${CLI} is missing: build first (node esbuild.mjs)`] };
  const fixtures = await loadFixtures();
  const random = new Random(opts.seed);
  const failures: string[] = [];
  let iterations = 0;
  while (Date.now() < opts.deadline && failures.length < 3) {
    const caseSeed = random.seed();
    const c = generate(new Random(caseSeed));
    const problems = await runTree(c, fixtures);
    iterations++;
    if (problems.length === 0) continue;
    opts.log(`checkPaths: case seed ${caseSeed} (run seed ${opts.seed}) failed: ${problems[0]}; minimising`);
    const minimal = await minimiseTree(c, fixtures, Math.min(opts.deadline + 30_000, Date.now() + 90_000));
    const again = await runTree(minimal, fixtures);
    failures.push(`checkPaths (run seed ${opts.seed}, case seed ${caseSeed}):\n${(again.length > 0 ? again : problems).join('\n')}\nminimised reproduction (tree entries, each rebuilt from its seed by ENTRIES[kind]): ${describeTree(minimal)}`);
  }
  return { iterations, failures };
}
