// Fixture for unguarded-entry-point in JavaScript: a file that starts itself in a worker.
const { Worker, isMainThread } = require('node:worker_threads');
const path = require('path');
const cluster = require('cluster');

if (isMainThread) {
  const worker = new Worker(__filename); // [unguarded-entry-point]
  //             ^^^^^^^^^^^^^^^^^^^^^^ [unguarded-entry-point]
  worker.on('message', (m) => console.log(m));
}

function spawnAll(n) {
  return Array.from({ length: n }, () => new Worker(path.join(__dirname, 'unguarded-entry-point.js'))); // [unguarded-entry-point]
}

function main() {
  spawnAll(4);
}

if (isMainThread) {
  main();

  if (require.main === module) {
    // Not a guard: a worker thread's require.main is its own module too.
    new Worker(__filename); // [unguarded-entry-point]
  }
}

// OK

if (cluster.isPrimary) {
  cluster.fork();
  cluster.on('exit', () => cluster.fork());
}

function onlyExported() {
  return new Worker(__filename);
}
module.exports = { onlyExported };

new Worker(path.join(__dirname, 'other-worker.js'));
new Worker('console.log(1)', { eval: true });
