// Fixture for unserializable-argument in TypeScript: typed messages, Piscina, ES imports.
import Piscina from 'piscina';
import { EventEmitter } from 'node:events';
import { createReadStream } from 'node:fs';
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';

interface Task {
  id: number;
  file: string;
}

class Resize implements Task {
  constructor(readonly id: number, readonly file: string, private readonly scale = 2) {}

  get output(): string {
    return `${this.file}@${this.scale}x`;
  }
}

const piscina = new Piscina({ filename: './task.js' });

function submit(task: Task): Promise<unknown> {
  return piscina.run(task); // [unserializable-argument]
}
void submit(new Resize(1, 'a.png'));

class Progress extends EventEmitter {}
const w = new Worker('./render.js', { workerData: { progress: new Progress() } }); // [unserializable-argument]

const tag: unique symbol = Symbol('tag');
w.postMessage({ tag } as const); // [unserializable-argument]

async function fetchSize(url: string): Promise<number> {
  const res = await fetch(url);
  return Number(res.headers.get('content-length'));
}
w.postMessage({ size: fetchSize('https://example.com') satisfies Promise<number> }); // [unserializable-argument]
w.postMessage({ input: createReadStream('a.png') }); // [unserializable-argument]
w.postMessage({ conn: new net.Socket() }); // [unserializable-argument]

// OK

async function run(): Promise<void> {
  w.postMessage({ size: await fetchSize('https://example.com') });
  const size = await fetchSize('https://example.com');
  w.postMessage({ size });
}
void run();

class Plain {
  id = 1;
  name = 'x';
}
w.postMessage({ plain: new Plain(), list: [1, 2, 3], nested: { a: { b: 'c' } } });
void piscina.run({ id: 3, values: new Float64Array(4), when: new Date() });
const stats: Map<string, number> = new Map();
w.postMessage(stats);
class Unknown extends Array<number> {
  sum(): number {
    return this.reduce((a, b) => a + b, 0);
  }
}
w.postMessage(new Unknown()); // a base class the rule does not follow: not reported
