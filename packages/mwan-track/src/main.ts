/** mwan-track: wiring only (flags, components, signals). See docs/tracker.md. */
import { connect } from 'ubus-ts';
import { parseTrackArgs, USAGE } from './cli-args.js';
import { monotonicClock } from './clock.js';
import { TrackError } from './errors.js';
import { checkMethod, createProber } from './probes/index.js';
import { Tracker } from './tracker.js';
import { UbusFace } from './ubus-face.js';

let args;
try {
  args = parseTrackArgs(process.argv.slice(2));
  checkMethod(args.settings);
} catch (err) {
  process.stderr.write(`mwan-track: ${(err as Error).message}\n${err instanceof TrackError && err.code === 'ERR_TRACK_SETTINGS' ? USAGE + '\n' : ''}`);
  process.exit(2);
}
const { iface, settings, socketPath, verbose } = args;
const log = (level: 'info' | 'notice' | 'warn', msg: string): void => {
  if (level !== 'info' || verbose) process.stderr.write(`mwan-track[${iface}] ${level}: ${msg}\n`);
};

let face: UbusFace | null = null;
const tracker = new Tracker(iface, settings, {
  clock: monotonicClock,
  createProber: (binding) => createProber(settings, binding),
  onChange: (change) => face?.publish(change),
  onFigures: (figures) => face?.publishFigures(figures),
  log,
});
face = new UbusFace(iface, tracker, {
  clock: monotonicClock,
  log,
  connect: () => connect({ socketPath, reconnect: true }),
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('notice', `stopping on ${signal}, state ${tracker.status().state}`);
  await tracker.stop();
  await face?.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

tracker.start();
void face.start();
