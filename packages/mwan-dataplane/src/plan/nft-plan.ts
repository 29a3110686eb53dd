/**
 * The nft table `inet mwan`. Chains split so that a WAN verdict change rewrites only the policy
 * and sticky chains that mention it (see docs/dataplane.md "table layout").
 */
import {
  and, anonSet, counter, ct, goTo, jhash, jump, log, lookup, match, meta, numgen, payload, prefix, range, ret,
  setBits, setUpdate, vmap, type Expr, type Stmt, type Verdict,
} from 'nft-json';
import type { MarkSpace } from './marks.js';
import { ipProto, ruleMatches } from './matches.js';
import { names, TABLE } from './names.js';
import type {
  DesiredChain, DesiredMap, DesiredNft, DesiredRule, DesiredSet, IpFamily, LastResort, PlanConfig, PlanRule, PolicyChoice, WanInfo,
} from './types.js';

const FAMILIES: IpFamily[] = ['ipv4', 'ipv6'];
const addrType = (f: IpFamily): string => (f === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr');
const nfproto = (f: IpFamily): Stmt => match(meta('nfproto'), f);
const r = (...expr: Stmt[]): DesiredRule => ({ expr });

export interface NftPlanInput {
  cfg: PlanConfig;
  ms: MarkSpace;
  wans: WanInfo[];
  choices: PolicyChoice[];
  warnings: string[];
  /** devices of non-mwan interfaces named in src_iface (PlanState.devices), checked by plan() */
  devices?: Readonly<Record<string, string>>;
}

export function planNft(input: NftPlanInput): DesiredNft {
  const { cfg, ms, wans } = input;
  const M = ms.mask;
  const enabled = wans.filter((w) => w.enabled);
  const sets: DesiredSet[] = [];
  const chains: DesiredChain[] = [];

  for (const f of FAMILIES) {
    for (const n of [names.connected(f), names.custom(f), names.dynamic(f)]) sets.push({ name: n, type: addrType(f), flags: ['interval'] });
  }
  const ipsets = new Set(cfg.rules.map((x) => x.ipset).filter((x): x is string => !!x));
  for (const s of ipsets) for (const f of FAMILIES) sets.push({ name: names.ipset(s, f), type: addrType(f), flags: ['interval'] });

  // mark chains: the only places that write marks
  for (const w of enabled) {
    chains.push({ name: names.markChain(w.name), rules: [r(setBits(meta('mark'), M, w.mark), setBits(ct('mark'), M, w.mark))] });
    chains.push({ name: names.restoreChain(w.name), rules: [r(setBits(meta('mark'), M, w.mark))] });
  }
  const specials: Array<[string, string, number]> = [
    [names.setDefault, names.pktDefault, ms.default],
    [names.setUnreachable, 'pkt_unreachable', ms.unreachable],
    [names.setBlackhole, 'pkt_blackhole', ms.blackhole],
  ];
  for (const [both, pkt, v] of specials) {
    chains.push({ name: both, rules: [r(setBits(meta('mark'), M, v), setBits(ct('mark'), M, v))] });
    chains.push({ name: pkt, rules: [r(setBits(meta('mark'), M, v))] });
  }

  // inbound on a WAN device: replies to inbound connections leave the same way
  for (const w of enabled) {
    if (!w.device) continue;
    const p = ipProto(w.family);
    chains.push({
      name: names.inChain(w.name),
      rules: [
        ...[names.connected(w.family), names.custom(w.family), names.dynamic(w.family)].map((s) => r(lookup(payload(p, 'saddr'), s), goTo(names.setDefault))),
        r(goTo(names.markChain(w.name))),
      ],
    });
  }

  // policies, per family
  const byName = new Map(wans.map((w) => [w.name, w]));
  for (const c of input.choices) chains.push({ name: names.policyChain(c.policy, c.family), rules: policyRules(cfg, c, byName) });

  // user rules and sticky chains
  for (const f of FAMILIES) {
    const rules: DesiredRule[] = [];
    for (const rule of cfg.rules) {
      const target = ruleTarget(rule, f, input, sets, chains);
      if (!target) continue;
      // an enabled mwan interface has a device while netifd has it up (wanInfos); any other
      // netifd interface (lan, or an mwan interface with enabled '0') has the one netifd gives
      const wan = rule.srcIface ? byName.get(rule.srcIface) : undefined;
      const srcDevice = !rule.srcIface ? undefined : wan?.enabled ? wan.device : input.devices?.[rule.srcIface];
      const m = ruleMatches(rule, {
        family: f,
        warnings: input.warnings,
        ...(srcDevice ? { srcDevice } : {}),
        ...(rule.ipset ? { ipsetName: names.ipset(rule.ipset, f) } : {}),
      });
      if (!m) continue;
      const logIt = cfg.globals.logging && rule.logging;
      rules.push({
        label: rule.name,
        expr: [...m, counter(), ...(logIt ? [log({ prefix: `MWAN(${rule.name}) `, level: cfg.globals.loglevel })] : []), target],
      });
    }
    chains.push({ name: names.rulesChain(f), rules });
  }

  const maps = srcWanMaps(enabled, input.warnings);
  chains.push({ name: names.classify, rules: classifyRules(enabled, ms) });
  chains.push({ name: names.prerouting, base: { type: 'filter', hook: 'prerouting', prio: -150 }, rules: [r(jump(names.classify))] });
  chains.push({ name: names.output, base: { type: 'route', hook: 'output', prio: -150 }, rules: [r(jump(names.classify))] });
  return { family: TABLE.family, table: TABLE.table, sets, maps, chains };
}

function lastResortChain(lr: LastResort): string {
  return lr === 'default' ? names.setDefault : lr === 'blackhole' ? names.setBlackhole : names.setUnreachable;
}

function policyRules(cfg: PlanConfig, c: PolicyChoice, wans: Map<string, WanInfo>): DesiredRule[] {
  const out: DesiredRule[] = [];
  // locally generated traffic already bound to an unusable member's device goes via main (mwan3)
  const policy = cfg.policies.find((p) => p.name === c.policy)!;
  const seen = new Set<string>();
  for (const mname of policy.members) {
    const m = cfg.members.find((x) => x.name === mname);
    const w = m && wans.get(m.interface);
    if (!w || w.family !== c.family || w.usable || !w.device || seen.has(w.device)) continue;
    seen.add(w.device);
    out.push(r(match(meta('oifname'), w.device), goTo(names.setDefault)));
  }
  if (c.members.length === 0) return [...out, r(goTo(lastResortChain(c.lastResort)))];
  if (c.members.length === 1) return [...out, r(goTo(names.markChain(c.members[0]!.interface)))];
  const total = c.members.reduce((a, m) => a + m.weight, 0);
  const entries: Array<[Expr, Verdict]> = [];
  let at = 0;
  for (const m of c.members) {
    entries.push([m.weight === 1 ? at : range(at, at + m.weight - 1), goTo(names.markChain(m.interface))]);
    at += m.weight;
  }
  const key: Expr = c.balance === 'round_robin' ? numgen('inc', total)
    : c.balance === 'src_hash' ? jhash(payload(ipProto(c.family), 'saddr'), total, 0)
    : numgen('random', total);
  return [...out, r(vmap(key, entries))];
}

/** Verdict a user rule jumps to in family f; creates its sticky chain and sets when sticky. */
function ruleTarget(rule: PlanRule, f: IpFamily, input: NftPlanInput, sets: DesiredSet[], chains: DesiredChain[]): Verdict | undefined {
  if (rule.policy === 'default') return goTo(names.setDefault);
  if (rule.policy === 'unreachable') return goTo(names.setUnreachable);
  if (rule.policy === 'blackhole') return goTo(names.setBlackhole);
  const choice = input.choices.find((c) => c.policy === rule.policy && c.family === f);
  if (!choice) {
    input.warnings.push(`rule ${rule.name}: policy ${rule.policy} does not exist; rule skipped`);
    return undefined;
  }
  if (!rule.sticky) return goTo(names.policyChain(rule.policy, f));
  const policy = input.cfg.policies.find((p) => p.name === rule.policy)!;
  const members = policy.members
    .map((mn) => input.cfg.members.find((m) => m.name === mn)?.interface)
    .filter((i): i is string => !!i && input.wans.some((w) => w.name === i && w.family === f && w.enabled));
  const active = new Set(choice.members.map((m) => m.interface));
  // nft set timeouts are whole seconds
  const timeout = Math.max(1, Math.ceil(rule.timeout ?? 600));
  const saddr = payload(ipProto(f), 'saddr');
  const rules: DesiredRule[] = [];
  const wanMark = new Map(input.wans.map((w) => [w.name, w.mark]));
  for (const iface of [...new Set(members)]) {
    const set = names.stickySet(rule.name, iface, f);
    // entries of a WAN that is not in the policy's current choice are dropped
    sets.push({ name: set, type: addrType(f), flags: ['timeout'], timeout, ...(active.has(iface) ? {} : { elements: [] }) });
    if (active.has(iface)) rules.push(r(lookup(saddr, set), setUpdate(set, saddr), goTo(names.markChain(iface))));
  }
  rules.push(r(jump(names.policyChain(rule.policy, f))));
  for (const iface of active) {
    rules.push(r(match(and(meta('mark'), input.ms.mask), wanMark.get(iface)!), setUpdate(names.stickySet(rule.name, iface, f), saddr)));
  }
  chains.push({ name: names.stickyChain(rule.name, f), rules });
  return goTo(names.stickyChain(rule.name, f));
}

function classifyRules(enabled: WanInfo[], ms: MarkSpace): DesiredRule[] {
  const M = ms.mask;
  const unmarked = match(and(meta('mark'), M), 0);
  const out: DesiredRule[] = [];
  // 1. neighbour discovery and router messages are never policy-routed
  out.push(r(match(payload('icmpv6', 'type'), anonSet(['nd-router-solicit', 'nd-router-advert', 'nd-neighbor-solicit', 'nd-neighbor-advert', 'nd-redirect'])), ret()));
  // 2. restore the mark of a known connection (packet mark only; only values mwan owns)
  const restore: Array<[Expr, Verdict]> = [
    ...enabled.map((w): [Expr, Verdict] => [w.mark, jump(names.restoreChain(w.name))]),
    [ms.default, jump(names.pktDefault)], [ms.unreachable, jump('pkt_unreachable')], [ms.blackhole, jump('pkt_blackhole')],
  ];
  out.push(r(unmarked, vmap(and(ct('mark'), M), restore)));
  // 3. inbound on a WAN device
  for (const f of FAMILIES) {
    const entries: Array<[Expr, Verdict]> = [];
    const seen = new Set<string>();
    for (const w of enabled) {
      if (w.family !== f || !w.device || seen.has(w.device)) continue;
      seen.add(w.device);
      entries.push([w.device, jump(names.inChain(w.name))]);
    }
    if (entries.length) out.push(r(unmarked, nfproto(f), vmap(meta('iifname'), entries)));
  }
  // 4. destinations in connected / rt_table_lookup / dynamic networks, multicast: main table
  for (const f of FAMILIES) {
    const p = ipProto(f);
    for (const s of [names.connected(f), names.custom(f), names.dynamic(f)]) out.push(r(unmarked, lookup(payload(p, 'daddr'), s), jump(names.setDefault)));
  }
  out.push(r(unmarked, match(payload('ip', 'daddr'), prefix('224.0.0.0', 3)), jump(names.setDefault)));
  out.push(r(unmarked, match(payload('ip6', 'daddr'), anonSet([prefix('fe80::', 10), prefix('ff00::', 8)])), jump(names.setDefault)));
  // 4b. a tracker's source-bound probes (httping: TCP to its targets' port, from the WAN's own
  // address, on sockets that cannot carry the bypass mark) leave through that WAN, before any
  // balancing, also while the WAN is offline in policy terms. Only that traffic: the router's
  // other traffic goes through the user rules as with mwan3, so it fails over like LAN traffic.
  for (const f of FAMILIES) {
    const scope = probeScope(enabled, f);
    if (!scope) continue;
    out.push(r(
      unmarked,
      match(meta('l4proto'), 'tcp'),
      match(payload('tcp', 'dport'), scope.ports.length === 1 ? scope.ports[0]! : anonSet(scope.ports)),
      match(payload(ipProto(f), 'daddr'), scope.targets.length === 1 ? scope.targets[0]! : anonSet(scope.targets)),
      { vmap: { key: payload(ipProto(f), 'saddr'), data: `@${names.srcWanMap(f)}` } } as unknown as Stmt,
    ));
  }
  // 5. user rules, first match wins
  for (const f of FAMILIES) out.push(r(unmarked, nfproto(f), jump(names.rulesChain(f))));
  // 7. an already-marked connection's packet to a connected network still goes via main
  for (const f of FAMILIES) {
    const p = ipProto(f);
    for (const s of [names.connected(f), names.custom(f), names.dynamic(f)]) {
      out.push(r(match(and(meta('mark'), M), ms.default, '!='), lookup(payload(p, 'daddr'), s), jump(names.pktDefault)));
    }
  }
  return out;
}

/**
 * Targets and ports of the source-bound probes of the enabled WANs of a family that have a device
 * (sorted, deduplicated), or undefined when there are none.
 */
export function probeScope(wans: readonly WanInfo[], f: IpFamily): { targets: string[]; ports: number[] } | undefined {
  const targets = new Set<string>();
  const ports = new Set<number>();
  for (const w of wans) {
    if (!w.enabled || w.family !== f || !w.device || !w.sourceBoundProbes) continue;
    for (const t of w.sourceBoundProbes.targets) targets.add(t);
    ports.add(w.sourceBoundProbes.port);
  }
  if (targets.size === 0) return undefined;
  return { targets: [...targets].sort(), ports: [...ports].sort((a, b) => a - b) };
}

/** Per family one verdict map: the own addresses of each enabled WAN with source-bound probes -> goto mark_<wan>. */
function srcWanMaps(enabled: WanInfo[], warnings: string[]): DesiredMap[] {
  return FAMILIES.map((f) => {
    const owner = new Map<string, string>();
    for (const w of enabled) {
      if (w.family !== f || !w.device || !w.sourceBoundProbes) continue;
      for (const a of w.addresses ?? []) {
        const prev = owner.get(a);
        if (prev !== undefined) { warnings.push(`address ${a} is on both ${prev} and ${w.name}; traffic from it follows ${prev}`); continue; }
        owner.set(a, w.name);
      }
    }
    const elements = [...owner].map(([a, wan]): [string, string] => [a, names.markChain(wan)]);
    return { name: names.srcWanMap(f), type: addrType(f) as DesiredMap['type'], elements };
  });
}
