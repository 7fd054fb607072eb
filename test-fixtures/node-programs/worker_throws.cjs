// A worker thread throws while handling its third message; the parent listens for 'error'.
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

function resize(job) {
  if (job.width < 0) throw new RangeError(`negative width ${job.width}`);
  return job.width * 2;
}

if (isMainThread) {
  const worker = new Worker(__filename, { name: 'resizer' });
  worker.on('message', (result) => console.log('result', result));
  worker.on('error', (error) => {
    console.error('worker failed:', error.message);
    process.exitCode = 2;
  });
  for (const width of [10, 20, -5]) worker.postMessage({ job: 'resize', width });
} else {
  parentPort.on('message', (job) => parentPort.postMessage(resize(job)));
}
