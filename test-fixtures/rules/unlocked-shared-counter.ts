// Fixture for unlocked-shared-counter (TypeScript): a self-starting worker sharing a SharedArrayBuffer.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

interface Shared {
  hits: Int32Array;
  buffer: SharedArrayBuffer;
}

if (isMainThread) {
  const buffer = new SharedArrayBuffer(16);
  const hits = new Int32Array(buffer, 0, 3);
  const data: Shared = { hits, buffer };
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  worker.on('message', async () => {
    hits[2] += await Promise.resolve(1); // [unlocked-shared-counter]
    hits![0]++; // [unlocked-shared-counter]
    (hits as Int32Array)[1] += 2; // [unlocked-shared-counter]
  });
} else {
  const { hits } = workerData as Shared;
  const words = new Uint16Array((workerData as Shared).buffer, 8);
  for (let i = 0; i < 1000; i++) {
    hits[0]++; // [unlocked-shared-counter]
    words[0] = words[0] + i; // [unlocked-shared-counter]
  }
  parentPort!.postMessage('done');
}

// OK

// Created at module level but never sent: each thread that loads this file gets its own buffer.
const perThread = new Int32Array(new SharedArrayBuffer(4));
perThread[0]++;

function bump(view: Int32Array, i: number): number {
  return Atomics.add(view, i, 1);
}
const mine: Int32Array = new Int32Array(8);
mine[0] += bump(mine, 1);
