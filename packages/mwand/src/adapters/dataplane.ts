/** The DataplanePort on mwan-dataplane: pure plan() from the core state, applier for the kernel. */
import { plan as planDesired, sourceBoundProbes, type Applier, type DataplaneBackend, type DesiredState, type PlanConfig, type PlanState, type WanState } from 'mwan-dataplane';
import { defaultId, spreadIntoMask } from 'mwan-config';
import { type ControllerState, type CoreConfig, type InterfaceConfig } from '../core/model.js';
import { interfaceStatus } from '../core/status.js';
import { largestRemainder } from '../core/policy.js';
import type { DataplanePort } from '../ports.js';
import { explainSetsOf, sourceWansOf } from './explain-data.js';
import type { PolicyTable, RuleCounter } from '../views.js';

export function toPlanConfig(c: CoreConfig): PlanConfig {
  return {
    globals: { mmxMask: c.globals.mmxMask, logging: c.globals.logging, loglevel: c.globals.loglevel, rtTableLookup: [...c.globals.rtTableLookup] },
    interfaces: c.interfaces.map((i) => {
      const t = i.trackSettings as { trackMethod?: string; httpingSsl?: boolean };
      const probes = sourceBoundProbes(t.trackMethod ?? 'ping', i.trackIps, t.httpingSsl === true);
      return { name: i.name, enabled: i.enabled, family: i.family, ...(probes ? { sourceBoundProbes: probes } : {}) };
    }),
    members: c.members.map((m) => ({ ...m })),
    policies: c.policies.map((p) => ({ name: p.name, members: [...p.members], lastResort: p.lastResort, ...(p.balance ? { balance: p.balance as PlanConfig['policies'][number]['balance'] } : {}) })),
    rules: c.rules.map((r) => ({
      name: r.name, policy: r.usePolicy, family: r.family, proto: r.proto, srcIp: r.srcIp, destIp: r.destIp, srcPort: r.srcPort, destPort: r.destPort,
      ...(r.srcIface ? { srcIface: r.srcIface } : {}), ...(r.ipset ? { ipset: r.ipset } : {}), sticky: r.sticky, timeout: r.timeout, ...(r.logging !== undefined ? { logging: r.logging } : {}),
    })),
  };
}

/** The planner's view of each WAN, from the same derived status the rest of mwand uses. */
export function toPlanState(st: ControllerState): PlanState {
  const wans: Record<string, WanState> = {};
  for (const i of st.config.interfaces) {
    const s = interfaceStatus(st, i);
    const n = st.netifd[i.name];
    if (!n) continue;
    const t = st.track[i.name];
    const w: WanState = {
      up: s.up,
      status: s.tracking === 'disabled' && s.up ? 'disabled' : s.status === 'disabled' ? 'unknown' : s.status,
      addresses: i.family === 'ipv4' ? [...n.ipv4] : [...n.ipv6],
    };
    if (n.device) w.device = n.device;
    const gateway = i.family === 'ipv6' ? n.gateway6 : n.gateway;
    if (gateway) w.gateway = gateway;
    if (t?.lossPct !== undefined) w.lossPct = t.lossPct;
    if (t?.latencyMs !== undefined) w.latencyMs = t.latencyMs;
    wans[i.name] = w;
  }
  return { wans, devices: srcIfaceDevices(st) };
}

/**
 * Devices of the other netifd interfaces rules name in src_iface (lan → br-lan; also an mwan
 * interface with enabled '0', which netifd still runs), while up.
 */
export function srcIfaceDevices(st: ControllerState): Record<string, string> {
  const own = new Set(st.config.interfaces.filter((i) => i.enabled).map((i) => i.name));
  const out: Record<string, string> = {};
  for (const name of new Set(st.config.rules.flatMap((r) => (r.srcIface ? [r.srcIface] : [])))) {
    const n = st.netifd[name];
    if (!own.has(name) && n?.up && n.device) out[name] = n.device;
  }
  return out;
}

/** The default (bypass) mark trackers put on their probes. */
export function defaultMark(mask: number): number {
  return spreadIntoMask(defaultId(mask), mask);
}

export interface DataplanePortOptions {
  /**
   * lists our nft table alone (the kernel backend the applier uses), for reads that need no ip
   * rules or routes (explain's set members and sticky entries); without it the applier's full read is used
   */
  nft?: Pick<DataplaneBackend, 'nftList'>;
}

export function createDataplanePort(applier: Applier, opts: DataplanePortOptions = {}): DataplanePort {
  let lastMask = 0x3f00;
  const userRules = new Set<string>();
  return {
    plan(state) {
      lastMask = state.config.globals.mmxMask;
      userRules.clear();
      for (const r of state.config.rules) userRules.add(r.name);
      return planDesired(toPlanConfig(state.config), toPlanState(state));
    },
    async apply(p) {
      await applier.apply(p as DesiredState);
    },
    async ruleCounters() {
      const actual = await applier.read();
      const out = new Map<string, RuleCounter>();
      for (const r of actual.nft?.rules ?? []) {
        const label = /^(\S+) [0-9a-f]{12}$/.exec(r.comment ?? '')?.[1];
        if (!label || !userRules.has(label)) continue;
        for (const stmt of r.expr) {
          if (!('counter' in (stmt as object))) continue;
          // the kernel lists {packets, bytes}; a counter never read back counts as 0
          const c = (stmt as { counter?: { packets?: number; bytes?: number } | null }).counter;
          const cur = out.get(label) ?? { packets: 0, bytes: 0 };
          out.set(label, { packets: cur.packets + (c && typeof c === 'object' ? (c.packets ?? 0) : 0), bytes: cur.bytes + (c && typeof c === 'object' ? (c.bytes ?? 0) : 0) });
        }
      }
      return out;
    },
    policies(p, config) {
      return choicesToTable(p as DesiredState, config);
    },
    sourceWans(p) {
      return sourceWansOf(p as DesiredState);
    },
    async explainSets(want) {
      const rs = opts.nft ? await opts.nft.nftList() : (await applier.read()).nft;
      return explainSetsOf(rs, want);
    },
    async flushConntrack(i: InterfaceConfig) {
      await applier.flushConntrack(spreadIntoMask(i.id, lastMask), lastMask);
    },
  };
}

/** The planner's policy choices (effective weights) in the views' shape, integer percentages. */
export function choicesToTable(d: DesiredState, config: CoreConfig): PolicyTable {
  const metric = new Map(config.members.map((m) => [m.name, m.metric]));
  const out: PolicyTable = {};
  for (const c of d.policies) {
    const percents = largestRemainder(c.members.map((m) => m.weight));
    const entry = (out[c.policy] ??= {
      ipv4: { shares: [], lastResort: c.lastResort },
      ipv6: { shares: [], lastResort: c.lastResort },
    });
    entry[c.family] = {
      shares: c.members.map((m, k) => ({ interface: m.interface, member: m.member, weight: m.weight, metric: metric.get(m.member) ?? 0, percent: percents[k]! })),
      lastResort: c.lastResort,
    };
  }
  return out;
}
