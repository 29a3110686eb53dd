/**
 * Breaking and healing an uplink, inside its ISP namespace (never the router's): `down` drops
 * every packet the ISP forwards or receives on its customer link; `loss` drops a random
 * percentage with nft `numgen random`. Latency is added by the internet responder (tc netem is
 * not available on these machines).
 */
import type { Netns } from 'netns-kit';

export type LinkFault = { kind: 'up' } | { kind: 'down' } | { kind: 'loss'; percent: number };

export function faultRuleset(f: LinkFault): string | null {
  switch (f.kind) {
    case 'up':
      return null;
    case 'down':
      return 'table inet labfault {\n  chain fault_fwd { type filter hook forward priority -10; drop; }\n  chain fault_in { type filter hook input priority -10; iifname "down0" drop; }\n}';
    case 'loss': {
      const p = Math.max(0, Math.min(100, Math.round(f.percent)));
      return `table inet labfault {\n  chain fault_fwd { type filter hook forward priority -10; numgen random mod 100 < ${p} drop; }\n}`;
    }
  }
}

/** Replaces the ISP's fault table in one nft transaction. */
export function applyFault(isp: Netns, f: LinkFault): void {
  const rules = faultRuleset(f);
  const script = ['table inet labfault {}', 'delete table inet labfault', ...(rules ? [rules] : [])].join('\n');
  isp.nft(script);
}
