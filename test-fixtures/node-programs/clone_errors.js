// DataCloneErrors: a function deep in a posted message (caught by the program), then an
// uncloneable workerData that the program does not catch.
const { Worker } = require('node:worker_threads');

const worker = new Worker('require("node:worker_threads").parentPort.once("message", () => process.exit(0))', { eval: true });
const msg = { kind: 'render', options: { size: 3, onProgress: (p) => console.log(p) } };
try {
  worker.postMessage(msg);
} catch (error) {
  console.log('caught', error.name);
}
worker.postMessage('done');
worker.on('exit', () => {
  const settings = { retries: 2, cache: new WeakMap() };
  new Worker(__filename, { workerData: settings });
});
