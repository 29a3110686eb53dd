/**
 * `node responder-main.js PORT ADDR...` inside the internet namespace. Reads JSON lines on stdin:
 * {"delay":{"<source>":ms}}; answers {"ok":true} per line on stdout. Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { Responder } from './responder.js';

const [port, ...addresses] = process.argv.slice(2);
const responder = new Responder({ port: Number(port), addresses });
await responder.start();
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  try {
    const cmd = JSON.parse(line) as { delay?: Record<string, number> };
    for (const [src, ms] of Object.entries(cmd.delay ?? {})) responder.setDelay(src, ms);
    process.stdout.write(JSON.stringify({ ok: true, delayed: responder.delayedSources() }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(err) }) + '\n');
  }
});
rl.on('close', () => { responder.stop(); process.exit(0); });
process.on('SIGTERM', () => { responder.stop(); process.exit(0); });
