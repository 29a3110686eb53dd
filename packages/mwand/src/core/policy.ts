/**
 * Policy resolution as mwan3 defines it: among the members whose interface is usable, the
 * lowest metric wins and members with that metric share by weight; with none usable, the
 * policy's last_resort. Percentages are computed correctly (mwan3's ubus reported 0 for any
 * member whose weight was below the total, by integer division).
 */
import type { CoreConfig, Family, LastResort, PolicyConfig } from './model.js';

export interface Share {
  interface: string;
  member: string;
  weight: number;
  metric: number;
  /** integer percent; the shares of one policy and family sum to exactly 100 */
  percent: number;
}

export interface PolicyResolution {
  /** the members carrying traffic; empty when the last resort applies */
  shares: Share[];
  lastResort: LastResort;
}

/** mwan3 skips members with a metric above 256 (with a warning at config time). */
export const MAX_METRIC = 256;

export function resolvePolicy(cfg: CoreConfig, policy: PolicyConfig, family: Family, usable: ReadonlySet<string>): PolicyResolution {
  const ifaces = new Map(cfg.interfaces.map((i) => [i.name, i]));
  const candidates = [];
  for (const mname of policy.members) {
    const m = cfg.members.find((x) => x.name === mname);
    if (!m || m.metric > MAX_METRIC || m.weight <= 0) continue;
    const i = ifaces.get(m.interface);
    if (!i || i.family !== family || !usable.has(i.name)) continue;
    candidates.push(m);
  }
  if (candidates.length === 0) return { shares: [], lastResort: policy.lastResort };
  const best = Math.min(...candidates.map((m) => m.metric));
  const winners = candidates.filter((m) => m.metric === best);
  const percents = largestRemainder(winners.map((m) => m.weight));
  return {
    shares: winners.map((m, k) => ({ interface: m.interface, member: m.name, weight: m.weight, metric: m.metric, percent: percents[k]! })),
    lastResort: policy.lastResort,
  };
}

/** Every policy for both families: policy → family → resolution. */
export function resolveAll(cfg: CoreConfig, usable: ReadonlySet<string>): Record<string, Record<Family, PolicyResolution>> {
  const out: Record<string, Record<Family, PolicyResolution>> = {};
  for (const p of cfg.policies) {
    out[p.name] = { ipv4: resolvePolicy(cfg, p, 'ipv4', usable), ipv6: resolvePolicy(cfg, p, 'ipv6', usable) };
  }
  return out;
}

/** Integer percentages proportional to weights that sum to 100 (largest remainder method). */
export function largestRemainder(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w * 100) / total);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, k) => ({ k, r: e - floors[k]! })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (const { k } of order) {
    if (left <= 0) break;
    floors[k] += 1;
    left--;
  }
  return floors;
}
