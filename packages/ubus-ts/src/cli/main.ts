/** bin `ubus-ts`: the stock `ubus` command line on ubus-ts (wiring only; see run.ts). */
import { systemClock } from '../clock.js';
import { runCli } from './run.js';

const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  stderrIsTTY: process.stderr.isTTY === true,
  clock: systemClock,
  interrupted,
  prog: 'ubus-ts',
});
// let piped output drain before leaving
process.stdout.write('', () => process.exit(code));
