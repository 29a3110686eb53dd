/**
 * Pure planner for the nft sets rtmon keeps: connected_v4/_v6 (networks of the main table, plus
 * the IPv4 local and broadcast addresses of the local table) and custom_v4/_v6 (networks of the
 * rt_table_lookup tables). Sets are `flags interval` without auto-merge, where overlapping
 * elements are refused, so a set holds only the outermost prefixes (a /24 hides its /32s).
 */
import { bytesToIp, ipToBytes, maskBytes, parsePrefix, prefixText, type Family } from '../netlink/ip.js';
import { RT_TABLE, RTN, type RouteEntry } from '../netlink/types.js';

export type SetName = 'connected_v4' | 'connected_v6' | 'custom_v4' | 'custom_v6';
export const SET_NAMES: readonly SetName[] = ['connected_v4', 'connected_v6', 'custom_v4', 'custom_v6'];

export function setName(kind: 'connected' | 'custom', family: Family): SetName {
  return `${kind}_v${family}` as SetName;
}

const NETWORK_TYPES: ReadonlySet<number> = new Set([RTN.UNICAST, RTN.BLACKHOLE, RTN.UNREACHABLE, RTN.PROHIBIT, RTN.THROW]);

/** Drops every prefix inside another one and duplicates; returns canonical text, sorted. */
export function outermost(prefixes: Iterable<string>): string[] {
  const parsed = [...new Set(prefixes)].map((p) => parsePrefix(p)).filter((p) => p !== undefined)
    .sort((a, b) => a.len - b.len);
  // kept prefixes by family|addr/len; a candidate is covered when its own address masked to
  // any kept length is kept (O(n × distinct lengths), not O(n²))
  const kept = new Set<string>();
  const lengths = { 4: new Set<number>(), 6: new Set<number>() };
  const out: string[] = [];
  for (const p of parsed) {
    const bytes = ipToBytes(p.addr)!;
    let covered = false;
    for (const l of lengths[p.family]) {
      if (l <= p.len && kept.has(`${p.family}|${bytesToIp(maskBytes(bytes, l))}/${l}`)) { covered = true; break; }
    }
    if (covered) continue;
    kept.add(`${p.family}|${p.addr}/${p.len}`);
    lengths[p.family].add(p.len);
    out.push(prefixText(p.addr, p.len));
  }
  return out.sort(comparePrefixText);
}

function comparePrefixText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Desired elements of every set rtmon keeps. */
export function desiredSets(routes: Iterable<RouteEntry>, lookupTables: readonly number[]): Record<SetName, string[]> {
  const lookup = new Set(lookupTables);
  const acc: Record<SetName, string[]> = { connected_v4: [], connected_v6: [], custom_v4: [], custom_v6: [] };
  for (const r of routes) {
    if (r.cloned || r.dstLen === 0) continue;
    const text = prefixText(r.dst, r.dstLen);
    if (r.table === RT_TABLE.MAIN && NETWORK_TYPES.has(r.type)) acc[setName('connected', r.family)].push(text);
    else if (r.table === RT_TABLE.LOCAL && r.family === 4 && (r.type === RTN.LOCAL || r.type === RTN.BROADCAST)) acc.connected_v4.push(text);
    if (lookup.has(r.table) && NETWORK_TYPES.has(r.type)) acc[setName('custom', r.family)].push(text);
  }
  return {
    connected_v4: outermost(acc.connected_v4),
    connected_v6: outermost(acc.connected_v6),
    custom_v4: outermost(acc.custom_v4),
    custom_v6: outermost(acc.custom_v6),
  };
}

export interface SetDiff {
  add: string[];
  del: string[];
}

/** Element changes from `actual` to `desired` (both canonical prefix text). */
export function diffSet(desired: readonly string[], actual: readonly string[]): SetDiff {
  const want = new Set(desired);
  const have = new Set(actual);
  return { add: desired.filter((e) => !have.has(e)), del: actual.filter((e) => !want.has(e)) };
}
