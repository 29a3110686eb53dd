/**
 * mwan-rtmon -s SOCKET -c CONFIG_DIR [-v]
 * Wires the rtnetlink socket, the nft set backend and watcher, the ubus client and the service.
 */
import { connect } from 'ubus-ts';
import { loadRtmonConfig } from './config.js';
import { parseArgs, type RtmonArgs } from './args.js';
import { nftSetBackend, NFT_TABLE } from './apply/nft-sets.js';
import { watchNft } from './apply/nft-watch.js';
import { listIpRules } from './apply/ip-rules.js';
import { openRtnl } from './netlink/socket.js';
import { Rtmon, type LogLevel } from './rtmon.js';
import { RtmonService } from './service.js';

async function main(): Promise<void> {
  let args: RtmonArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = (level: LogLevel, msg: string): void => {
    if (level === 'debug' && !args.verbose) return;
    process.stderr.write(`mwan-rtmon: ${level}: ${msg}\n`);
  };
  const rtnl = openRtnl({
    groups: ['IPV4_ROUTE', 'IPV6_ROUTE', 'IPV4_IFADDR', 'IPV6_IFADDR', 'LINK'],
    onError: (e) => log('warn', `netlink: ${e.message}`),
  });
  const client = await connect(args.socket === undefined ? {} : { socketPath: args.socket });
  let service: RtmonService | undefined;
  const rtmon = new Rtmon({
    rtnl,
    sets: nftSetBackend(),
    watchSets: (cb) => watchNft(NFT_TABLE.name, cb, (e) => log('warn', `nft watch: ${e.message}`)),
    log,
    publish: (ev) => service?.publish(ev),
    listRules: listIpRules,
  });
  service = new RtmonService({ client, rtmon, loadConfig: () => loadRtmonConfig(args.configDir), log });
  await service.start();
  log('info', 'running');
  const shutdown = (): void => {
    void service!.stop().finally(() => {
      rtnl.close();
      void client.close().finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: Error) => {
  process.stderr.write(`mwan-rtmon: ${err.message}\n`);
  process.exit(1);
});
