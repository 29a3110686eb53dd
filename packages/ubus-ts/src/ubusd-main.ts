/**
 * ubusd-ts: a ubusd-compatible broker. Flags as ubusd: `-s SOCKET` (default
 * /var/run/ubus/ubus.sock), `-A DIR` (ACL files, default /usr/share/acl.d). SIGHUP reloads the
 * ACLs; SIGINT/SIGTERM close the socket and exit.
 */
import { startBroker } from './broker/index.js';

const USAGE = `Usage: ubusd-ts [<options>]
Options:
  -A <path>:    Set the path to ACL files
  -s <socket>:  Set the unix domain socket to listen on
`;

function parseArgs(argv: string[]): { socketPath: string; aclDir: string } {
  const out = { socketPath: '/var/run/ubus/ubus.sock', aclDir: '/usr/share/acl.d' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = a.length > 2 ? a.slice(2) : argv[++i];
      if (v === undefined) throw new Error(`option ${a.slice(0, 2)} needs an argument`);
      return v;
    };
    if (a.startsWith('-s')) out.socketPath = value();
    else if (a.startsWith('-A')) out.aclDir = value();
    else throw new Error(`unknown option ${a}`);
  }
  return out;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`ubusd-ts: ${(err as Error).message}\n${USAGE}`);
    process.exit(1);
  }
  const broker = await startBroker({
    socketPath: args.socketPath,
    aclDir: args.aclDir,
    onRefused: (reason) => process.stderr.write(`ubusd-ts: connection refused: ${reason}\n`),
  });
  process.on('SIGHUP', () => {
    const report = broker.reloadAcl();
    for (const [file, why] of Object.entries(report?.skipped ?? {})) process.stderr.write(`ubusd-ts: ${file}: ${why}\n`);
  });
  const stop = (): void => {
    void broker.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`ubusd-ts: ${(err as Error).message}\n`);
  process.exit(1);
});
