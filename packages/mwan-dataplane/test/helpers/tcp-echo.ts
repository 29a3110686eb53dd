/** Runs on the router: a TCP echo server on :6000 (all addresses). */
import { createServer } from 'node:net';

const server = createServer((s) => s.pipe(s));
server.listen(6000, '0.0.0.0', () => process.stdout.write('ready\n'));
setTimeout(() => process.exit(0), 60_000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
