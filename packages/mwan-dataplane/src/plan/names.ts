/** Names of everything mwan creates in its nft table (the cross-helper contract). */
import type { IpFamily } from './types.js';

export const TABLE = { family: 'inet' as const, table: 'mwan' };

const fam = (f: IpFamily): string => (f === 'ipv4' ? 'v4' : 'v6');

export const names = {
  connected: (f: IpFamily): string => `connected_${fam(f)}`,
  custom: (f: IpFamily): string => `custom_${fam(f)}`,
  dynamic: (f: IpFamily): string => `dynamic_${fam(f)}`,
  /** the nft set a rule's `ipset NAME` refers to: NAME holds IPv4, NAME_v6 holds IPv6 */
  ipset: (name: string, f: IpFamily): string => (f === 'ipv4' ? name : `${name}_v6`),
  /** sets packet mark and conntrack mark to the interface's mark */
  markChain: (iface: string): string => `mark_${iface}`,
  /** sets only the packet mark (restoring it from the conntrack mark) */
  restoreChain: (iface: string): string => `restore_${iface}`,
  /** inbound on a WAN device */
  inChain: (iface: string): string => `in_${iface}`,
  setDefault: 'set_default',
  setUnreachable: 'set_unreachable',
  setBlackhole: 'set_blackhole',
  /** packet-only default mark for an already-marked connection's packet to a connected network */
  pktDefault: 'pkt_default',
  policyChain: (policy: string, f: IpFamily): string => `policy_${policy}_${fam(f)}`,
  stickyChain: (rule: string, f: IpFamily): string => `sticky_${rule}_${fam(f)}`,
  /** sources a sticky rule has sent via one interface (dynamic set with the rule's timeout) */
  stickySet: (rule: string, iface: string, f: IpFamily): string => `sticky_${rule}_${iface}_${fam(f)}`,
  /** verdict map: a WAN's own source address -> goto mark_<wan> (router-originated traffic) */
  srcWanMap: (f: IpFamily): string => `src_wan_${fam(f)}`,
  rulesChain: (f: IpFamily): string => `rules_${fam(f)}`,
  classify: 'classify',
  prerouting: 'prerouting',
  output: 'output',
};
