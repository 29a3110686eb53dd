/** `mwan-track -s SOCK -i IFACE --settings JSON [-v]` → validated options. */
import { parseArgs } from 'node:util';
import { SettingsError } from './errors.js';
import { parseSettings, type TrackSettings } from './settings.js';

export interface TrackArgs {
  socketPath: string | undefined;
  iface: string;
  settings: TrackSettings;
  verbose: boolean;
}

export const USAGE = 'usage: mwan-track [-s SOCKET] -i INTERFACE --settings JSON [-v]';

/** Parses argv (without node and script); throws SettingsError naming the flag or field. */
export function parseTrackArgs(argv: string[]): TrackArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        socket: { type: 'string', short: 's' },
        interface: { type: 'string', short: 'i' },
        settings: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new SettingsError('argv', (err as Error).message);
  }
  const iface = values.interface;
  if (!iface || !/^[A-Za-z0-9_.-]{1,64}$/.test(iface)) throw new SettingsError('-i', `interface name required (letters, digits, _ . -), got ${JSON.stringify(iface ?? '')}`);
  if (values.settings === undefined) throw new SettingsError('--settings', 'required');
  let json: unknown;
  try {
    json = JSON.parse(values.settings);
  } catch (err) {
    throw new SettingsError('--settings', `not JSON: ${(err as Error).message}`);
  }
  const settings = parseSettings(json);
  if (settings.trackIp.length === 0) throw new SettingsError('settings.trackIp', 'no targets (an interface without track_ip needs no tracker)');
  return { socketPath: values.socket, iface, settings, verbose: values.verbose ?? false };
}
