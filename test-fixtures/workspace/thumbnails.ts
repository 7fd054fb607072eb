// Makes thumbnails on worker threads. Two bugs Workerscope flags: a callback travels inside a
// message (postMessage throws DataCloneError), and the Promise around a worker never settles
// when the worker throws or exits.
import { Worker } from 'node:worker_threads';

interface Job {
  file: string;
  width: number;
}

export function thumbnail(job: Job): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const worker = new Worker(new URL('./thumbnail-worker.js', import.meta.url));
    worker.on('message', (out: string) => resolve(out));
    worker.postMessage({ ...job, onProgress: (done: number) => console.log(`${job.file}: ${done}%`) });
  });
}

export async function main(files: string[]): Promise<void> {
  const outputs = await Promise.all(files.map((file) => thumbnail({ file, width: 128 })));
  console.log(outputs.join('\n'));
}
