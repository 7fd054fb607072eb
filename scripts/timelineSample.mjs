// Writes sample timelines (protocol/src/timeline.ts) of plausible runs, deterministic for a seed:
// `killedWorker` models test-fixtures/timeline/killed_worker.py (Pool(2): map_async of checksum
// over 40 items in chunks of 5, then map of thumbnail over 200 items in chunks of 25; item 42
// raises, item 77 is slow, the worker running item 120 is SIGKILLed, a replacement starts, the map
// hangs until the hang timeout (2 s)); `manyTasks` is N tasks on W workers
// for the panel's speed measurement.
// Usage: node scripts/timelineSample.mjs killed-worker OUT.json [--root DIR] | many OUT.json [--tasks N] [--workers W]
import { writeFileSync } from 'node:fs';
import path from 'node:path';

function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const meta = (name, pid, tid, value) => ({ ph: 'M', name, pid, ...(tid === undefined ? {} : { tid }), args: name.endsWith('sort_index') ? { sort_index: value } : { name: value } });
const life = (pid, tid, ts, end, role, how) => ({ ph: 'X', cat: 'lifetime', name: role, pid, tid, ts, dur: end - ts, args: { role, ...(how ? { end: how } : {}) } });
const mark = (pid, tid, ts, kind, message, site) => ({ ph: 'i', s: 't', cat: 'failure', name: kind, pid, tid, ts, args: { kind, message, ...(site ? { site } : {}) } });

function file(traceEvents, program, droppedTasks = 0) {
  return { traceEvents, displayTimeUnit: 'ms', otherData: { workerscope: 1, program, runtime: 'python', started: '2026-12-08T01:15:02.000Z', droppedTasks } };
}

/** The killed-worker run; `root` is the folder killed_worker.py is in (paths are absolute). */
export function killedWorker({ root = '/home/user/project', seed = 7 } = {}) {
  const program = path.join(root, 'killed_worker.py');
  const defs = { checksum: { file: program, line: 10 }, thumbnail: { file: program, line: 15 } };
  const submits = { checksum: { file: program, line: 28 }, thumbnail: { file: program, line: 29 } };
  const submit = submits.thumbnail;
  const rnd = random(seed);
  const MAIN = 4100;
  const events = [meta('process_name', MAIN, undefined, 'MainProcess'), meta('process_sort_index', MAIN, undefined, 0), meta('thread_name', MAIN, MAIN, 'MainThread')];
  const helpers = ['Thread-1 (_handle_workers)', 'Thread-2 (_handle_tasks)', 'Thread-3 (_handle_results)'];
  helpers.forEach((name, i) => events.push(meta('thread_name', MAIN, MAIN + 10 + i, name)));
  const workers = [{ pid: 4101, name: 'ForkPoolWorker-1', start: 48_000, free: 55_000 }, { pid: 4102, name: 'ForkPoolWorker-2', start: 50_500, free: 56_000 }];
  const chunks = [
    ...Array.from({ length: 8 }, (_, c) => Array.from({ length: 5 }, (_, k) => ['checksum', c * 5 + k])),
    ...Array.from({ length: 8 }, (_, c) => Array.from({ length: 25 }, (_, k) => ['thumbnail', c * 25 + k])),
  ];
  let killedAt = 0;
  let replacement;
  for (const chunk of chunks) {
    const pool = [...workers, ...(replacement ? [replacement] : [])].filter((w) => !w.dead);
    const worker = pool.sort((a, b) => a.free - b.free)[0];
    let t = Math.max(worker.free, worker.start + 3000) + 150;
    for (const [fn, n] of chunk) {
      let dur = fn === 'checksum' ? 2100 + Math.round(rnd() * 300) : 4000 + (n % 7) * 1500 + Math.round(rnd() * 900);
      if (fn === 'thumbnail' && n === 77) dur += 200_000;
      const base = { ph: 'X', cat: 'task', name: fn, pid: worker.pid, tid: worker.pid, ts: t, args: { function: fn, def: defs[fn], submit: submits[fn], index: n, args: `(${n},)`, pool: 'pool-1' } };
      if (fn === 'checksum') {
        events.push({ ...base, dur, args: { ...base.args, outcome: 'ok' } });
      } else if (n === 42) {
        dur = 2100;
        events.push({ ...base, dur, args: { ...base.args, outcome: 'raised', error: `ValueError: image ${n} is truncated` } });
        events.push(mark(worker.pid, worker.pid, t + dur, 'task-exception', `thumbnail(42) raised ValueError: image ${n} is truncated`, { file: program, line: 20 }));
      } else if (n === 120) {
        dur = 3300;
        killedAt = t + dur;
        events.push({ ...base, dur, args: { ...base.args, outcome: 'killed', error: 'SIGKILL: the worker was killed while running this task' } });
        events.push(mark(worker.pid, worker.pid, killedAt, 'worker-lost', `${worker.name} (pid ${worker.pid}) was killed by SIGKILL while running thumbnail(120); Pool.map waits for its chunk forever`, { file: program, line: 22 }));
        worker.dead = true;
        worker.end = killedAt;
        replacement = { pid: 4103, name: 'ForkPoolWorker-3', start: killedAt + 101_000, free: killedAt + 104_000 };
        break;
      } else {
        events.push({ ...base, dur, args: { ...base.args, outcome: 'ok' } });
      }
      t += dur + 60 + Math.round(rnd() * 80);
    }
    worker.free = t;
  }
  const hangAt = killedAt + 2_000_000;
  const end = hangAt + 45_000;
  const lost = workers.find((w) => w.dead);
  events.push(mark(MAIN, MAIN, hangAt, 'hang', `Pool.map (killed_worker.py:29) waits on a chunk of tasks that died with ${lost.name}: it would never return`, submit));
  events.push(life(MAIN, MAIN, 0, end, 'main', 'exit code 1'));
  helpers.forEach((_, i) => events.push(life(MAIN, MAIN + 10 + i, 46_000 + i * 300, end - 2000, 'thread')));
  events.push({ ph: 'X', cat: 'wait', name: 'pool.map()', pid: MAIN, tid: MAIN, ts: 54_000, dur: hangAt - 54_000, args: { site: submit } });
  for (const w of [...workers, replacement]) {
    events.push(meta('process_name', w.pid, undefined, w.name), meta('thread_name', w.pid, w.pid, 'MainThread'));
    events.push(life(w.pid, w.pid, w.start, w.end ?? end - 5000, 'pool-worker', w.dead ? 'SIGKILL' : 'SIGTERM'));
  }
  return file(events, program);
}

const FUNCTIONS = ['load', 'decode', 'resize', 'encode', 'upload', 'checksum'];

/** `tasks` tasks spread over `workers` processes, with a few raised tasks and one killed worker. */
export function manyTasks({ tasks = 100_000, workers = 8, seed = 11, root = '/home/user/project' } = {}) {
  const rnd = random(seed);
  const program = path.join(root, 'batch.py');
  const events = [meta('process_name', 1000, undefined, 'MainProcess')];
  const free = Array.from({ length: workers }, (_, w) => 20_000 + w * 500);
  for (let w = 0; w < workers; w++) events.push(meta('process_name', 1001 + w, undefined, `ForkPoolWorker-${w + 1}`));
  for (let i = 0; i < tasks; i++) {
    const w = i % workers;
    const fn = FUNCTIONS[Math.floor(rnd() * FUNCTIONS.length)];
    const dur = Math.round(200 + rnd() * 1800 + (rnd() < 0.001 ? 80_000 : 0));
    const raised = rnd() < 0.0005;
    events.push({ ph: 'X', cat: 'task', name: fn, pid: 1001 + w, tid: 1001 + w, ts: free[w], dur, args: { function: fn, outcome: raised ? 'raised' : 'ok', index: i, args: `(${i},)`, def: { file: program, line: 5 + FUNCTIONS.indexOf(fn) * 4 }, submit: { file: program, line: 40 } } });
    if (raised) events.push(mark(1001 + w, 1001 + w, free[w] + dur, 'task-exception', `${fn}(${i}) raised ValueError`));
    free[w] += dur + Math.round(20 + rnd() * 60);
  }
  const end = Math.max(...free) + 10_000;
  events.push(life(1000, 1000, 0, end, 'main', 'exit code 0'));
  events.push({ ph: 'X', cat: 'wait', name: 'pool.map()', pid: 1000, tid: 1000, ts: 19_000, dur: end - 29_000, args: { site: { file: program, line: 40 } } });
  for (let w = 0; w < workers; w++) events.push(life(1001 + w, 1001 + w, 15_000 + w * 400, w === 3 ? free[w] : end - 3000, 'pool-worker', w === 3 ? 'SIGKILL' : 'SIGTERM'));
  events.push(mark(1004, 1004, free[3], 'worker-lost', 'ForkPoolWorker-4 was killed by SIGKILL'));
  return file(events, program);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [kind, out, ...rest] = process.argv.slice(2);
  const opt = (name, fallback) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : fallback);
  const made = kind === 'many' ? manyTasks({ tasks: Number(opt('--tasks', 100_000)), workers: Number(opt('--workers', 8)) }) : killedWorker({ root: opt('--root', '/home/user/project') });
  writeFileSync(out, kind === 'many' ? JSON.stringify(made) : `${JSON.stringify(made, null, 1)}\n`);
  console.log(`${out}: ${made.traceEvents.length} events`);
}
