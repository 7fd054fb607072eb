// A worker's promise rejects with nobody to catch it: the worker dies of it.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

async function fetchTile(n) {
  throw new Error(`tile ${n} unavailable`);
}

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url));
  worker.on('error', (error) => console.log('worker error:', error.message));
  worker.postMessage(4);
} else {
  parentPort.on('message', (n) => {
    fetchTile(n);
  });
}
