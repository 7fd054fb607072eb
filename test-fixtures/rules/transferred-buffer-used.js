// Fixture for transferred-buffer-used: buffers read after postMessage transferred them.
const { Worker, MessageChannel } = require('node:worker_threads');

const worker = new Worker('./blur.js');

function blur(width, height) {
  const pixels = new Uint8Array(width * height * 4);
  worker.postMessage({ pixels }, [pixels.buffer]);
  console.log(`sent ${pixels.length} bytes`); // [transferred-buffer-used]
}

function send(port) {
  const raw = new ArrayBuffer(1024);
  port.postMessage(raw, { transfer: [raw] });
  return raw.byteLength; // [transferred-buffer-used]
}
const { port1 } = new MessageChannel();
send(port1);

function pair(width) {
  const left = new Float32Array(width);
  const right = new Float32Array(width);
  worker.postMessage({ left, right }, [left.buffer, right.buffer]);
  const first = left[0]; // [transferred-buffer-used]
  return first + right[0]; // [transferred-buffer-used]
}

function onlyTransferred(width) {
  const scratch = new Uint8Array(width);
  // The message does not carry `scratch`: taking it out of the list would send nothing; no fix.
  worker.postMessage({ width }, [scratch.buffer]);
  return scratch.length; // [transferred-buffer-used]
}

// OK

function sizeFirst(width) {
  const pixels = new Uint8Array(width * 4);
  const size = pixels.length;
  worker.postMessage({ pixels }, [pixels.buffer]);
  return size;
}

function copied(width) {
  const pixels = new Uint8Array(width * 4);
  const copy = pixels.slice();
  worker.postMessage({ copy }, [copy.buffer]);
  return pixels.length;
}

function otherBranch(width, fast) {
  const pixels = new Uint8Array(width * 4);
  if (fast) {
    worker.postMessage({ pixels }, [pixels.buffer]);
    return 0;
  }
  return pixels.length;
}

function reassigned(width) {
  let pixels = new Uint8Array(width * 4);
  worker.postMessage({ pixels }, [pixels.buffer]);
  pixels = new Uint8Array(width * 4);
  return pixels.length;
}

function notTransferred(width) {
  const pixels = new Uint8Array(width * 4);
  worker.postMessage({ pixels });
  return pixels.length;
}

module.exports = { blur, sizeFirst, copied, otherBranch, reassigned, notTransferred };
