// Fixture for unserializable-argument in JavaScript: values structured clone or IPC cannot carry.
const { Worker, MessageChannel, parentPort, workerData } = require('node:worker_threads');
const { fork } = require('node:child_process');
const EventEmitter = require('node:events');
const fs = require('node:fs');
const net = require('node:net');
const http = require('node:http');

const worker = new Worker('./resize.js');

class Job {
  #tries = 0;
  constructor(file) {
    this.file = file;
  }
  outputName() {
    return this.file.replace(/\.png$/, '.webp');
  }
}

class UrgentJob extends Job {}

const job = new Job('a.png');
worker.postMessage(job); // [unserializable-argument]
worker.postMessage({ jobs: [new UrgentJob('b.png')] }); // [unserializable-argument]
//                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ [unserializable-argument]

const kind = Symbol('resize');
worker.postMessage({ kind, file: 'a.png' }); // [unserializable-argument]
worker.postMessage({ [Symbol.for('id')]: 1, file: 'a.png' }); // [unserializable-argument]
worker.postMessage({ seen: new WeakSet() }); // [unserializable-argument]
worker.postMessage({ cache: new WeakMap(), ref: new WeakRef(job) }); // [unserializable-argument, unserializable-argument]

const pending = new Promise((resolve) => setTimeout(resolve, 10));
worker.postMessage({ pending }); // [unserializable-argument]
worker.postMessage({ body: fetch('https://example.com/a.png') }); // [unserializable-argument]
async function load(file) {
  return fs.promises.readFile(file);
}
worker.postMessage({ data: load('a.png') }); // [unserializable-argument]
worker.postMessage({ all: Promise.all([load('a'), load('b')]).then((x) => x.length) }); // [unserializable-argument]

function* numbers() {
  yield 1;
}
structuredClone({ values: numbers() }); // [unserializable-argument]

const options = { logger: { stream: fs.createWriteStream('log.txt') } };
const w2 = new Worker('./log.js', { workerData: options }); // [unserializable-argument]
w2.postMessage({ out: process.stdout }); // [unserializable-argument]

const bus = new EventEmitter();
const { port1 } = new MessageChannel();
port1.postMessage({ bus }); // [unserializable-argument]

function forward(port, socket) {
  port.postMessage({ socket }); // [unserializable-argument]
}
net.createServer((socket) => forward(port1, socket));
worker.postMessage(net.connect(80, 'example.com')); // [unserializable-argument]

http.createServer((req, res) => {
  worker.postMessage({ req, path: req.url }); // [unserializable-argument]
  res.end();
});

const child = fork('./child.js');
child.send({ job }); // [unserializable-argument]
child.send({ result: load('a.png') }); // [unserializable-argument]
const advanced = fork('./child.js', [], { serialization: 'advanced' });
advanced.send({ kind }); // [unserializable-argument]
if (process.send) process.send({ cache: new WeakMap() }); // [unserializable-argument]

if (parentPort) parentPort.postMessage({ status: new (class { get done() { return true; } })() }); // [unserializable-argument]

// OK

class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
  static origin() {
    return new Point(0, 0);
  }
}
worker.postMessage({ at: new Point(1, 2) }); // fields only: nothing is lost

class Report {
  constructor(rows) {
    this.rows = rows;
  }
  toJSON() {
    return { rows: this.rows };
  }
}
child.send(new Report([1])); // JSON IPC calls toJSON

class Failure extends Error {}
async function main() {
  worker.postMessage({ body: await fetch('https://example.com/a.png') });
  worker.postMessage({ data: await load('a.png'), failure: new Failure('x') });
}
void main();

worker.postMessage({ file: 'a.png', when: new Date(), map: new Map(), set: new Set([1]), re: /x/, err: new Error('e') });
worker.postMessage({ pixels: new Uint8Array(4), raw: new ArrayBuffer(8), size: 10n });
worker.postMessage({ description: kind.description, ['file']: 'a.png' });
worker.postMessage(workerData);
const bluebird = require('bluebird');
worker.postMessage({ p: bluebird.resolve(1) }); // not known: not reported
const someOtherTarget = { postMessage(m) { return m; } };
someOtherTarget.postMessage({ p: new Promise(() => {}) });
worker.postMessage({ cache: new WeakMap() }); // workerscope-ignore unserializable-argument
worker.postMessage({ fn: () => 1 }); // unserializable-callable's finding, not this rule's
