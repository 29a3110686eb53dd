/** explain SRC DST [PROTO [PORT]] [--in IFACE] */
import { isIP } from 'node:net';
import type { UbusData } from 'ubus-ts';
import { CliError, ExitCode, callMwan, printJson, withBus } from './context.js';
import { formatExplain } from './format.js';
import type { MwandCommand } from './types.js';

const USAGE = 'usage: mwan explain SRC DST [PROTO [PORT]] [--in IFACE]';
/** a netifd interface name, as the config's src_iface (mwand checks the same) */
const IFACE = /^[A-Za-z0-9_]{1,64}$/;
const PROTOS = new Set(['all', 'icmp', 'igmp', 'tcp', 'udp', 'gre', 'esp', 'ah', 'icmpv6', 'ipv6-icmp', 'sctp']);

/** Takes `--in IFACE` (the netifd interface the flow arrives on) out of the arguments. */
function inboundOption(argv: readonly string[]): { args: string[]; srcIface?: string } {
  const args: string[] = [];
  let srcIface: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a !== '--in') {
      args.push(a);
      continue;
    }
    const v = argv[++k];
    if (v === undefined || v === '') throw new CliError(ExitCode.USAGE, `mwan explain: --in needs a value (the netifd interface the flow arrives on, e.g. lan); ${USAGE}`);
    if (srcIface !== undefined) throw new CliError(ExitCode.USAGE, `mwan explain: --in given twice; ${USAGE}`);
    if (!IFACE.test(v)) throw new CliError(ExitCode.USAGE, `mwan explain: --in '${v}' is not a netifd interface name (1-64 letters, digits, _)`);
    srcIface = v;
  }
  return srcIface === undefined ? { args } : { args, srcIface };
}

/**
 * Checks SRC DST [PROTO [PORT]] [--in IFACE] before mwand is contacted, naming the field that is
 * wrong (exit 64), and builds the `explain` arguments (`--in` becomes `src_iface`).
 */
export function explainArgs(argv: readonly string[]): UbusData {
  const { args, srcIface } = inboundOption(argv);
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
  if (srcIface !== undefined) q.src_iface = srcIface;
  return q;
}

export const explain: MwandCommand = {
  name: 'explain',
  args: '<src> <dst> [<proto> [<port>]] [--in <iface>]',
  help: 'Show which rule, policy and interface a new flow would take now, and why (--in: the netifd interface it arrives on, for src_iface rules)',
  async run(args, ctx) {
    const q = explainArgs(args);
    const r = await withBus(ctx, (bus) => callMwan(bus, 'explain', q));
    if (ctx.json) printJson(ctx, r);
    else ctx.stdout.write(formatExplain(r));
    return ExitCode.OK;
  },
};
