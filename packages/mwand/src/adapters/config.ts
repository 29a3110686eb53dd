/** mwan-config's validated model → the core's CoreConfig; a loader that reports file:line errors. */
import { trackerSettings, type ConfigIssue, type LoadResult, type MwanConfig, type PortRange } from 'mwan-config';
import type { CoreConfig } from '../core/model.js';
import { ConfigRejectedError } from '../errors.js';

const ports = (list: PortRange[]): string[] => list.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`));

export function toCoreConfig(m: MwanConfig): CoreConfig {
  return {
    globals: { mmxMask: m.globals.mmxMask, logging: m.globals.logging, loglevel: m.globals.loglevel, rtTableLookup: [...m.globals.rtTableLookup], sourceRouting: m.globals.sourceRouting },
    interfaces: [...m.interfaces].sort((a, b) => a.id - b.id).map((i) => ({
      name: i.name, id: i.id, enabled: i.enabled, family: i.family, trackIps: [...i.trackIp], initialState: i.initialState,
      trackSettings: { ...trackerSettings(i) }, flushConntrack: [...i.flushConntrack],
    })),
    members: m.members.map((x) => ({ name: x.name, interface: x.interface, metric: x.metric, weight: x.weight })),
    policies: m.policies.map((p) => ({ name: p.name, members: [...p.useMember], lastResort: p.lastResort, balance: p.balance })),
    rules: m.rules.map((r) => ({
      name: r.name, usePolicy: r.usePolicy, family: r.family, proto: r.proto, srcIp: [...r.srcIp], destIp: [...r.destIp],
      srcPort: ports(r.srcPort), destPort: ports(r.destPort), ...(r.srcIface ? { srcIface: r.srcIface } : {}), ...(r.ipset ? { ipset: r.ipset } : {}),
      sticky: r.sticky, timeout: r.timeout, logging: r.logging,
    })),
  };
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}: ${i.message}`;
}

/** Wraps mwan-config's loader: errors become ConfigRejectedError, warnings go to the log. */
export function createConfigLoader(load: () => LoadResult | Promise<LoadResult>, log: (m: string) => void = () => {}): () => Promise<CoreConfig> {
  return async () => {
    let r: LoadResult;
    try {
      r = await load();
    } catch (err) {
      throw new ConfigRejectedError([(err as Error).message], { cause: err });
    }
    for (const w of r.warnings) log(`warning: ${formatIssue(w)}`);
    if (!r.config || r.errors.length > 0) throw new ConfigRejectedError(r.errors.length ? r.errors.map(formatIssue) : ['configuration could not be loaded']);
    return toCoreConfig(r.config);
  };
}
