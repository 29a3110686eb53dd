/** Human-readable route lines in `ip route` style, for the ubus `routes` method and logs. */
import { prefixText } from './netlink/ip.js';
import { multipathDevices } from './netlink/decode.js';
import { RT_SCOPE, RTN, type RouteEntry } from './netlink/types.js';

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(RTN).map(([k, v]) => [v, k.toLowerCase()]));
const SCOPE_NAMES: Record<number, string> = { [RT_SCOPE.UNIVERSE]: 'global', [RT_SCOPE.SITE]: 'site', [RT_SCOPE.LINK]: 'link', [RT_SCOPE.HOST]: 'host', [RT_SCOPE.NOWHERE]: 'nowhere' };
const PROTO_NAMES: Record<number, string> = { 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 9: 'ra', 11: 'zebra', 12: 'bird', 16: 'dhcp', 42: 'babel' };

export function routeText(r: RouteEntry, devName: (index: number) => string | undefined = () => undefined): string {
  const parts: string[] = [];
  if (r.type !== RTN.UNICAST) parts.push(TYPE_NAMES[r.type] ?? `type${r.type}`);
  parts.push(r.dstLen === 0 ? 'default' : prefixText(r.dst, r.dstLen));
  if (r.srcLen > 0 && r.src) parts.push('from', prefixText(r.src, r.srcLen));
  if (r.tos) parts.push('tos', `0x${r.tos.toString(16)}`);
  if (r.gateway) parts.push('via', r.gateway);
  if (r.oif !== undefined) parts.push('dev', devName(r.oif) ?? `if${r.oif}`);
  if (r.protocol !== 3) parts.push('proto', PROTO_NAMES[r.protocol] ?? String(r.protocol));
  if (r.scope !== RT_SCOPE.UNIVERSE) parts.push('scope', SCOPE_NAMES[r.scope] ?? String(r.scope));
  if (r.prefsrc) parts.push('src', r.prefsrc);
  if (r.priority) parts.push('metric', String(r.priority));
  if (r.multipath) {
    for (const d of multipathDevices(Buffer.from(r.multipath, 'hex'), 0)) parts.push('nexthop', 'dev', devName(d) ?? `if${d}`);
  }
  return parts.join(' ');
}
