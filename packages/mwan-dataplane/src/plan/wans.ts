import { PlanError } from '../errors.js';
import { interfaceMark, type MarkSpace } from './marks.js';
import type { PlanConfig, PlanState, TrackStatus, WanInfo } from './types.js';
import { checkWanState, isValidCidr } from './validate.js';

/**
 * Tracker states in which a WAN carries new connections. Like mwan3's hotplug state: a WAN stays
 * usable while `disconnecting` (not yet declared down) and is not usable while `connecting`.
 */
const USABLE: ReadonlySet<TrackStatus> = new Set(['online', 'disconnecting', 'disabled']);

/** Ids, tables, marks and usability of every interface section, in config order. */
export function wanInfos(cfg: PlanConfig, state: PlanState, ms: MarkSpace): WanInfo[] {
  if (cfg.interfaces.length > ms.maxInterfaces) {
    throw new PlanError('PLAN_TOO_MANY_INTERFACES',
      `${cfg.interfaces.length} interfaces do not fit mmx_mask 0x${ms.mask.toString(16)} (at most ${ms.maxInterfaces})`, { field: 'globals.mmx_mask' });
  }
  return cfg.interfaces.map((iface, i) => {
    const id = i + 1;
    const st = state.wans[iface.name];
    // device, gateway, addresses and figures come from netifd/trackers/a state file: checked
    // here, before anything derived from them can reach nft or ip
    if (st !== undefined) checkWanState(iface.name, iface.family, st);
    const device = st?.up && st.device ? st.device : undefined;
    return {
      name: iface.name,
      id,
      table: id,
      mark: interfaceMark(id, ms.mask),
      family: iface.family,
      enabled: iface.enabled,
      usable: iface.enabled && device !== undefined && USABLE.has(st!.status),
      ...(device !== undefined && iface.enabled ? { device, addresses: ownAddresses(st!.addresses ?? []) } : {}),
      ...(iface.sourceBoundProbes ? { sourceBoundProbes: checkProbes(iface.name, iface.family, iface.sourceBoundProbes) } : {}),
    };
  });
}

/** Plain addresses (prefix length dropped, canonical form), IPv6 link-local left out. */
function ownAddresses(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of list) {
    const addr = canonicalAddress(a.split('/')[0]!);
    if (/^fe[89ab]/i.test(addr)) continue;
    if (!out.includes(addr)) out.push(addr);
  }
  return out;
}

/** IPv4 as is; IPv6 in RFC 5952 form (as nft lists it), so desired and listed elements compare. */
export function canonicalAddress(a: string): string {
  if (!a.includes(':')) return a;
  let [head, tail] = a.toLowerCase().split('::') as [string, string | undefined];
  const part = (x: string | undefined): string[] => (x ? x.split(':') : []);
  let groups: string[];
  const v4tail = (g: string[]): string[] => {
    const last = g[g.length - 1];
    if (last && last.includes('.')) {
      const b = last.split('.').map(Number);
      return [...g.slice(0, -1), ((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)];
    }
    return g;
  };
  if (tail !== undefined) {
    const h = part(head); const t = v4tail(part(tail));
    groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  } else groups = v4tail(part(head));
  groups = groups.map((g) => parseInt(g, 16).toString(16));
  // longest run (>= 2) of zero groups becomes ::
  let best = -1; let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i; while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * The tracker probes mwan must route by source address (PlanInterface.sourceBoundProbes) for a
 * tracker method that cannot mark its sockets: httping (Node's http client) is the only one;
 * every other method is device-bound and marked. Port as the tracker uses it: 443 with
 * httping_ssl, else 80. Undefined for other methods or without targets.
 */
export function sourceBoundProbes(trackMethod: string, trackIp: readonly string[], httpingSsl: boolean): { targets: string[]; port: number } | undefined {
  if (trackMethod !== 'httping' || trackIp.length === 0) return undefined;
  return { targets: [...trackIp], port: httpingSsl ? 443 : 80 };
}

function checkProbes(wan: string, family: PlanConfig['interfaces'][number]['family'], p: { targets: string[]; port: number }): { targets: string[]; port: number } {
  const bad = (field: string, value: unknown, why: string): never => {
    throw new PlanError('PLAN_BAD_VALUE', `interface '${wan}': ${field} ${JSON.stringify(value)} ${why}`, { field: `${wan}.${field}` });
  };
  if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) bad('probe port', p.port, 'is not 1-65535');
  for (const t of p.targets) if (!isValidCidr(t, family) || t.includes('/')) bad('track_ip', t, `is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
  return { targets: p.targets.map(canonicalAddress), port: p.port };
}
