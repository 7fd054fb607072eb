// TypeScript, compiled by the test with a source map: the worker's stack names these lines.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

interface Job {
  id: number;
  values: number[];
}

function average(job: Job): number {
  if (job.values.length === 0) throw new Error(`job ${job.id} has no values`);
  return job.values.reduce((a, b) => a + b, 0) / job.values.length;
}

if (isMainThread) {
  const worker = new Worker(__filename, { name: 'stats' });
  worker.on('error', (error: Error) => console.log('stats failed:', error.message));
  worker.postMessage({ id: 9, values: [] } satisfies Job);
} else {
  parentPort?.on('message', (job: Job) => parentPort?.postMessage(average(job)));
}
