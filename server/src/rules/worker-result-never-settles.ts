/**
 * ## What it does
 * Checks JavaScript and TypeScript for a Promise wrapped around a `worker_threads` `Worker` that
 * resolves when the worker posts its result but has no way to fail: the executor listens to the
 * worker's `message` event and to neither `error` nor `exit`.
 *
 * ## Why is this bad?
 * When the worker throws, Node emits `error` and then `exit` on the `Worker` object, never
 * `message`. With no listener on either, the Promise stays pending forever: the `await` that
 * waits for the result hangs without a message, and the program never ends if nothing else keeps
 * it alive — or ends silently with its work half done. A worker that calls `process.exit()` or is
 * terminated before posting has the same effect. (It is the JavaScript form of the hang
 * CPython's `multiprocessing.Pool` falls into when a worker dies, which the Workerscope tracer
 * detects and ends at run time.)
 *
 * ## Example
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * function resize(file) {
 *   return new Promise((resolve, reject) => {
 *     const worker = new Worker('./resize.js', { workerData: file });
 *     worker.on('message', resolve);
 *   });
 * }
 * ```
 *
 * Use instead:
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * function resize(file) {
 *   return new Promise((resolve, reject) => {
 *     const worker = new Worker('./resize.js', { workerData: file });
 *     worker.on('message', resolve);
 *     worker.on('error', reject);
 *     worker.on('exit', (code) => {
 *       if (code !== 0) reject(new Error(`Worker stopped with exit code ${code}`));
 *     });
 *   });
 * }
 * ```
 *
 * ## References
 * - [Node.js docs: `worker_threads`, event `'error'`](https://nodejs.org/api/worker_threads.html#event-error)
 * - [Node.js docs: `worker_threads`, event `'exit'`](https://nodejs.org/api/worker_threads.html#event-exit)
 */
import { docsUrl, type Rule } from '../engine/rule';
import { RULE_DOCS } from './docs.generated';

const ID = 'worker-result-never-settles';

/** JavaScript and TypeScript only: the check is in rules/js/worker-result-never-settles.ts. */
export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'A Promise around a worker thread resolves on `message` but never rejects on `error` or `exit`, so a failing worker leaves it pending forever.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
    languages: ['javascript'],
  },
  check: () => undefined,
};
