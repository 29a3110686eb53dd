/**
 * `explain`: which rule, policy and WAN a flow would take now, and why. Follows the packet
 * classification order of the dataplane (inventory section 3): connected destinations go via
 * the main table, then user rules in config order, first match wins; a policy resolves to the
 * usable members with the lowest metric, sharing by weight.
 */
import { BadArgumentError, MwandErrorCode } from '../errors.js';
import { longestMatch, parseAddress, parsePrefix, prefixContains, type Address } from './ip.js';
import type { ControllerState, Family, RuleConfig } from './model.js';
import { resolvePolicy, type PolicyResolution } from './policy.js';
import { allStatuses, usableSet } from './status.js';

export interface FlowQuery {
  src: string;
  dst: string;
  /** protocol name or number; default "all" (any) */
  proto?: string;
  /** destination port */
  port?: number;
}

export type ExplainAction = 'interface' | 'balance' | 'default' | 'unreachable' | 'blackhole';

export interface ExplainResult {
  family: Family;
  src: string;
  dst: string;
  proto: string;
  port?: number;
  /** what decided: a connected destination, a user rule, or no rule matched */
  decision: 'connected' | 'rule' | 'no_rule';
  rule?: string;
  sticky?: boolean;
  policy?: string;
  action: ExplainAction;
  /** the WANs the flow may take, with their shares (empty for default/unreachable/blackhole) */
  interfaces: { interface: string; percent: number; device?: string }[];
  /** the single WAN when there is exactly one */
  interface?: string;
  /** the steps, in words */
  reasons: string[];
  /** rules passed over before the decision, and why */
  skipped: { rule: string; reason: string }[];
}

const PROTO_NUMBERS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, 'ipv6-icmp': 58, sctp: 132 };

function protoNumber(p: string): number | undefined {
  if (/^\d+$/.test(p)) return Number(p) <= 255 ? Number(p) : undefined;
  return PROTO_NUMBERS[p.toLowerCase()];
}

/**
 * `policies` (policy → family → resolution) is what the dataplane chose, when the caller has it
 * (balance modes may move shares); otherwise policies are resolved here from the state.
 */
export function explain(state: ControllerState, q: FlowQuery, policies?: Record<string, Record<Family, PolicyResolution>>): ExplainResult {
  const src = parseAddress(q.src);
  if (!src) throw new BadArgumentError(MwandErrorCode.BAD_ARGUMENT, 'src', `explain: src "${q.src}" is not an IP address`);
  const dst = parseAddress(q.dst);
  if (!dst) throw new BadArgumentError(MwandErrorCode.BAD_ARGUMENT, 'dst', `explain: dst "${q.dst}" is not an IP address`);
  if (src.family !== dst.family) throw new BadArgumentError(MwandErrorCode.BAD_ARGUMENT, 'dst', `explain: dst "${q.dst}" is not of the family of src "${q.src}"`);
  const proto = (q.proto ?? 'all').toLowerCase();
  if (proto !== 'all' && protoNumber(proto) === undefined) throw new BadArgumentError(MwandErrorCode.BAD_ARGUMENT, 'proto', `explain: proto "${q.proto}" is not a protocol name or number 0-255`);
  if (q.port !== undefined && !(Number.isInteger(q.port) && q.port >= 0 && q.port <= 65535)) {
    throw new BadArgumentError(MwandErrorCode.BAD_ARGUMENT, 'port', `explain: port ${q.port} is not 0-65535`);
  }
  const family = dst.family;
  const base = { family, src: q.src, dst: q.dst, proto, ...(q.port !== undefined ? { port: q.port } : {}) };
  const reasons: string[] = [];
  const skipped: { rule: string; reason: string }[] = [];

  const connected = [...state.rtmon.connected[family], ...(state.rtmon.custom?.[family] ?? []), ...(family === 'ipv4' ? ['224.0.0.0/3'] : [])];
  const hit = longestMatch(connected, dst);
  if (hit) {
    reasons.push(`destination ${q.dst} is in the connected network ${hit.text}: main routing table, no policy`);
    return { ...base, decision: 'connected', action: 'default', interfaces: [], reasons, skipped };
  }
  reasons.push(`destination ${q.dst} is not a connected network`);

  for (const rule of state.config.rules) {
    const why = mismatch(rule, family, src, dst, proto, q.port);
    if (why) {
      skipped.push({ rule: rule.name, reason: why });
      continue;
    }
    reasons.push(`rule ${rule.name} matches (first matching rule, in config order)`);
    const t = target(state, rule, family, reasons, policies);
    if (rule.sticky) reasons.push(`rule ${rule.name} is sticky: a source keeps the WAN it got for ${rule.timeout} s while that WAN stays in the policy`);
    return { ...base, decision: 'rule', rule: rule.name, ...(rule.sticky ? { sticky: true } : {}), ...t, reasons, skipped };
  }
  reasons.push('no rule matches: main routing table');
  return { ...base, decision: 'no_rule', action: 'default', interfaces: [], reasons, skipped };
}

function target(state: ControllerState, rule: RuleConfig, family: Family, reasons: string[], policies?: Record<string, Record<Family, PolicyResolution>>): Pick<ExplainResult, 'policy' | 'action' | 'interfaces' | 'interface'> {
  const builtin = rule.usePolicy;
  if (builtin === 'default' || builtin === 'unreachable' || builtin === 'blackhole') {
    reasons.push(`rule ${rule.name} uses the built-in ${builtin}`);
    return { policy: builtin, action: builtin, interfaces: [] };
  }
  const policy = state.config.policies.find((p) => p.name === builtin);
  if (!policy) {
    reasons.push(`policy ${builtin} is not configured: unreachable`);
    return { policy: builtin, action: 'unreachable', interfaces: [] };
  }
  const res = policies?.[policy.name]?.[family] ?? resolvePolicy(state.config, policy, family, usableSet(state));
  const statuses = allStatuses(state);
  if (res.shares.length === 0) {
    reasons.push(`policy ${policy.name} has no usable ${family} member: last resort ${res.lastResort}`);
    return { policy: policy.name, action: res.lastResort, interfaces: [] };
  }
  const interfaces = res.shares.map((s) => {
    const device = statuses.get(s.interface)?.device;
    return { interface: s.interface, percent: s.percent, ...(device ? { device } : {}) };
  });
  const metric = res.shares[0]!.metric;
  if (interfaces.length === 1) {
    reasons.push(`policy ${policy.name}: ${interfaces[0]!.interface} is the usable member with the lowest metric (${metric})`);
    return { policy: policy.name, action: 'interface', interfaces, interface: interfaces[0]!.interface };
  }
  reasons.push(`policy ${policy.name}: ${interfaces.map((i) => `${i.interface} ${i.percent}%`).join(', ')} share metric ${metric} by weight (per new connection)`);
  return { policy: policy.name, action: 'balance', interfaces };
}

/** Why a rule does not match the flow, or undefined when it does. */
function mismatch(rule: RuleConfig, family: Family, src: Address, dst: Address, proto: string, port: number | undefined): string | undefined {
  if (rule.family !== 'any' && rule.family !== family) return `family ${rule.family}`;
  if (rule.proto !== 'all' && rule.proto !== '') {
    if (proto === 'all') return `protocol ${rule.proto} (the flow's protocol was not given)`;
    if (protoNumber(rule.proto) !== protoNumber(proto)) return `protocol ${rule.proto}`;
  }
  const srcMatch = addrList(rule.srcIp, family, src);
  if (srcMatch !== true) return srcMatch === 'family' ? `source addresses are all ${otherFamily(family)}` : `source not in ${rule.srcIp.join(',')}`;
  const dstMatch = addrList(rule.destIp, family, dst);
  if (dstMatch !== true) return dstMatch === 'family' ? `destination addresses are all ${otherFamily(family)}` : `destination not in ${rule.destIp.join(',')}`;
  const portsApply = rule.proto === 'tcp' || rule.proto === 'udp' || rule.proto === '6' || rule.proto === '17';
  if (portsApply && rule.srcPort.length > 0) return 'source port (explain takes no source port)';
  if (portsApply && rule.destPort.length > 0) {
    if (port === undefined) return `destination port ${rule.destPort.join(',')} (the flow's port was not given)`;
    if (!portIn(rule.destPort, port)) return `destination port ${rule.destPort.join(',')}`;
  }
  if (rule.srcIface) return `inbound interface ${rule.srcIface} (explain looks at locally routed flows without one)`;
  if (rule.ipset) return `set ${rule.ipset} (its members are not evaluated by explain)`;
  return undefined;
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
