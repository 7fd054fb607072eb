/**
 * An async DAP handler that fails is answered, not left to end the adapter: a failing launch gets
 * an error response naming the request, a failure after the response an `important` output.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { WorkerscopeSession } from '../src/session';

type Message = Record<string, unknown>;

/** Runs one request through a session on in-memory streams; returns every message sent until `done`. */
async function exchange(patch: (session: Record<string, unknown>) => void, request: Message, done: (messages: Message[]) => boolean): Promise<Message[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  const session = new WorkerscopeSession();
  patch(session as unknown as Record<string, unknown>);
  session.start(input, output);
  const messages: Message[] = [];
  let buffer = '';
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let match = /^Content-Length: (\d+)\r\n\r\n/.exec(buffer); match && buffer.length >= match[0].length + Number(match[1]); match = /^Content-Length: (\d+)\r\n\r\n/.exec(buffer)) {
      messages.push(JSON.parse(buffer.slice(match[0].length, match[0].length + Number(match[1]))) as Record<string, unknown>);
      buffer = buffer.slice(match[0].length + Number(match[1]));
    }
  });
  const body = JSON.stringify({ seq: 1, type: 'request', ...request });
  input.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const deadline = Date.now() + 5000;
  while (!done(messages) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  session.dispose();
  return messages;
}

test('a launch that fails inside is answered with an error response, the adapter lives on', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const messages = await exchange((s) => {
      s.launch = async (): Promise<void> => {
        throw new Error('boom');
      };
    }, { command: 'launch', arguments: { report: '/x.json' } }, (m) => m.some((x) => x.type === 'response'));
    const response = messages.find((m) => m.type === 'response');
    assert.equal(response?.success, false);
    assert.match(String(response?.message), /Workerscope: internal error in launch: boom/);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a failure after the response was sent becomes an important output event', async () => {
  const messages = await exchange((s) => {
    s.evaluate = async (response: { body?: unknown }): Promise<void> => {
      response.body = { result: '1', variablesReference: 0 };
      (s.sendResponse as (r: unknown) => void).call(s, response);
      throw new Error('late');
    };
  }, { command: 'evaluate', arguments: { expression: '1' } }, (m) => m.some((x) => x.type === 'event' && x.event === 'output'));
  assert.equal(messages.filter((m) => m.type === 'response').length, 1, 'one answer only');
  const output = messages.find((m) => m.type === 'event' && m.event === 'output') as { body?: { category?: string; output?: string } } | undefined;
  assert.equal(output?.body?.category, 'important');
  assert.match(output?.body?.output ?? '', /internal error in evaluate: late/);
});
