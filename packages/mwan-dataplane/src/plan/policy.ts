/**
 * Which members of a policy carry new connections, per family: among usable members the lowest
 * metric wins, members sharing that metric split by weight (mwan3). Metric 256 is an ordinary
 * metric here (mwan3 never treated it as lowest).
 */
import type { BalanceMode, IpFamily, PlanConfig, PlanPolicy, PlanState, PolicyChoice, WanInfo } from './types.js';

export interface TierMember { interface: string; member: string; weight: number }

export function choosePolicy(
  cfg: PlanConfig, state: PlanState, wans: Map<string, WanInfo>, policy: PlanPolicy, family: IpFamily, warnings: string[],
): PolicyChoice {
  const balance: BalanceMode = policy.balance ?? 'weighted';
  let lowest = Infinity;
  let tier: TierMember[] = [];
  for (const mname of policy.members) {
    const m = cfg.members.find((x) => x.name === mname);
    if (!m) { warnings.push(`policy ${policy.name}: member ${mname} does not exist; skipped`); continue; }
    const w = wans.get(m.interface);
    if (!w) { warnings.push(`member ${m.name}: interface ${m.interface} does not exist; skipped`); continue; }
    if (w.family !== family || !w.usable) continue;
    if (m.metric > 256 || m.metric < 1) continue;
    if (m.metric < lowest) { lowest = m.metric; tier = []; }
    if (m.metric === lowest) tier.push({ interface: m.interface, member: m.name, weight: Math.max(1, Math.floor(m.weight)) });
  }
  const weighted = effectiveWeights(tier, balance, state);
  const total = weighted.reduce((a, b) => a + b.weight, 0);
  return {
    policy: policy.name,
    family,
    balance,
    lastResort: policy.lastResort,
    members: weighted.map((m) => ({ ...m, percent: total ? Math.round((m.weight * 1000) / total) / 10 : 0 })),
  };
}

/** Weights as the balancer uses them, reduced by their gcd so verdict maps stay small. */
export function effectiveWeights(tier: TierMember[], balance: BalanceMode, state: PlanState): TierMember[] {
  let out = tier.map((m) => ({ ...m }));
  if (balance === 'random') out = out.map((m) => ({ ...m, weight: 1 }));
  if (balance === 'quality') out = qualityWeights(out, state);
  const g = out.reduce((acc, m) => gcd(acc, m.weight), 0) || 1;
  return out.map((m) => ({ ...m, weight: m.weight / g }));
}

/**
 * Latencies below this count as equal for `quality`: between a few microseconds and a few
 * milliseconds the difference is measurement noise, not link quality, and dividing by it would
 * swing the weights wildly (seen on veth links: 6 % / 94 % for two equal links).
 */
export const QUALITY_LATENCY_FLOOR_MS = 10;

/**
 * quality: each member's weight times (1 - loss/100) times (best latency / its latency), scaled to
 * integers out of 100 per unit of weight; latencies are taken as at least
 * QUALITY_LATENCY_FLOOR_MS. A member with no measurement counts as perfect; every usable member
 * keeps at least 1 so it still sees some traffic and its figures stay fresh.
 */
function qualityWeights(tier: TierMember[], state: PlanState): TierMember[] {
  const floor = (x: number) => Math.max(QUALITY_LATENCY_FLOOR_MS, x);
  const lat = tier.map((m) => state.wans[m.interface]?.latencyMs).filter((x): x is number => typeof x === 'number' && x > 0).map(floor);
  const best = lat.length ? Math.min(...lat) : QUALITY_LATENCY_FLOOR_MS;
  return tier.map((m) => {
    const s = state.wans[m.interface];
    const loss = Math.min(100, Math.max(0, s?.lossPct ?? 0));
    const latency = s?.latencyMs && s.latencyMs > 0 ? floor(s.latencyMs) : best;
    const q = (1 - loss / 100) * (best / Math.max(best, latency));
    return { ...m, weight: Math.max(1, Math.round(m.weight * 100 * q)) };
  });
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
