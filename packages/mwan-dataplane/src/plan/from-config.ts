/** Adapter: mwan-config's validated model -> the planner's narrow PlanConfig. */
import type { MwanConfig, PortRange } from 'mwan-config';
import type { PlanConfig } from './types.js';
import { sourceBoundProbes } from './wans.js';

const ports = (list: PortRange[]): string[] => list.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`));

export function fromMwanConfig(cfg: MwanConfig): PlanConfig {
  // the planner derives ids from position; mwan-config numbers them the same way (1-based)
  const interfaces = [...cfg.interfaces].sort((a, b) => a.id - b.id);
  return {
    globals: {
      mmxMask: cfg.globals.mmxMask,
      logging: cfg.globals.logging,
      loglevel: cfg.globals.loglevel,
      rtTableLookup: [...cfg.globals.rtTableLookup],
    },
    interfaces: interfaces.map((i) => {
      const probes = sourceBoundProbes(i.trackMethod, i.trackIp, i.httpingSsl);
      return { name: i.name, enabled: i.enabled, family: i.family, ...(probes ? { sourceBoundProbes: probes } : {}) };
    }),
    members: cfg.members.map((m) => ({ name: m.name, interface: m.interface, metric: m.metric, weight: m.weight })),
    policies: cfg.policies.map((p) => ({ name: p.name, members: [...p.useMember], lastResort: p.lastResort, balance: p.balance })),
    rules: cfg.rules.map((r) => ({
      name: r.name,
      policy: r.usePolicy,
      family: r.family,
      proto: r.proto,
      srcIp: [...r.srcIp],
      destIp: [...r.destIp],
      srcPort: ports(r.srcPort),
      destPort: ports(r.destPort),
      ...(r.srcIface ? { srcIface: r.srcIface } : {}),
      ...(r.ipset ? { ipset: r.ipset } : {}),
      sticky: r.sticky,
      timeout: r.timeout,
      logging: r.logging,
    })),
  };
}
