// Fixture for unguarded-entry-point in an ES module: the worker is started on import.meta.url.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import Piscina from 'piscina';

const workers = [];
for (let i = 0; i < 2; i++) {
  workers.push(new Worker(new URL(import.meta.url))); // [unguarded-entry-point]
}
console.log(workers.length);

export default ({ a, b }) => a + b;

const pool = new Piscina({ filename: new URL(import.meta.url).href }); // [unguarded-entry-point]
console.log(await pool.run({ a: 1, b: 2 }));

// OK

const other = new Piscina({ filename: new URL('./other.mjs', import.meta.url).href });
console.log(other.threads.length);

if (isMainThread) {
  new Worker(fileURLToPath(import.meta.url));
} else {
  parentPort.postMessage('ready');
}

const self = fileURLToPath(import.meta.url);
isMainThread && new Worker(self);
const w = isMainThread ? new Worker(self) : null;
console.log(w);
