const { Worker } = require('worker_threads');
const { work } = require('./tasks-cjs');
const lib = require('./lib');

const worker = new Worker('./worker.js');
worker.postMessage(work);
worker.postMessage({ onEvent: lib.handler });
