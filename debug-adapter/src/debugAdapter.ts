/**
 * The debug adapter's entry: speaks DAP on stdin/stdout, or with `--server=PORT` listens on
 * 127.0.0.1:PORT (one session per connection) so the adapter itself can be debugged while VS Code
 * connects to it through `debugServer` in a launch configuration.
 */
import * as net from 'node:net';
import { WorkerscopeSession } from './session';

const serverArg = process.argv.slice(2).map((arg) => /^--server=(\d{1,5})$/.exec(arg)).find(Boolean);

if (serverArg) {
  const port = Number(serverArg[1]);
  net.createServer((socket) => {
    const session = new WorkerscopeSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
  }).listen(port, '127.0.0.1', () => {
    process.stderr.write(`Workerscope debug adapter waiting for DAP on 127.0.0.1:${port}\n`);
  });
} else {
  const session = new WorkerscopeSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}
