/**
 * The parts of the trace fold only Node programs need: worker threads (started and ended in a
 * process, recorded by the thread that made them) become entries of the report's processes
 * with role "thread", a thread that exited non-zero on its own becomes an `exited` failure,
 * and failures name threads by the name the program gave them. Python records never reach it.
 */
import * as wire from './wire';
import { get, isInt, truthy, type Obj } from './pyValues';

/** `pid:threadId`, the key of a worker thread (thread ids restart in every process). */
function threadKey(pid: unknown, threadId: unknown): string {
  return `${String(pid)}:${String(threadId)}`;
}

/** Failure fields only the Node tracer records; absent from Python's records, so absent from their failures. */
const NODE_FAILURE_FIELDS = ['origin', 'clonePath', 'emitter'] as const;

/** What the Node records say of their threads, gathered once per fold. */
export class NodeThreads {
  private readonly names = new Map<string, string>();
  /** Threads whose own exception was recorded: their non-zero exit is that failure's, not one more. */
  private readonly raised = new Set<string>();
  /** Children whose own Node tracer recorded the exception they died of. */
  private readonly childRaised = new Set<unknown>();

  add(e: Obj): void {
    if (e.kind === wire.THREAD_START && typeof e.name === 'string') this.names.set(threadKey(e.pid, e.threadId), e.name);
    else if (e.kind === wire.THREAD_EXCEPTION && isInt(e.threadId)) this.raised.add(threadKey(e.pid, e.threadId));
    else if (e.kind === wire.PROCESS_EXCEPTION && 'origin' in e) this.childRaised.add(e.pid);
  }

  /** The thread a record names, by the name its creator gave it when one did. */
  threadName(e: Obj, recorded: unknown): unknown {
    if (!isInt(e.threadId)) return recorded;
    return this.names.get(threadKey(e.pid, e.threadId)) ?? recorded;
  }

  /** A `worker-lost` of a Node child that recorded its own uncaught exception: that failure tells it already. */
  superseded(e: Obj): boolean {
    const code = get(e, 'exitCode');
    return e.kind === wire.WORKER_LOST && isInt(code) && code > 0 && this.childRaised.has(get(e, 'child'));
  }

  /** A thread that ended with a non-zero code of its own accord (process.exit(n) in it): `exited`. */
  exitFailure(e: Obj): Obj | null {
    if (e.kind !== wire.THREAD_EXIT) return null;
    const code = get(e, 'exitCode');
    if (!isInt(code) || code === 0 || truthy(get(e, 'terminated')) || this.raised.has(threadKey(e.pid, e.threadId))) return null;
    const name = this.threadName(e, get(e, 'name'));
    return { pid: get(e, 'pid'), thread: name, worker: name, exitCode: code };
  }
}

/** The Node-only fields of an exception record, to follow the common failure fields. */
export function nodeFailureFields(e: Obj): Obj {
  const out: Obj = {};
  for (const name of NODE_FAILURE_FIELDS) if (name in e) out[name] = get(e, name);
  return out;
}

/** Every worker thread as a report process entry (role "thread"), in the order they started. */
export function threadProcesses(events: readonly Obj[]): Obj[] {
  const threads = new Map<string, Obj>();
  for (const e of events) {
    if (e.kind === wire.THREAD_START && isInt(e.pid)) {
      threads.set(threadKey(e.pid, e.threadId), {
        pid: e.pid, ppid: e.pid, role: 'thread', name: get(e, 'name'), exitCode: null, signal: null, outlived: false,
        threadId: get(e, 'threadId'), parentThreadId: get(e, 'parentThreadId'), file: get(e, 'file'), createdAt: get(e, 'createdAt'),
      });
    } else if (e.kind === wire.THREAD_EXIT) {
      const thread = threads.get(threadKey(e.pid, e.threadId));
      if (thread) thread.exitCode = get(e, 'exitCode');
    }
  }
  return [...threads.values()];
}

/** The Node version the program's own process announced. */
export function nodeVersionOf(events: readonly Obj[], rootPid: number): unknown {
  const record = events.find((e) => e.kind === wire.PROCESS_START && e.pid === rootPid && typeof e.node === 'string');
  return record ? record.node : null;
}
