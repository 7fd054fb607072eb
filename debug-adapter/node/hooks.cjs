'use strict';
/**
 * What the Node tracer watches in every thread of every traced process: workers created and how
 * they ended, children and how they ended, exceptions nobody caught (with the message a worker
 * thread was handling), DataCloneErrors with the path to the value, `messageerror`s and `error`
 * events nobody listened to. Each hook calls the original first or last and rethrows what it
 * threw, unchanged; the tracer's own errors are logged, never thrown into the program.
 */
const path = require('node:path');
const { channelDir, emit, swallowed, repr, exceptionOf, framesOf, stackFile, TRACER_DIR } = require('./channel.cjs');


const wt = require('node:worker_threads');
const { isMainThread, threadId } = wt;

/** Per Worker object: its thread id (reads -1 after exit), name, whether the program terminated it. */
const workers = new WeakMap();
/** The last message dispatched to a port of this thread (a worker's task, for attribution). */
let lastMessage;
let hasMessage = false;
/** This process's role and name, fixed when it starts. */
let identity;

/** The name of a worker thread in the report: its `name` option, else "Worker", and its id. */
function threadName(id, name) {
  return `${name || 'Worker'} #${id}`;
}

/** Who this process is: the program's own process, a cluster worker or another child. */
function processIdentity(clusterId) {
  const launcher = Number(process.env.WORKERSCOPE_LAUNCHER);
  if (launcher && process.ppid === launcher) return { role: 'main', name: 'main' };
  if (clusterId) return { role: 'process', name: `cluster worker ${clusterId}` };
  const script = process.argv[1] ? path.basename(process.argv[1]) : '-e';
  return { role: 'process', name: `node ${script}` };
}

/** A failure record of this thread: `process-exception` on the main thread, else `thread-exception`. */
function failureRecord(fields) {
  if (isMainThread) {
    const me = identity || processIdentity(undefined);
    emit('process-exception', { thread: 'MainThread', worker: me.name, role: me.role, task: null, ...fields });
  } else {
    emit('thread-exception', { threadId, thread: threadName(threadId, ''), worker: null, role: 'thread', ...fields });
  }
}

// ---- exceptions nobody caught -------------------------------------------------------------------

/** Lines of a stack that name the tracer's own files (its wrappers sit between Node and the program). */
function withoutOwnFrames(stack) {
  return stack.split('\n').filter((line) => !(line.includes(TRACER_DIR + path.sep) && /^\s+at /.test(line))).join('\n');
}

/**
 * Takes the tracer's frames out of an error's stack, so that what Node prints (or the program
 * logs) is the stack a plain run would show. Only errors that passed through a wrapper.
 */
function hideOwnFrames(error) {
  try {
    if (error === null || typeof error !== 'object') return;
    const stack = error.stack;
    if (typeof stack !== 'string' || !stack.includes(TRACER_DIR)) return;
    const clean = withoutOwnFrames(stack);
    if (clean !== stack) error.stack = clean;
  } catch (e) {
    swallowed(e);
  }
}

/**
 * The class of the emitter whose 'error' event nobody heard, when Node marked the error so
 * (the function that adds "Emitted 'error' event on … at:" to the printed stack). That text
 * is made from the stack of the emit, which may pass a wrapper of the tracer's: the function is
 * replaced by one that leaves those frames out, so the printed error is a plain run's.
 */
function unheardEmitter(error) {
  if (error === null || typeof error !== 'object') return undefined;
  for (const sym of Object.getOwnPropertySymbols(error)) {
    const enhance = error[sym];
    if (sym.description !== 'kEnhanceStackBeforeInspector' || typeof enhance !== 'function') continue;
    const text = String(enhance());
    if (text.includes(TRACER_DIR)) {
      try {
        Object.defineProperty(error, sym, { value: () => withoutOwnFrames(String(enhance())), configurable: true, writable: true });
      } catch (e) {
        swallowed(e);
      }
    }
    const m = /Emitted 'error' event(?: on (\S+) instance)? at:/.exec(text);
    return m ? m[1] || 'EventEmitter' : 'EventEmitter';
  }
  return undefined;
}

function onUncaught(error, origin) {
  hideOwnFrames(error);
  if (error !== null && typeof error === 'object' && error.name === 'DataCloneError' && lastClone !== undefined && exceptionOf(error).message === lastClone) return;
  // Handled by the program's own 'uncaughtException' listener: it goes on, nothing failed.
  if (origin === 'uncaughtException' && process.listenerCount('uncaughtException') > 0) return;
  const fields = { exception: exceptionOf(error), frames: framesOf(error && error.stack), origin };
  const emitter = unheardEmitter(error);
  if (emitter) {
    fields.origin = 'unhandled-error-event';
    fields.emitter = emitter;
  }
  if (!isMainThread && hasMessage) fields.task = { function: '<message>', args: [repr(lastMessage)], kwargs: {} };
  failureRecord(fields);
}

function installUncaught() {
  // The monitor only watches: the program's own handlers, exit status and printed error stay as they were.
  process.on('uncaughtExceptionMonitor', (error, origin) => {
    try {
      onUncaught(error, origin);
    } catch (e) {
      swallowed(e);
    }
  });
}

// ---- ports: the message being handled, messageerror, DataCloneError ---------------------------

/** The message of the last DataCloneError recorded: the same error going uncaught is not recorded twice. */
let lastClone;

/**
 * A postMessage threw. The error is not caught (a rethrow would move where Node says it was
 * thrown): clone is asked again, on the tracer's side, whether it refuses the value, and if so
 * the refusal is recorded with the call site and the path to the value. Worker construction
 * posts its `workerData` this way too, in its first message to the new thread.
 */
function noteFailedPost(value) {
  try {
    let error;
    try {
      structuredClone(value);
      return;
    } catch (e) {
      error = e;
    }
    if (error === null || typeof error !== 'object' || error.name !== 'DataCloneError') return;
    const starting = value !== null && typeof value === 'object' && 'workerData' in value && 'publicPort' in value;
    const frames = framesOf(new Error().stack);
    const site = frames[frames.length - 1];
    const callee = starting ? 'Worker' : 'postMessage';
    const { clonePath, argumentName } = require('./clonePath.cjs');
    const root = starting ? 'workerData' : site ? argumentName(site.file, site.line, callee, 'message') : 'message';
    lastClone = exceptionOf(error).message;
    failureRecord({ exception: exceptionOf(error), frames, origin: starting ? 'workerData' : 'postMessage', clonePath: clonePath(starting ? value.workerData : value, root) });
  } catch (e) {
    swallowed(e);
  }
}

function noteMessageError(error) {
  try {
    failureRecord({ exception: exceptionOf(error), frames: framesOf(error && error.stack), origin: 'messageerror' });
  } catch (e) {
    swallowed(e);
  }
}

function installPorts() {
  const proto = wt.MessagePort && wt.MessagePort.prototype;
  if (!proto) return;
  // Every message and messageerror of a port passes here (Node's internal dispatch, shared by
  // `on('message')`, `onmessage` and addEventListener): the cheapest place to see which was last.
  // Only worker threads handle tasks; the main thread's stacks keep no frame of the tracer's.
  const kDispatch = Symbol.for('nodejs.internal.kHybridDispatch');
  const dispatch = proto[kDispatch];
  if (isMainThread || typeof dispatch !== 'function') return;
  // Called once per message: a bound call, no arguments object (Node passes these three).
  const callDispatch = Function.prototype.call.bind(dispatch);
  proto[kDispatch] = function hybridDispatch(data, type, event) {
    if (type === 'message') {
      lastMessage = data;
      hasMessage = true;
    } else if (type === 'messageerror') {
      noteMessageError(data);
    }
    return callDispatch(this, data, type, event);
  };
}

// ---- worker threads -------------------------------------------------------------------------------

function workerFile(spec, options) {
  if (options && options.eval) return '<eval>';
  if (spec instanceof URL) return spec.protocol === 'file:' ? stackFile(spec.href) : spec.href;
  if (typeof spec === 'string') return spec.startsWith('file://') ? stackFile(spec) : path.resolve(spec);
  return String(spec);
}

function noteWorkerStart(worker, args, creation) {
  const options = args[1] && typeof args[1] === 'object' ? args[1] : {};
  const name = typeof options.name === 'string' ? options.name : '';
  const id = worker.threadId;
  const info = { id, name, terminated: false };
  workers.set(worker, info);
  const frames = framesOf(creation);
  const site = frames[frames.length - 1];
  emit('thread-start', {
    threadId: id,
    name: threadName(id, name),
    file: workerFile(args[0], options),
    createdAt: site ? { file: site.file, line: site.line, function: site.function } : null,
    parentThreadId: threadId,
  });
  // No listener is added (a second 'exit' listener changes the line of node:events in the
  // stacks of the program's own; an 'error' listener changes what an error does): the exit is
  // seen where Node's handle reports it, before the program's listeners hear of it.
  onExitOf(handleOf(worker), (code) => emit('thread-exit', { threadId: id, name: threadName(id, name), exitCode: code, terminated: info.terminated }));
}

/** A Worker's native handle (Node keeps it under a private symbol named kHandle). */
function handleOf(worker) {
  const sym = Object.getOwnPropertySymbols(worker).find((s) => s.description === 'kHandle');
  return sym ? worker[sym] : undefined;
}

/**
 * Calls `note` with the exit status a native handle reports, then Node's own `onexit`. Stacks
 * made by the program's exit listeners get room for the one frame this adds (the
 * uncaught-exception monitor takes it out of an error that ends the program).
 */
function onExitOf(handle, note) {
  const original = handle && handle.onexit;
  if (typeof original !== 'function') return;
  handle.onexit = function onexit() {
    try {
      Reflect.apply(note, undefined, arguments);
    } catch (e) {
      swallowed(e);
    }
    return asIfUnwrapped(1, () => Reflect.apply(original, this, arguments));
  };
}

/** The tracer's frames between the program and Node in a wrapped call: the wrapper, asIfUnwrapped, its callback. */
const WRAPPER_FRAMES = 3;

/**
 * Runs `fn` with room for `frames` more in new stacks (the tracer's own, taken out of an error
 * that goes uncaught): the stack the program sees is as deep as in a plain run.
 */
function asIfUnwrapped(frames, fn) {
  const limit = Error.stackTraceLimit;
  const bump = typeof limit === 'number' && Number.isFinite(limit);
  if (bump) Error.stackTraceLimit = limit + frames;
  // No catch: an error goes on from where it was thrown (a rethrow would move where Node says
  // it was); should it go uncaught, the monitor takes the tracer's frames out before it is printed.
  try {
    return fn();
  } finally {
    if (bump) Error.stackTraceLimit = limit;
  }
}

/**
 * A worker given an `env` object of its own reads NODE_OPTIONS from it, not from the process:
 * it gets the tracer's preload and channel added, on a copy (the program's objects stay as they
 * were). The worker sees them in its process.env, as the program's own process does.
 */
function withTracedEnv(args) {
  const options = args[1];
  if (!options || typeof options !== 'object' || !options.env || typeof options.env !== 'object' || options.env === process.env) return args;
  const preload = process.env.NODE_OPTIONS;
  if (!preload || options.env.WORKERSCOPE_CHANNEL) return args;
  const env = { ...options.env, WORKERSCOPE_CHANNEL: channelDir };
  const own = typeof options.env.NODE_OPTIONS === 'string' ? options.env.NODE_OPTIONS : '';
  const ours = preload.match(/--require (?:"(?:[^"\\]|\\.)*workerscope_node\.cjs"|\S*workerscope_node\.cjs)/);
  if (ours && !own.includes(ours[0])) env.NODE_OPTIONS = own ? `${ours[0]} ${own}` : ours[0];
  return [args[0], { ...options, env }, ...args.slice(2)];
}

function installWorkers() {
  const Original = wt.Worker;
  if (typeof Original !== 'function') return;
  // Worker's postMessage is Node's JavaScript around the port's native one: a clone error is
  // thrown in Node's frame, as in a plain run, whatever wraps it here.
  const post = Original.prototype.postMessage;
  if (typeof post === 'function') {
    Original.prototype.postMessage = function postMessage(value) {
      let posted = false;
      try {
        const result = Reflect.apply(post, this, arguments);
        posted = true;
        return result;
      } finally {
        if (!posted) noteFailedPost(value);
      }
    };
  }
  const terminateWorker = Original.prototype.terminate;
  Original.prototype.terminate = function terminate() {
    const info = workers.get(this);
    if (info) info.terminated = true;
    // asIfUnwrapped leaves none of the tracer's frames in its stacks: terminate() runs no program code.
    return Reflect.apply(terminateWorker, this, arguments);
  };
  // A proxy, not a subclass: `Worker.name`, `instanceof`, subclasses and statics stay Node's own.
  wt.Worker = new Proxy(Original, {
    construct(target, args, newTarget) {
      const creation = new Error();
      args = withTracedEnv(args);
      let worker;
      try {
        worker = asIfUnwrapped(WRAPPER_FRAMES, () => Reflect.construct(target, args, newTarget));
      } finally {
        // Its first message to the thread carries workerData: clone refused it (or the error was another).
        if (worker === undefined) noteFailedPost({ workerData: args[1] && args[1].workerData, publicPort: null });
      }
      try {
        noteWorkerStart(worker, args, creation.stack);
      } catch (e) {
        swallowed(e);
      }
      return worker;
    },
  });
  // Worker.prototype.constructor stays Node's class: V8 names a method's receiver in stacks
  // (`at Worker.<anonymous>`) by it, and a proxy there would print as EventEmitter. So
  // `worker.constructor === Worker` is the one identity that differs from a plain run.
}

// ---- child processes --------------------------------------------------------------------------

/** `node app.js 3`, `sh -c exit 3` or `cluster worker 2` (cluster.fork gives its worker the id in NODE_UNIQUE_ID). */
function childName(child, options) {
  const pairs = options && Array.isArray(options.envPairs) ? options.envPairs : [];
  const unique = pairs.find((pair) => typeof pair === 'string' && pair.startsWith('NODE_UNIQUE_ID='));
  if (unique) return `cluster worker ${unique.slice('NODE_UNIQUE_ID='.length)}`;
  const args = Array.isArray(child.spawnargs) ? child.spawnargs : [];
  const file = typeof child.spawnfile === 'string' ? path.basename(child.spawnfile) : 'child';
  const shown = (a) => (path.isAbsolute(a) ? path.basename(a) : a.length > 40 ? `${a.slice(0, 37)}...` : a);
  const rest = args.slice(1).map(shown).join(' ');
  const text = rest ? `${file} ${rest}` : file;
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function onChildExit(child, name, code, signal) {
  if (typeof child.pid !== 'number') return;
  // The handle reports the raw status; Node names the signal.
  if (typeof signal === 'number') signal = null;
  const signum = signal ? require('node:os').constants.signals[signal] : undefined;
  const exitCode = signum ? -signum : typeof code === 'number' ? code : null;
  // `killed`: the parent's own kill() reached it; its end is what the parent asked for.
  const terminated = child.killed === true;
  emit('child-exit', { child: child.pid, name, role: 'process', exitCode, terminated });
  if (exitCode !== 0 && exitCode !== null && !terminated) {
    emit('worker-lost', { child: child.pid, worker: name, role: 'process', exitCode, signal: signal || null, task: null, frames: [] });
  }
}

function installChildren() {
  const { ChildProcess } = require('node:child_process');
  if (typeof ChildProcess !== 'function' || typeof ChildProcess.prototype.spawn !== 'function') return;
  const spawn = ChildProcess.prototype.spawn;
  ChildProcess.prototype.spawn = function spawnTraced() {
    const result = asIfUnwrapped(WRAPPER_FRAMES, () => Reflect.apply(spawn, this, arguments));
    try {
      const name = childName(this, arguments[0]);
      if (typeof this.pid === 'number') onExitOf(this._handle, (code, signal) => onChildExit(this, name, code, signal));
    } catch (e) {
      swallowed(e);
    }
    return result;
  };
}

// ---- this process ---------------------------------------------------------------------------------

/** This process's cluster worker id, when it is one (only a child with an IPC channel can be). */
function clusterWorkerId() {
  if (typeof process.send !== 'function') return undefined;
  try {
    // Node's cluster setup has loaded the module in a cluster worker already: no cost, no effect.
    const cluster = require('node:cluster');
    return cluster.isWorker && cluster.worker ? cluster.worker.id : undefined;
  } catch (e) {
    swallowed(e);
    return undefined;
  }
}

function announce() {
  const me = processIdentity(clusterWorkerId());
  identity = me;
  // No 'exit' listener (it would show in the stacks of the program's own): the parent's
  // child-exit, or for the main process the runtime, knows how it ended.
  emit('process-start', { ppid: process.ppid, owner: null, role: me.role, name: me.name, node: process.versions.node });
}

function install() {
  if (isMainThread) announce();
  installUncaught();
  installPorts();
  installWorkers();
  installChildren();
  // `import { Worker } from 'node:worker_threads'` in ES modules reads the patched export.
  require('node:module').syncBuiltinESMExports();
}

module.exports = { install };
