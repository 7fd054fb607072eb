'use strict';
/**
 * The Node tracer's entry, preloaded into every thread of every Node process of a traced program
 * through NODE_OPTIONS (`--require`; worker threads and child processes inherit it). Without a
 * channel directory it does nothing; it installs its hooks once per thread.
 */
const MARK = Symbol.for('workerscope.nodeTracer');

// Without the variable (a process outside any traced run) nothing else is loaded; a worker
// thread given an env of its own finds the channel through channel.cjs.
if ((process.env.WORKERSCOPE_CHANNEL || !require('node:worker_threads').isMainThread) && !globalThis[MARK]) {
  Object.defineProperty(globalThis, MARK, { value: true });
  try {
    if (require('./channel.cjs').channelDir) require('./hooks.cjs').install();
  } catch (error) {
    try {
      require('./channel.cjs').swallowed(error);
    } catch {
      // The tracer cannot even log: the program runs untraced.
    }
  }
}
