// Fixture for unlocked-shared-counter (TypeScript): a worker file whose shared arrays are typed.
import { parentPort, workerData } from 'node:worker_threads';

interface Progress {
  done: Int32Array<SharedArrayBuffer>;
  names: string[];
}

const { done, names } = workerData as Progress;
const hist = (workerData as { hist: Uint32Array }).hist;
for (const name of names) {
  Atomics.add(done, 0, 1); // [unlocked-shared-counter]
  Atomics.add(hist, name.length & 15, 1); // [unlocked-shared-counter]
}

parentPort?.on('message', (msg: { lanes: Uint8Array; total: number[] }) => {
  Atomics.or(msg.lanes, 0, 1); // [unlocked-shared-counter]
  msg.total[0]++;
});

// OK

names[0] += '!';
const sizes: number[] = workerData.sizes;
sizes[0]++;
