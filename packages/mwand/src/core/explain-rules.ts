/**
 * Whether one user rule matches a flow, as the rule's nft match statements would (mwan-dataplane
 * plan/matches.ts), with the reason when it does not. Set members and the inbound interface come
 * in as data; nothing here reads the kernel.
 */
import { entryContains, parsePrefix, prefixContains, type Address } from './ip.js';
import type { ControllerState, Family, RuleConfig } from './model.js';
import { interfaceStatus } from './status.js';

/** A set's entries ("a", "a/len", "a-b") as read from the running ruleset, or why they could not be read. */
export type SetEntries = readonly string[] | { error: string };

/**
 * Members of the sets user rules name (`option ipset`), by that name and family: the dataplane
 * matches `ip daddr @NAME` (IPv4) and `ip6 daddr @NAME_v6` (IPv6). A missing entry was not read.
 */
export type IpsetMembers = Readonly<Record<string, Readonly<Partial<Record<Family, SetEntries>>>>>;

/** The flow as the rule matcher sees it (parsed and checked by explain). */
export interface RuleFlow {
  family: Family;
  src: Address;
  dst: Address;
  proto: string;
  port: number | undefined;
  /** netifd interface the flow arrives on, when the query gave one */
  srcIface: string | undefined;
  /** that interface's device, when mwand knows it (srcIfaceDevice) */
  inDevice: string | undefined;
}

/** Why a rule did not match; `evaluated: false` when explain could not tell (missing input). */
export interface RuleMiss {
  reason: string;
  evaluated?: false;
}

const PROTO_NUMBERS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, 'ipv6-icmp': 58, sctp: 132 };

export function protoNumber(p: string): number | undefined {
  if (/^\d+$/.test(p)) return Number(p) <= 255 ? Number(p) : undefined;
  return PROTO_NUMBERS[p.toLowerCase()];
}

/**
 * The device the dataplane knows an interface by: the planner gives a WAN a device only while
 * it is enabled, netifd has it up with a device and it is not administratively down (wanInfos,
 * fed by the same interfaceStatus). Interfaces outside the mwan config have none.
 */
export function dataplaneDevice(state: ControllerState, name: string): string | undefined {
  const i = state.config.interfaces.find((x) => x.name === name);
  if (!i) return undefined;
  const s = interfaceStatus(state, i);
  return s.up && s.device ? s.device : undefined;
}

/**
 * The device a rule's `src_iface` matches in the dataplane: an mwan interface's as above; any
 * other netifd interface mwand follows (lan) has netifd's device while it is up
 * (adapters/dataplane.ts srcIfaceDevices feeds the planner the same).
 */
export function srcIfaceDevice(state: ControllerState, name: string): string | undefined {
  if (state.config.interfaces.some((x) => x.name === name && x.enabled)) return dataplaneDevice(state, name);
  const n = state.netifd[name];
  return n?.up && n.device ? n.device : undefined;
}

/** Why `rule` does not match the flow, or undefined when it does. */
export function ruleMiss(state: ControllerState, rule: RuleConfig, flow: RuleFlow, ipsets: IpsetMembers | undefined): RuleMiss | undefined {
  const { family, src, dst, proto, port } = flow;
  const miss = (reason: string): RuleMiss => ({ reason });
  if (rule.family !== 'any' && rule.family !== family) return miss(`family ${rule.family}`);
  if (rule.proto !== 'all' && rule.proto !== '') {
    if (proto === 'all') return miss(`protocol ${rule.proto} (the flow's protocol was not given)`);
    if (protoNumber(rule.proto) !== protoNumber(proto)) return miss(`protocol ${rule.proto}`);
  }
  const srcMatch = addrList(rule.srcIp, family, src);
  if (srcMatch !== true) return miss(srcMatch === 'family' ? `source addresses are all ${otherFamily(family)}` : `source not in ${rule.srcIp.join(',')}`);
  const dstMatch = addrList(rule.destIp, family, dst);
  if (dstMatch !== true) return miss(dstMatch === 'family' ? `destination addresses are all ${otherFamily(family)}` : `destination not in ${rule.destIp.join(',')}`);
  const portsApply = rule.proto === 'tcp' || rule.proto === 'udp' || rule.proto === '6' || rule.proto === '17';
  if (portsApply && rule.srcPort.length > 0) return miss('source port (explain takes no source port)');
  if (portsApply && rule.destPort.length > 0) {
    if (port === undefined) return miss(`destination port ${rule.destPort.join(',')} (the flow's port was not given)`);
    if (!portIn(rule.destPort, port)) return miss(`destination port ${rule.destPort.join(',')}`);
  }
  // matches explain may be unable to evaluate come last; a definite miss wins over "not evaluated"
  const late: RuleMiss[] = [];
  if (rule.srcIface) late.push(...opt(srcIfaceMiss(state, rule.srcIface, flow)));
  if (rule.ipset) late.push(...opt(ipsetMiss(rule.ipset, family, dst, ipsets)));
  return late.find((m) => m.evaluated !== false) ?? late[0];
}

function opt<T>(v: T | undefined): T[] {
  return v === undefined ? [] : [v];
}

/** The dataplane matches `meta iifname <device of src_iface>`; without a device the rule is left out. */
function srcIfaceMiss(state: ControllerState, name: string, flow: RuleFlow): RuleMiss | undefined {
  const device = srcIfaceDevice(state, name);
  if (!device) return { reason: `src_iface ${name} has no device (netifd has it down or does not know it): the dataplane leaves the rule out` };
  if (flow.srcIface === undefined) return { reason: `inbound interface ${name} (the flow's inbound interface was not given)`, evaluated: false };
  if (flow.srcIface === name || flow.inDevice === device) return undefined;
  return { reason: `inbound interface ${name} (device ${device}), the flow arrives on ${flow.srcIface}${flow.inDevice ? ` (${flow.inDevice})` : ''}` };
}

function ipsetMiss(name: string, family: Family, dst: Address, ipsets: IpsetMembers | undefined): RuleMiss | undefined {
  const setName = `${name} (${family})`;
  const entries = ipsets?.[name]?.[family];
  if (entries === undefined) return { reason: `set ${setName} (its members were not read: not evaluated)`, evaluated: false };
  if (!Array.isArray(entries)) return { reason: `set ${setName} could not be read (${(entries as { error: string }).error}): not evaluated`, evaluated: false };
  if (entries.some((e) => entryContains(e, dst))) return undefined;
  return { reason: `destination not in set ${setName} (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'})` };
}

function otherFamily(f: Family): Family {
  return f === 'ipv4' ? 'ipv6' : 'ipv4';
}

/** true: matches (or empty list); 'family': only other-family entries (rule skipped for this family); false: no match. */
function addrList(list: readonly string[], family: Family, a: Address): true | false | 'family' {
  const entries = list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) return true;
  const prefixes = entries.map(parsePrefix).filter((p) => p !== undefined);
  const same = prefixes.filter((p) => p.family === family);
  if (same.length === 0) return 'family';
  return same.some((p) => prefixContains(p, a));
}

function portIn(list: readonly string[], port: number): boolean {
  for (const item of list.flatMap((s) => s.split(','))) {
    const m = /^\s*(\d+)\s*(?:[-:]\s*(\d+))?\s*$/.exec(item);
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (port >= lo && port <= hi) return true;
  }
  return false;
}
