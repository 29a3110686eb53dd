/**
 * What the lab measures from the LAN traffic (pure): share of live flows per WAN, loss, and the
 * time from a fault until new flows are carried by the remaining WANs.
 */
import type { TrafficEvent } from './traffic.js';

/** A traffic event with the WAN resolved from the source address the service saw. */
export type Observed = TrafficEvent & { wan?: string; family?: 'ipv4' | 'ipv6' };

export interface WindowStats {
  /** WAN name → fraction (0..1) of the flows answered in the window that it carried */
  shares: Record<string, number>;
  flows: number;
  replies: number;
  lost: number;
}

export function windowStats(events: readonly Observed[], from: number, to: number, wans: readonly string[]): WindowStats {
  const flowWan = new Map<number, string>();
  let replies = 0;
  let lost = 0;
  for (const e of events) {
    if (e.t < from || e.t >= to) continue;
    if (e.kind === 'reply') {
      replies++;
      if (e.wan) flowWan.set(e.flow, e.wan);
    } else lost++;
  }
  const shares: Record<string, number> = Object.fromEntries(wans.map((w) => [w, 0]));
  for (const w of flowWan.values()) shares[w] = (shares[w] ?? 0) + 1;
  const n = flowWan.size;
  if (n) for (const w of Object.keys(shares)) shares[w] = shares[w]! / n;
  return { shares, flows: n, replies, lost };
}

/**
 * Time (ms) from `faultAt` until traffic has moved: the start of the first new flow after the
 * fault from which on every new flow, for `settleMs`, was answered and none through `deadWan`.
 * Undefined when that never happened in the events given.
 */
export function timeToMove(events: readonly Observed[], faultAt: number, deadWan: string | undefined, settleMs = 1000): number | undefined {
  const firsts = events
    .filter((e) => e.first && e.t >= faultAt)
    .map((e) => ({ t: e.t, ok: e.kind === 'reply' && (deadWan === undefined || e.wan !== deadWan) }))
    .sort((a, b) => a.t - b.t);
  for (let i = 0; i < firsts.length; i++) {
    if (!firsts[i]!.ok) continue;
    const start = firsts[i]!.t;
    let j = i;
    let good = true;
    while (j < firsts.length && firsts[j]!.t < start + settleMs) {
      if (!firsts[j]!.ok) { good = false; break; }
      j++;
    }
    const covered = j < firsts.length || (firsts.length > 0 && firsts[firsts.length - 1]!.t >= start + settleMs * 0.8);
    if (good && covered) return start - faultAt;
    if (!good) i = j;
  }
  return undefined;
}

/** Time (ms) from `at` until the first new flow answered through `wan` (failback). */
export function timeToReturn(events: readonly Observed[], at: number, wan: string): number | undefined {
  const hit = events.filter((e) => e.kind === 'reply' && e.first && e.t >= at && e.wan === wan).sort((a, b) => a.t - b.t)[0];
  return hit ? hit.t - at : undefined;
}
