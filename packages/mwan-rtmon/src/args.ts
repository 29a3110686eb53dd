/** Command-line flags of mwan-rtmon. */
import { UsageError } from './errors.js';

export interface RtmonArgs {
  socket: string | undefined;
  configDir: string;
  verbose: boolean;
}

export function parseArgs(argv: readonly string[]): RtmonArgs {
  const out: RtmonArgs = { socket: undefined, configDir: '/etc/config', verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-s') out.socket = value();
    else if (a === '-c') out.configDir = value();
    else if (a === '-v') out.verbose = true;
    else if (a === '-h' || a === '--help') throw new UsageError('usage: mwan-rtmon [-s UBUS_SOCKET] [-c CONFIG_DIR] [-v]');
    else throw new UsageError(`unknown argument ${JSON.stringify(a)}`);
  }
  return out;
}
