import { Worker } from 'node:worker_threads';
import { LIMIT } from './tasks';
import { missing } from './nowhere';

const worker = new Worker('./worker.js');
worker.postMessage({ LIMIT, missing });
