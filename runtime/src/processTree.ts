/**
 * Finds and signals every process of a traced program without a process group of its own: the
 * program keeps the group and session position a plain run gives it (so `os.setsid()` works in
 * it), and Stop or a hang still ends the whole tree. A process belongs to the program when it
 * descends from the program's pid, when its environment names the run's channel directory (an
 * orphan reparented to init keeps it), or when it wrote to the channel and started after the
 * program did. Linux reads /proc; elsewhere `ps` gives the descendants only.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProcEntry {
  pid: number;
  ppid: number;
  state: string;
  startTime: number;
}

/** Fields of /proc/PID/stat after the command name (which may itself hold spaces and parentheses). */
function readStat(pid: number): ProcEntry | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0], ppid: Number(fields[1]), startTime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

function listProcesses(): ProcEntry[] {
  if (fs.existsSync('/proc/self/stat')) {
    const entries: ProcEntry[] = [];
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const entry = readStat(Number(name));
      if (entry) entries.push(entry);
    }
    return entries;
  }
  try {
    const out = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'state='], { encoding: 'utf8' });
    return out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length >= 2 && /^\d+$/.test(f[0]))
      .map((f) => ({ pid: Number(f[0]), ppid: Number(f[1]), state: f[2] ?? '', startTime: 0 }));
  } catch {
    return [];
  }
}

function environNames(pid: number, needle: Buffer): boolean {
  try {
    const env = fs.readFileSync(`/proc/${pid}/environ`);
    const at = env.indexOf(needle);
    return at === 0 || (at > 0 && env[at - 1] === 0);
  } catch {
    return false;
  }
}

/** Pids that wrote a record file to the channel (`<pid>.jsonl`). */
function channelPids(channelDir: string | undefined): Set<number> {
  const pids = new Set<number>();
  if (!channelDir) return pids;
  try {
    for (const name of fs.readdirSync(channelDir)) {
      const match = /^(\d+)\.jsonl$/.exec(name);
      if (match) pids.add(Number(match[1]));
    }
  } catch {
    // The channel is gone: descendants and environments still find the tree.
  }
  return pids;
}

/** The program's live processes (the root included while it lives), never this process. */
export function programProcesses(rootPid: number, channelDir: string | undefined): number[] {
  const all = listProcesses();
  const children = new Map<number, number[]>();
  for (const entry of all) {
    if (!children.has(entry.ppid)) children.set(entry.ppid, []);
    children.get(entry.ppid)?.push(entry.pid);
  }
  const found = new Set<number>();
  const byPid = new Map(all.map((entry) => [entry.pid, entry]));
  if (byPid.has(rootPid)) found.add(rootPid);
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop() as number) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        queue.push(child);
      }
    }
  }
  if (channelDir) {
    const needle = Buffer.from(`WORKERSCOPE_CHANNEL=${path.resolve(channelDir)}\0`);
    const rootStart = byPid.get(rootPid)?.startTime;
    const recorded = channelPids(channelDir);
    for (const entry of all) {
      if (found.has(entry.pid) || entry.state === 'Z') continue;
      // A recorded pid counts only if it started with the run (a pid reused since does not).
      const startedWithRun = rootStart !== undefined && entry.startTime >= rootStart;
      if ((recorded.has(entry.pid) && startedWithRun) || environNames(entry.pid, needle)) found.add(entry.pid);
    }
  }
  found.delete(process.pid);
  return [...found];
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already, or not ours to signal.
  }
}

/**
 * Sends `signal` to every process of the program. The tree is frozen (SIGSTOP) while it is
 * gathered, so that no process forks a child that the search has already passed, then
 * signalled, then let go (a frozen process would act on SIGTERM only once continued).
 */
export function signalTree(rootPid: number, channelDir: string | undefined, signal: NodeJS.Signals): number[] {
  const frozen = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const fresh = programProcesses(rootPid, channelDir).filter((pid) => !frozen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      send(pid, 'SIGSTOP');
      frozen.add(pid);
    }
  }
  for (const pid of frozen) send(pid, signal);
  if (signal !== 'SIGKILL') for (const pid of frozen) send(pid, 'SIGCONT');
  return [...frozen];
}

/** Whether the process is stopped (job control), or undefined where that cannot be read. */
export function isStopped(pid: number): boolean | undefined {
  const entry = readStat(pid);
  return entry ? entry.state === 'T' : undefined;
}

/**
 * Whether this process is in the foreground process group of its controlling terminal: a
 * signal the terminal generates (Ctrl-C, Ctrl-\, Ctrl-Z, a resize) then reaches every process
 * of that group, the program included. Without /proc, a terminal on stdin is taken as one.
 */
export function inTerminalForeground(): boolean {
  try {
    const text = fs.readFileSync('/proc/self/stat', 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const [pgrp, ttyNr, tpgid] = [Number(fields[2]), Number(fields[4]), Number(fields[5])];
    return ttyNr !== 0 && tpgid === pgrp;
  } catch {
    return Boolean(process.stdin.isTTY);
  }
}
