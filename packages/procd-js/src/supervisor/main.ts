/**
 * procd-ts: procd's service manager on a ubus socket. Flags only; see docs/procd.md.
 *   procd-ts [-s SOCKET] [-l LOGDIR] [-e]
 */
import { ProcdUsageError } from '../errors.js';
import { startProcd } from './daemon.js';

const USAGE = `Usage: procd-ts [-s SOCKET] [-l LOGDIR] [-e]
  -s SOCKET  ubus socket (default /var/run/ubus/ubus.sock)
  -l LOGDIR  write instances' stdout/stderr to LOGDIR/<service>.<instance>.log
  -e         also copy instances' output to stderr (the default without -l)
`;

export interface MainFlags {
  socketPath: string;
  logDir: string | undefined;
  echo: boolean;
}

export function parseFlags(argv: readonly string[]): MainFlags {
  const flags: MainFlags = { socketPath: '/var/run/ubus/ubus.sock', logDir: undefined, echo: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new ProcdUsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-s') flags.socketPath = value();
    else if (a === '-l') flags.logDir = value();
    else if (a === '-e') flags.echo = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new ProcdUsageError(`unknown argument ${a}`);
  }
  return flags;
}

async function main(): Promise<void> {
  let flags: MainFlags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`procd-ts: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  let exitCode = 0;
  let shutdown = (): void => {};
  const daemon = await startProcd({
    socketPath: flags.socketPath,
    logDir: flags.logDir,
    echoOutput: flags.echo || !flags.logDir,
    // without object 'service' nobody reaches us: stop the instances and exit 1 (restart procd-ts)
    onServiceLost: () => {
      process.stderr.write("procd-ts: exiting: object 'service' is lost; stopping every instance\n");
      exitCode = 1;
      shutdown();
    },
  });
  shutdown = (): void => {
    void daemon.stop().then(() => process.exit(exitCode));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`procd-ts: ${(err as Error).message}\n`);
  process.exit(1);
});
