// A cluster worker exits with status 5.
const cluster = require('node:cluster');

if (cluster.isPrimary) {
  const worker = cluster.fork();
  worker.on('exit', (code) => console.log('cluster worker exit', code));
} else {
  setTimeout(() => process.exit(5), 10);
}
