// Fixture for worker-result-never-settles: Promises around workers that cannot fail.
const { Worker } = require('node:worker_threads');

function resize(file) {
  return new Promise((resolve, reject) => {
    const worker = new Worker('./resize.js', { workerData: file });
    worker.on('message', resolve); // [worker-result-never-settles]
  });
}

function sum(numbers) {
  return new Promise((resolve) => {
    const w = new Worker('./sum.js', { workerData: numbers });
    w.once('message', (result) => { // [worker-result-never-settles]
      w.terminate();
      resolve(result.total);
    });
  });
}

// OK

function handled(file) {
  return new Promise((resolve, reject) => {
    const worker = new Worker('./resize.js', { workerData: file });
    worker.on('message', resolve);
    worker.on('error', reject);
  });
}

function exitOnly(file) {
  return new Promise((resolve, reject) => {
    const worker = new Worker('./resize.js', { workerData: file });
    worker.on('message', resolve);
    worker.on('exit', (code) => code === 0 || reject(new Error(String(code))));
  });
}

function tracked(file, pool) {
  return new Promise((resolve) => {
    const worker = new Worker('./resize.js', { workerData: file });
    pool.watch(worker);
    worker.on('message', resolve);
  });
}

function progressOnly(file) {
  return new Promise((resolve) => {
    const worker = new Worker('./resize.js', { workerData: file });
    worker.on('message', (m) => console.log(m));
    setTimeout(resolve, 1000);
  });
}

module.exports = { resize, sum, handled, exitOnly, tracked, progressOnly };
