'use strict';
/**
 * The Node tracer's entry, preloaded into every thread of every Node process of a traced program
 * through NODE_OPTIONS (`--require`; worker threads and child processes inherit it). Without a
 * channel directory it does nothing; it installs its hooks once per thread.
 */
const MARK = Symbol.for('workerscope.nodeTracer');

if (process.env.WORKERSCOPE_CHANNEL && !globalThis[MARK]) {
  Object.defineProperty(globalThis, MARK, { value: true });
  try {
    require('./hooks.cjs').install();
  } catch (error) {
    try {
      require('./channel.cjs').swallowed(error);
    } catch {
      // The tracer cannot even log: the program runs untraced.
    }
  }
}
