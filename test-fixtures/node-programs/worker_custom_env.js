// A worker with an env of its own (Node then reads NODE_OPTIONS from it) that throws.
const { Worker, isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const worker = new Worker(__filename, { env: { MODE: 'strict' }, name: 'isolated' });
  worker.on('error', (error) => console.log('isolated failed:', error.message));
} else {
  throw new Error(`mode ${process.env.MODE} refused`);
}
