/**
 * A DAP session with the BUILT debug adapter (dist/debugAdapter.js, run `node esbuild.mjs` first)
 * for tests: records every event so a test can poll for one that already arrived, with a deadline.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const ADAPTER = path.join(ROOT, 'dist', 'debugAdapter.js');
export const PROGRAMS = path.join(ROOT, 'test-fixtures', 'programs');
export const PYTHON = process.env.WORKERSCOPE_TEST_PYTHON ?? 'python3';

export class Session {
  readonly events: DebugProtocol.Event[] = [];
  readonly dc: DebugClient;

  constructor(private readonly timeoutMs = 60_000, adapter = ADAPTER) {
    this.dc = new DebugClient('node', adapter, 'workerscope');
  }

  async start(): Promise<void> {
    assert.ok(fs.existsSync(ADAPTER), `${ADAPTER} is missing: run \`node esbuild.mjs\` first`);
    this.dc.defaultTimeout = this.timeoutMs;
    const emit = this.dc.emit.bind(this.dc);
    this.dc.emit = (name: string | symbol, ...args: unknown[]): boolean => {
      const event = args[0] as DebugProtocol.Event | undefined;
      if (typeof name === 'string' && event && (event as { type?: string }).type === 'event') this.events.push(event);
      return emit(name, ...args);
    };
    await this.dc.start();
  }

  async stop(): Promise<void> {
    await this.dc.stop();
  }

  /** Polls the recorded events until one matches, or fails after the deadline. */
  async waitFor<T extends DebugProtocol.Event>(name: string, predicate: (e: T) => boolean = () => true, timeoutMs = this.timeoutMs): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.event === name && predicate(e as T));
      if (found) return found as T;
      const over = name !== 'terminated' && name !== 'exited' && this.events.some((e) => e.event === 'terminated');
      if (over || Date.now() > deadline) {
        throw new Error(`no "${name}" event ${over ? 'before the session ended' : `within ${timeoutMs} ms`}; got: ${this.events.map((e) => e.event).join(', ')}\noutput:\n${this.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  output(category?: string): string {
    return this.events
      .filter((e): e is DebugProtocol.OutputEvent => e.event === 'output' && (!category || e.body.category === category))
      .map((e) => e.body.output)
      .join('');
  }

  async launch(args: Record<string, unknown>): Promise<void> {
    await Promise.all([this.dc.configurationSequence(), this.dc.launch(args)]);
  }
}

export async function withSession(fn: (s: Session) => Promise<void>, timeoutMs?: number): Promise<void> {
  const s = new Session(timeoutMs);
  await s.start();
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

export function program(name: string): string {
  return path.join(PROGRAMS, name);
}

/** Top frames of the thread's stack, innermost first. */
export async function stackOf(s: Session, threadId: number): Promise<DebugProtocol.StackFrame[]> {
  return (await s.dc.stackTraceRequest({ threadId })).body.stackFrames;
}

/** The 1-based line of a fixture marked `# BREAK <name>`. */
export function markedLine(file: string, name: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((text) => text.endsWith(`# BREAK ${name}`));
  assert.ok(index >= 0, `no line of ${path.basename(file)} marked ${name}`);
  return index + 1;
}

/** The session's `count`-th stopped event, polled for until the deadline or the session's end. */
export async function nthStop(s: Session, count: number, timeoutMs = 60_000): Promise<DebugProtocol.StoppedEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stops = s.events.filter((e): e is DebugProtocol.StoppedEvent => e.event === 'stopped');
    if (stops.length >= count) return stops[count - 1];
    if (Date.now() > deadline || s.events.some((e) => e.event === 'terminated')) throw new Error(`stop ${count} never came; output:\n${s.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
