// Fixture for unserializable-callable in JavaScript: code sent to another thread or process.
const { Worker, MessageChannel, parentPort } = require('node:worker_threads');
const { fork } = require('node:child_process');
const workerpool = require('workerpool');

const worker = new Worker('./resize.js', {
  workerData: { size: 10, log: console.log.bind(console) }, // [unserializable-callable]
});

function onDone(result) {
  console.log(result);
}

const job = { file: 'a.png', onDone };
worker.postMessage(job); // [unserializable-callable]

const base = { retries: 3, retry: () => 1 };
worker.postMessage({ ...base, id: 1 }); // [unserializable-callable]

function send(port, message) {
  port.postMessage(message); // [unserializable-callable]
}
const { port1 } = new MessageChannel();
send(port1, { render() { return 1; } });

class Task {}
structuredClone([1, Task]); // [unserializable-callable]

const child = fork('./child.js');
child.send({ cb: function () {} }); // [unserializable-callable]

const factor = 3;
const pool = workerpool.pool();
pool.exec((x) => x * factor, [2]); // [unserializable-callable]

if (parentPort) parentPort.postMessage(() => 1); // [unserializable-callable]

// OK

const Promise = require('bluebird'); // the worker has its own global Promise
pool.exec((ms) => new Promise((done) => setTimeout(done, ms)), [10]);

worker.postMessage({ file: 'a.png', when: new Date(), data: new Map(), re: /x/ });
worker.postMessage(JSON.stringify({ f: () => 1 }));
child.send({ kind: 'done', n: 1 });
pool.exec((x, y) => x * y + Math.max(x, y), [2, factor]);
pool.exec(function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }, [10]);
pool.exec('remoteMethod', [1]);
const someOtherTarget = { postMessage(m) { return m; } };
someOtherTarget.postMessage(() => 1);
worker.on('message', (m) => onDone(m));
worker.postMessage(() => 1); // workerscope-ignore unserializable-callable
// workerscope-ignore
worker.postMessage({ later: () => 1 });
