/**
 * `explain`: which rule, policy and WAN a new flow would take now, and why. Follows the packet
 * classification order of the dataplane (docs/dataplane.md, "classify"): inbound on a WAN
 * device, then connected destinations via the main table, then a WAN's own source address
 * pinned to that WAN, then user rules in config order, first match wins; a policy resolves to
 * the usable members with the lowest metric, sharing by weight, unless a sticky rule's set holds
 * the source for one of them. What only the dataplane knows (its policy shares, its own-address
 * maps, set members and sticky entries read from the kernel) comes in as data: this function
 * does no I/O.
 */
import { BadArgumentError, MwandErrorCode } from '../errors.js';
import { dataplaneDevice, protoNumber, srcIfaceDevice, ruleMiss, type IpsetMembers, type RuleFlow } from './explain-rules.js';
import { stickyLookup, type StickyEntries, type StickyHit, type StickyRef } from './explain-sticky.js';
import { longestMatch, parseAddress, type Address } from './ip.js';
import type { ControllerState, Family, RuleConfig } from './model.js';
import { resolvePolicy, type PolicyResolution } from './policy.js';
import { allStatuses, usableSet } from './status.js';

export type { IpsetMembers, SetEntries } from './explain-rules.js';
export { stickySetsWanted, type StickyElement, type StickyEntries, type StickyHit, type StickyRef, type StickySet } from './explain-sticky.js';

export interface FlowQuery {
  src: string;
  dst: string;
  /** protocol name or number; default "all" (any) */
  proto?: string;
  /** destination port */
  port?: number;
  /** netifd interface the flow arrives on (as a rule's `src_iface`); absent: not given */
  srcIface?: string;
}

/**
 * The dataplane's pinning of source-bound tracker probes (httping): per family, the own-address
 * map (`src_wan_v4` / `src_wan_v6`: a WAN's address, plain as the planner wrote it → that WAN) and
 * the traffic it applies to (TCP to the probes' ports and targets; absent: no pinning rule).
 */
export interface SourceWans {
  wans: Readonly<Record<Family, Readonly<Record<string, string>>>>;
  scope: Readonly<Partial<Record<Family, { targets: readonly string[]; ports: readonly number[] }>>>;
}

/** What explain takes from the dataplane and the kernel, when the caller has it. */
export interface ExplainData {
  /** policy → family → the dataplane's choice (balance modes may move shares); else resolved here */
  policies?: Record<string, Record<Family, PolicyResolution>>;
  /** the planner's own-address maps; absent: source-address pinning is reported as not evaluated */
  sourceWans?: SourceWans;
  /** members of the rules' sets read from the running ruleset; a set absent here is not evaluated */
  ipsets?: IpsetMembers;
  /** elements of the sticky rules' sets read from the running ruleset; absent: sticky entries not evaluated */
  sticky?: StickyEntries;
}

/** The sets explain reads from the running ruleset, in one listing of table inet mwan. */
export interface ExplainSetsRequest {
  /** rule `ipset` names */
  ipsets: readonly string[];
  /** sticky sets (stickySetsWanted) */
  sticky: readonly StickyRef[];
}

/** What that listing gave: the members of each set, or per set why it could not be read. */
export interface ExplainSets {
  ipsets: IpsetMembers;
  sticky: StickyEntries;
}

/** Every requested set unreadable for one reason (the listing failed, or nothing can list it). */
export function unreadSets(want: ExplainSetsRequest, error: string): ExplainSets {
  return { ipsets: Object.fromEntries(want.ipsets.map((n) => [n, { ipv4: { error }, ipv6: { error } }])), sticky: { error } };
}

export type ExplainAction = 'interface' | 'balance' | 'default' | 'unreachable' | 'blackhole';

/** What decided, in classification order. */
export type ExplainDecision = 'inbound' | 'connected' | 'source' | 'rule' | 'no_rule';

export interface ExplainResult {
  family: Family;
  src: string;
  dst: string;
  proto: string;
  port?: number;
  /** the inbound interface, when the query gave one */
  src_iface?: string;
  /**
   * inbound on a WAN device, a connected destination, a WAN's own source address, a user rule,
   * or no rule matched
   */
  decision: ExplainDecision;
  rule?: string;
  sticky?: boolean;
  /** the sticky entry that keeps the source on its WAN (then `action` is `interface`) */
  sticky_entry?: StickyHit;
  policy?: string;
  action: ExplainAction;
  /** the WANs the flow may take, with their shares (empty for default/unreachable/blackhole) */
  interfaces: { interface: string; percent: number; device?: string }[];
  /** the single WAN when there is exactly one */
  interface?: string;
  /** the steps, in words */
  reasons: string[];
  /** rules passed over before the decision, and why; `evaluated: false` when explain could not tell */
  skipped: { rule: string; reason: string; evaluated?: false }[];
}

/** A netifd interface name, as the config's `src_iface` takes it (UCI section name). */
const IFACE_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** A query that passed checkFlowQuery, parsed. */
export interface CheckedQuery {
  family: Family;
  src: Address;
  dst: Address;
  proto: string;
}

/** Checks a query; throws BadArgumentError naming the field (src, dst, proto, port, src_iface). */
export function checkFlowQuery(q: FlowQuery): CheckedQuery {
  const bad = (field: string, msg: string): never => {
    throw new BadArgumentError(MwandErrorCode.BAD_ARGUMENT, field, `explain: ${msg}`);
  };
  const src = parseAddress(q.src) ?? bad('src', `src "${q.src}" is not an IP address`);
  const dst = parseAddress(q.dst) ?? bad('dst', `dst "${q.dst}" is not an IP address`);
  if (src.family !== dst.family) bad('dst', `dst "${q.dst}" is not of the family of src "${q.src}"`);
  const proto = (q.proto ?? 'all').toLowerCase();
  if (proto !== 'all' && protoNumber(proto) === undefined) bad('proto', `proto "${q.proto}" is not a protocol name or number 0-255`);
  if (q.port !== undefined && !(Number.isInteger(q.port) && q.port >= 0 && q.port <= 65535)) bad('port', `port ${q.port} is not 0-65535`);
  if (q.srcIface !== undefined && !IFACE_NAME.test(q.srcIface)) {
    bad('src_iface', `src_iface "${q.srcIface}" is not a netifd interface name (1-64 letters, digits, _)`);
  }
  return { family: dst.family, src, dst, proto };
}

export function explain(state: ControllerState, q: FlowQuery, data: ExplainData = {}): ExplainResult {
  const { family, src, dst, proto } = checkFlowQuery(q);
  const base = {
    family, src: q.src, dst: q.dst, proto,
    ...(q.port !== undefined ? { port: q.port } : {}),
    ...(q.srcIface !== undefined ? { src_iface: q.srcIface } : {}),
  };
  const reasons: string[] = [];
  const skipped: ExplainResult['skipped'] = [];
  const inDevice = q.srcIface !== undefined ? srcIfaceDevice(state, q.srcIface) : undefined;
  const main = [...state.rtmon.connected[family], ...(state.rtmon.custom?.[family] ?? [])];

  // 3. inbound on a WAN device (in_<wan>): replies to inbound connections leave the same way
  if (q.srcIface !== undefined) {
    const wan = inDevice ? state.config.interfaces.find((i) => i.family === family && dataplaneDevice(state, i.name) === inDevice) : undefined;
    if (wan) {
      const arrives = `the flow arrives on ${inDevice}, the device of WAN ${wan.name}`;
      const srcNet = longestMatch(main, src);
      if (srcNet) {
        reasons.push(`${arrives}; its source ${q.src} is in the connected network ${srcNet.text}: main routing table, no policy`);
        return { ...base, decision: 'inbound', action: 'default', interfaces: [], reasons, skipped };
      }
      reasons.push(`${arrives}: the connection is marked for ${wan.name} so its replies leave through ${wan.name}; no rule or policy`);
      return { ...base, decision: 'inbound', ...one(state, wan.name), reasons, skipped };
    }
    reasons.push(`the flow arrives on ${q.srcIface}${inDevice ? ` (${inDevice})` : ''}, not on a device of an ${family} WAN`);
  }

  // 4. connected / rt_table_lookup destinations and multicast: main table
  const hit = longestMatch([...main, ...(family === 'ipv4' ? ['224.0.0.0/3'] : ['fe80::/10', 'ff00::/8'])], dst);
  if (hit) {
    reasons.push(`destination ${q.dst} is in the connected network ${hit.text}: main routing table, no policy`);
    return { ...base, decision: 'connected', action: 'default', interfaces: [], reasons, skipped };
  }
  reasons.push(`destination ${q.dst} is not a connected network`);

  // 4b. a tracker's source-bound probe (httping: TCP to a target's port from a WAN's own
  // address): that WAN, before user rules and balancing. Other traffic goes on to the rules.
  if (data.sourceWans) {
    const scope = data.sourceWans.scope[family];
    const owner = ownerOf(data.sourceWans.wans[family], src);
    const probe = scope !== undefined && proto === 'tcp' && q.port !== undefined && scope.ports.includes(q.port)
      && scope.targets.some((t) => { const a = parseAddress(t); return a !== undefined && a.value === dst.value; });
    if (owner && probe) {
      const usable = usableSet(state).has(owner);
      reasons.push(`source ${q.src} is an address of WAN ${owner} and the flow is what its tracker's source-bound probes send (TCP ${q.port} to ${q.dst}): it leaves through ${owner}, before user rules and policies`
        + (usable ? '' : ` (also now that ${owner} is not usable in policies: the entry stays while netifd has it up)`));
      return { ...base, decision: 'source', ...one(state, owner), reasons, skipped };
    }
    if (owner) reasons.push(`source ${q.src} is an address of WAN ${owner}, but only its tracker's source-bound probes are pinned to it${scope ? ` (TCP ${scope.ports.join(',')} to its targets)` : ' (it has none)'}: the rules decide, as for any router traffic`);
    else reasons.push(`source ${q.src} is not an address of a WAN with source-bound probes`);
  } else {
    reasons.push('source-address pinning not evaluated: the WANs\' addresses in the dataplane are not known (no plan)');
  }

  // 5. user rules, first match wins
  const flow: RuleFlow = { family, src, dst, proto, port: q.port, srcIface: q.srcIface, inDevice };
  for (const rule of state.config.rules) {
    const miss = ruleMiss(state, rule, flow, data.ipsets);
    if (miss) {
      skipped.push({ rule: rule.name, reason: miss.reason, ...(miss.evaluated === false ? { evaluated: false as const } : {}) });
      continue;
    }
    reasons.push(`rule ${rule.name} matches (first matching rule, in config order)`);
    const t = target(state, rule, family, reasons, data.policies);
    const result = { ...base, decision: 'rule' as const, rule: rule.name, ...(rule.sticky ? { sticky: true } : {}), ...t, reasons, skipped };
    if (!rule.sticky) return result;
    // the sticky chain exists only around a configured policy and looks up only its current members
    if (t.interfaces.length === 0) {
      reasons.push(`rule ${rule.name} is sticky, but there is no WAN to keep: ${t.action} applies to every source`);
      return result;
    }
    const current = t.interfaces.map((i) => i.interface);
    const { hit, reasons: why } = stickyLookup(state.config, rule, family, src, q.src, current, data.sticky);
    reasons.push(...why);
    return hit ? { ...result, ...one(state, hit.interface), sticky_entry: hit } : result;
  }
  reasons.push('no rule matches: main routing table');
  return { ...base, decision: 'no_rule', action: 'default', interfaces: [], reasons, skipped };
}

/** The WAN owning `a` in one family's own-address map (keys compared as addresses, not text). */
function ownerOf(map: Readonly<Record<string, string>>, a: Address): string | undefined {
  for (const [addr, wan] of Object.entries(map)) {
    const p = parseAddress(addr);
    if (p && p.family === a.family && p.value === a.value) return wan;
  }
  return undefined;
}

/** A single WAN as the result. */
function one(state: ControllerState, wan: string): Pick<ExplainResult, 'action' | 'interfaces' | 'interface'> {
  const device = allStatuses(state).get(wan)?.device;
  return { action: 'interface', interfaces: [{ interface: wan, percent: 100, ...(device ? { device } : {}) }], interface: wan };
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
