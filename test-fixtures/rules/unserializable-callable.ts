// Fixture for unserializable-callable in TypeScript: Piscina and typed messages.
import Piscina from 'piscina';
import { Worker } from 'node:worker_threads';

interface Job {
  id: number;
  transform: (s: string) => string;
}

const piscina = new Piscina({ filename: './task.js' });

function submit(job: Job): Promise<unknown> {
  return piscina.run(job); // [unserializable-callable]
}

void submit({ id: 1, transform: (s) => s.toUpperCase() });

class Renderer {
  render(): string {
    return 'x';
  }
}

const renderer = new Renderer();
const w = new Worker('./render.js');
w.postMessage({ draw: renderer.render.bind(renderer) }); // [unserializable-callable]

async function later(): Promise<void> {
  const { Worker: DynamicWorker } = await import('node:worker_threads');
  const dw = new DynamicWorker('./render.js');
  dw.postMessage({ id: 1, done: later }); // [unserializable-callable]
}
void later();

class Pool {
  private readonly worker = new Worker('./pool-worker.js');
  private port = new Worker('./other.js');

  submit(task: Job): void {
    this.worker.postMessage({ task, then: () => undefined }); // [unserializable-callable]
  }
}
void new Pool();

// OK

w.postMessage({ id: 2, name: 'plain' } satisfies Partial<Job>);
void piscina.run({ id: 3, values: new Float64Array(4) });
