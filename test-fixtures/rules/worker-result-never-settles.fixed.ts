// Fixture for worker-result-never-settles in TypeScript, with a typed result.
import { Worker } from 'worker_threads';

export async function hash(data: Uint8Array): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: data });
    worker.on('message', (digest: string) => resolve(digest)); // [worker-result-never-settles]
    worker.on('error', reject);
    worker.on('exit', (code: number) => {
      if (code !== 0) reject(new Error(`Worker stopped with exit code ${code}`));
    });
  });
}

// OK

export function hashSafely(data: Uint8Array): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: data });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`exit ${code}`));
    });
  });
}
