/**
 * What the stall tests share: a program that stalls and writes the supervisor's stall record
 * about itself (so the Node side is tested apart from the tracer's stall watch), a process's
 * state from /proc, and polling with a deadline.
 */
import * as fs from 'node:fs';

const DEADLINE_MS = 60_000;

/**
 * A program whose child spins until a flag file exists, and which writes the `in-flight` stall
 * record a supervisor would write about that child (SPEC: reason, signal, timeout, tasks).
 */
export const STALLING_PROGRAM = [
  'import json, multiprocessing, os, sys, time',
  '',
  'def spin(flag):',
  '    while not os.path.exists(flag):',
  '        time.sleep(0.01)',
  '',
  'if __name__ == "__main__":',
  '    multiprocessing.set_start_method("fork")',
  '    child = multiprocessing.Process(target=spin, args=(sys.argv[1],), name="Spinner-1")',
  '    child.start()',
  '    now = time.time()',
  '    task = {"function": "__main__.spin", "args": [repr(sys.argv[1])], "kwargs": {}, "index": None, "submittedAt": None}',
  '    frames = [{"file": os.path.abspath(__file__), "line": 5, "function": "spin"}]',
  '    stalled = {"pid": child.pid, "worker": "Spinner-1", "role": "process", "key": None, "chunk": None, "pos": None,',
  '               "startedAt": now - 0.5, "runningFor": 0.5, "task": task, "frames": frames}',
  '    record = {"v": 1, "kind": "in-flight", "pid": os.getpid(), "t": now, "reason": "stall", "signal": None, "timeout": 0.5, "tasks": [stalled]}',
  '    with open(os.path.join(os.environ["WORKERSCOPE_CHANNEL"], "stand-in.jsonl"), "a") as f:',
  '        f.write(json.dumps(record) + "\\n")',
  '    print("child", child.pid, flush=True)',
  '    child.join()',
  '    print("joined", child.exitcode, flush=True)',
  '',
].join('\n');

/** `R`, `S`, `T` (stopped)...: the state field of /proc/PID/stat, undefined once gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

export async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

