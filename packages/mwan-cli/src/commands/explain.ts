/** explain SRC DST [PROTO [PORT]] */
import { isIP } from 'node:net';
import type { UbusData } from 'ubus-ts';
import { CliError, ExitCode, callMwan, printJson, withBus } from './context.js';
import { formatExplain } from './format.js';
import type { MwandCommand } from './types.js';

const USAGE = 'usage: mwan explain SRC DST [PROTO [PORT]]';
const PROTOS = new Set(['all', 'icmp', 'igmp', 'tcp', 'udp', 'gre', 'esp', 'ah', 'icmpv6', 'ipv6-icmp', 'sctp']);

/**
 * Checks SRC DST [PROTO [PORT]] before mwand is contacted, naming the field that is wrong
 * (exit 64), and builds the `explain` arguments.
 */
export function explainArgs(args: readonly string[]): UbusData {
  if (args.length < 2 || args.length > 4) throw new CliError(ExitCode.USAGE, `mwan explain: ${args.length < 2 ? 'SRC and DST are required' : 'too many arguments'}; ${USAGE}`);
  const [src, dst, proto, port] = args as [string, string, string?, string?];
  const fam = (field: string, v: string): number => {
    const f = isIP(v);
    if (f === 0) throw new CliError(ExitCode.USAGE, `mwan explain: ${field} '${v}' is not an IP address`);
    return f;
  };
  if (fam('SRC', src) !== fam('DST', dst)) throw new CliError(ExitCode.USAGE, `mwan explain: SRC '${src}' and DST '${dst}' are of different families (IPv4 and IPv6)`);
  const q: UbusData = { src, dst };
  if (proto !== undefined) {
    const p = proto.toLowerCase();
    if (!PROTOS.has(p) && !(/^\d{1,3}$/.test(p) && Number(p) <= 255)) {
      throw new CliError(ExitCode.USAGE, `mwan explain: PROTO '${proto}' is not a protocol (${[...PROTOS].join(', ')} or a number 0-255)`);
    }
    q.proto = proto;
  }
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new CliError(ExitCode.USAGE, `mwan explain: PORT '${port}' is not a number 0-65535`);
    q.port = Number(port);
  }
  return q;
}

export const explain: MwandCommand = {
  name: 'explain',
  args: '<src> <dst> [<proto> [<port>]]',
  help: 'Show which rule, policy and interface a flow would take now, and why',
  async run(args, ctx) {
    const q = explainArgs(args);
    const r = await withBus(ctx, (bus) => callMwan(bus, 'explain', q));
    if (ctx.json) printJson(ctx, r);
    else ctx.stdout.write(formatExplain(r));
    return ExitCode.OK;
  },
};
