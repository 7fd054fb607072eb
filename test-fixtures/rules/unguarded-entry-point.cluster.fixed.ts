// Fixture for unguarded-entry-point in TypeScript: cluster.fork() and a worker on the file itself.
import cluster from 'node:cluster';
import * as os from 'node:os';
import { Worker, isMainThread } from 'worker_threads';

if (cluster.isPrimary) {
  for (let i = 0; i < os.cpus().length; i++) {
    cluster.fork(); // [unguarded-entry-point]
  }
}

async function start(): Promise<void> {
  const w = new Worker(new URL('./unguarded-entry-point.cluster.js', import.meta.url)); // [unguarded-entry-point]
  w.unref();
}

if (isMainThread) {
  start().catch((e: unknown) => console.error(e));
}

// OK

export function later(): Worker {
  return new Worker(new URL('./other.js', import.meta.url));
}

if (cluster.isWorker) {
  console.log('worker');
} else {
  cluster.fork();
}
