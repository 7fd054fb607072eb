// Nobody listens for the worker's 'error': the main thread dies of it.
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

if (isMainThread) {
  const worker = new Worker(__filename);
  worker.postMessage({ id: 7 });
} else {
  parentPort.on('message', (msg) => {
    throw new TypeError(`cannot handle ${msg.id}`);
  });
}
