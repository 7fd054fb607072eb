// Fixture for unlocked-shared-counter: typed arrays over a SharedArrayBuffer that other threads see.
const { Worker, isMainThread, workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');

const sab = new SharedArrayBuffer(64);
const counts = new Int32Array(sab);
const totals = new Float64Array(sab, 16, 2);
const big = new BigInt64Array(sab, 32, 2);
const flags = new Uint8Array(sab, 48);
new Worker('./count.js', { workerData: { sab } });

function tally(files) {
  for (const file of files) Atomics.add(counts, 0, 1); // [unlocked-shared-counter]
  for (let i = 0; i < files.length; Atomics.add(counts, 1, 1)) i++; // [unlocked-shared-counter]
  Atomics.add(counts, 2, files.length); // [unlocked-shared-counter]
  Atomics.sub(counts, 3, 2); // [unlocked-shared-counter]
  Atomics.sub(counts, 4, 1); // [unlocked-shared-counter]
  Atomics.or(flags, 0, 4); // [unlocked-shared-counter]
  Atomics.and(flags, 1, ~4); // [unlocked-shared-counter]
  Atomics.xor(flags, 2, 1); // [unlocked-shared-counter]
  Atomics.add(counts, 5, files.length); // [unlocked-shared-counter]
  Atomics.add(counts, 6, 1); // [unlocked-shared-counter]
  Atomics.sub(counts, 7, 1); // [unlocked-shared-counter]
  Atomics.add(big, 0, 1n); // [unlocked-shared-counter]
  totals[0] += 0.5; // [unlocked-shared-counter]
  counts[8] *= 2; // [unlocked-shared-counter]
  const before = Atomics.add(counts, 9, 1); // [unlocked-shared-counter]
  const after = Atomics.add(counts, 10, 1) + 1; // [unlocked-shared-counter]
  const sum = (Atomics.add(counts, 11, 5) + 5); // [unlocked-shared-counter]
  const unknown = (counts[12] += files.length); // [unlocked-shared-counter]
  counts[files.pop()] = counts[files.pop()] + 1; // [unlocked-shared-counter]
  const scaled = 2 * (Atomics.add(counts, 16, 1) + 1); // [unlocked-shared-counter]
  Atomics.add(counts, 17, 1); // [unlocked-shared-counter]
  return [before, after, sum, unknown, scaled];
}

// Passed on: a parameter of a same-file function.
const hits = new Uint32Array(new SharedArrayBuffer(8));
const worker = new Worker('./hits.js');
worker.postMessage({ hits });
function hit(arr, i) {
  Atomics.add(arr, i, 1); // [unlocked-shared-counter]
}
hit(hits, 0);

// Sent with a Piscina task.
const Piscina = require('piscina');
const pool = new Piscina({ filename: './task.js' });
const pending = new Int32Array(new SharedArrayBuffer(4));
pool.run({ pending });
Atomics.add(pending, 0, 1); // [unlocked-shared-counter]

// Held in a class's fields.
class Meter {
  constructor(port) {
    this.buffer = new SharedArrayBuffer(8);
    this.ticks = new Int32Array(this.buffer);
    port.postMessage({ buffer: this.buffer });
  }
  tick() {
    Atomics.add(this.ticks, 0, 1); // [unlocked-shared-counter]
  }
}

// A worker's side: what arrives in workerData, a message, or receiveMessageOnPort.
if (!isMainThread) {
  const shared = new Int32Array(workerData.sab);
  Atomics.add(shared, 0, 1); // [unlocked-shared-counter]
  const { progress } = workerData;
  Atomics.store(progress, 0, 0);
  Atomics.add(progress, 1, 1); // [unlocked-shared-counter]
  parentPort.on('message', (msg) => {
    const view = new Int16Array(msg.buffer);
    Atomics.add(view, 0, 1); // [unlocked-shared-counter]
  });
  const polled = receiveMessageOnPort(parentPort)?.message;
  Atomics.load(polled, 0);
  polled[0]--; // [unlocked-shared-counter]
}

// OK

// Never sent: one thread cannot lose its own updates.
const local = new Int32Array(new SharedArrayBuffer(8));
local[0]++;
// Not shared memory at all.
const plain = new Int32Array(4);
plain[0]++;
const copy = new Int32Array(counts); // a copy into a buffer of its own
copy[0]++;
// Atomic already, or plain reads and writes.
Atomics.add(counts, 0, 1);
counts[13] = 7;
const seen = counts[0] + 1;
// Under a lock built on Atomics.wait / notify.
const lockWord = new Int32Array(sab, 60, 1);
function lock() {
  while (Atomics.compareExchange(lockWord, 0, 0, 1) !== 0) Atomics.wait(lockWord, 0, 1);
}
function unlock() {
  Atomics.store(lockWord, 0, 0);
  Atomics.notify(lockWord, 0, 1);
}
function locked() {
  lock();
  try {
    counts[14]++;
  } finally {
    unlock();
  }
  if (Atomics.compareExchange(lockWord, 0, 0, 1) === 0) {
    counts[15] += 2;
    unlock();
  }
}
// A worker's value with no sign of shared memory: may be a plain array, which a message copies.
parentPort?.on('message', ({ tallies }) => {
  tallies[0]++;
});
// A different element is read than written.
counts[0] = counts[1] + 1;
Atomics.store(counts, 18, Atomics.load(counts, 19) + 1);

module.exports = { tally, locked, seen, Meter };
