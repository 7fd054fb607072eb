// ES module: one worker calls process.exit(3); then another is terminated by the program (no
// failure); then an eval'd worker ends cleanly. One after another, so the output has one order.
import { Worker, isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const quitter = new Worker(new URL(import.meta.url), { name: 'quitter', workerData: 'quit' });
  quitter.on('exit', (code) => {
    console.log('quitter exit', code);
    const sleeper = new Worker('setInterval(() => {}, 1000)', { eval: true, name: 'sleeper' });
    sleeper.on('online', () => sleeper.terminate());
    sleeper.on('exit', (code) => {
      console.log('sleeper exit', code);
      const fine = new Worker('1 + 1', { eval: true });
      fine.on('exit', (code) => console.log('fine exit', code));
    });
  });
} else {
  process.exit(3);
}
