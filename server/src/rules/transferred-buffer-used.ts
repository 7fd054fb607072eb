/**
 * ## What it does
 * Checks JavaScript and TypeScript for an `ArrayBuffer`, or a typed array whose `.buffer` was
 * listed, read after it was transferred with `postMessage(message, [transferList])` to a worker
 * thread or a message port.
 *
 * ## Why is this bad?
 * Transferring moves the memory to the receiver instead of copying it: in the sending thread the
 * `ArrayBuffer` is detached. Nothing throws where it is read afterwards; it simply looks empty —
 * `byteLength` is 0, every view of it has length 0 and reads `undefined` — so the code goes on
 * with wrong results (an empty checksum, a loop that never runs, a half-written file).
 *
 * ## Example
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * const worker = new Worker('./blur.js');
 * const pixels = new Uint8Array(width * height * 4);
 * worker.postMessage({ pixels }, [pixels.buffer]);
 * console.log(`sent ${pixels.length} bytes`); // 0: the buffer is detached
 * ```
 *
 * Use instead:
 * ```js
 * const { Worker } = require('node:worker_threads');
 *
 * const worker = new Worker('./blur.js');
 * const pixels = new Uint8Array(width * height * 4);
 * const size = pixels.length;
 * worker.postMessage({ pixels }, [pixels.buffer]);
 * console.log(`sent ${size} bytes`);
 * ```
 *
 * ## References
 * - [Node.js docs: `port.postMessage(value[, transferList])`](https://nodejs.org/api/worker_threads.html#portpostmessagevalue-transferlist)
 * - [MDN: Transferable objects](https://developer.mozilla.org/en-US/docs/Web/API/Web_Workers_API/Transferable_objects)
 */
import { docsUrl, type Rule } from '../engine/rule';
import { RULE_DOCS } from './docs.generated';

const ID = 'transferred-buffer-used';

/** JavaScript and TypeScript only: the check is in rules/js/transferred-buffer-used.ts. */
export const rule: Rule = {
  meta: {
    id: ID,
    defaultSeverity: 'warning',
    summary: 'An ArrayBuffer (or a view of it) is read after being listed in a postMessage transfer list, where it is detached and reads as empty.',
    docsUrl: docsUrl(ID),
    docs: RULE_DOCS[ID] ?? '',
    languages: ['javascript'],
  },
  check: () => undefined,
};
