import { Worker } from 'node:worker_threads';
import { work, LIMIT } from './tasks.js';

const worker = new Worker('./worker.mjs');
worker.postMessage({ task: work, limit: LIMIT });
