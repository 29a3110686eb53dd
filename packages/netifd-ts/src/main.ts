/**
 * netifd-ts -s SOCKET --interface NAME=DEVICE ... | --config FILE.json
 * Wires rtnetlink (the namespace this process runs in), the ubus client and the service.
 */
import { connect } from 'ubus-ts';
import { openRtnl } from 'mwan-rtmon/netlink/index';
import { parseArgs, type NetifdArgs } from './args.js';
import { NetifdService } from './service.js';

async function main(): Promise<void> {
  let args: NetifdArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = (msg: string): void => { if (args.verbose) process.stderr.write(`netifd-ts: ${msg}\n`); };
  const rtnl = openRtnl({
    groups: ['LINK', 'IPV4_IFADDR', 'IPV6_IFADDR', 'IPV4_ROUTE', 'IPV6_ROUTE'],
    onError: (e) => process.stderr.write(`netifd-ts: netlink: ${e.message}\n`),
  });
  const client = await connect(args.socket === undefined ? {} : { socketPath: args.socket });
  const service = new NetifdService({ client, rtnl, interfaces: args.interfaces, log });
  await service.start();
  log('running');
  const shutdown = (): void => {
    void service.stop().finally(() => {
      rtnl.close();
      void client.close().finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: Error) => {
  process.stderr.write(`netifd-ts: ${err.message}\n`);
  process.exit(1);
});
