/**
 * Pure mirroring planner: the routes of the main table (and rt_table_lookup tables) plus the WAN
 * list → the routes each WAN table should hold → the changes that get there.
 *
 * Rules (mwan3rtmon's, see docs/rtmon.md):
 * - sources: main and rt_table_lookup tables; no default routes (mwand owns those), no cache
 *   clones, no local/broadcast/anycast/multicast entries; on duplicate keys main wins;
 * - a route that uses an enabled WAN's device goes only into that WAN's table;
 * - any other route goes into every enabled WAN table of its family, except fe80::/64;
 * - rtmon owns every non-default route in the tables of ALL interface sections (disabled ones
 *   and the other family's routes are removed), never a default route.
 */
import { RT_TABLE, RTN, type Family, type RouteEntry } from '../netlink/types.js';

export interface WanTable {
  /** interface section name */
  name: string;
  /** routing table id (1-based position among interface sections) */
  table: number;
  family: Family;
  enabled: boolean;
  /** L3 device as netifd reports it; undefined while unknown */
  device?: string;
}

export interface MirrorInput {
  wans: readonly WanTable[];
  /** every route currently in the kernel (any table) */
  routes: Iterable<RouteEntry>;
  /** globals rt_table_lookup */
  lookupTables: readonly number[];
  /** device name → ifindex */
  ifindex: (device: string) => number | undefined;
  /** fingerprint of what we last wrote per table|key, so a route the kernel echoes back slightly differently is not rewritten forever */
  lastWritten?: ReadonlyMap<string, string>;
}

export interface RouteChange {
  op: 'replace' | 'delete';
  table: number;
  /** WAN name owning the table */
  wan: string;
  /** source route (for replace) or the stale route (for delete) */
  route: RouteEntry;
}

const MIRRORED_TYPES: ReadonlySet<number> = new Set([RTN.UNICAST, RTN.BLACKHOLE, RTN.UNREACHABLE, RTN.PROHIBIT, RTN.THROW]);

/**
 * Identity of a route inside one table, as the kernel keys a FIB entry: IPv4 by (dst, tos,
 * metric); IPv6 also by device, since the same prefix may sit on several devices at the same
 * metric (every link's fe80::/64).
 */
export function routeKey(r: RouteEntry): string {
  const dev = r.family === 6 ? `|${r.oif ?? ''}` : '';
  return `${r.family}|${r.dst}/${r.dstLen}|${r.src ?? ''}/${r.srcLen}|${r.tos}|${r.priority}${dev}`;
}

export function tableKey(table: number, r: RouteEntry): string {
  return `${table}|${routeKey(r)}`;
}

/** Everything a copy must reproduce; two routes with equal fingerprints need no rewrite. */
export function fingerprint(r: RouteEntry): string {
  const m = r.metrics ? Object.keys(r.metrics).sort().map((k) => `${k}=${r.metrics![k]}`).join(',') : '';
  return [r.type, r.protocol, r.scope, r.gateway ?? '', r.oif ?? '', r.prefsrc ?? '', r.pref ?? '', m, r.multipath ?? ''].join('|');
}

function isSource(r: RouteEntry, lookup: ReadonlySet<number>): boolean {
  return (r.table === RT_TABLE.MAIN || lookup.has(r.table)) && !r.cloned && r.dstLen > 0 && MIRRORED_TYPES.has(r.type);
}

function isLinkLocal64(r: RouteEntry): boolean {
  return r.family === 6 && r.dst === 'fe80::' && r.dstLen === 64;
}

/** table id → (route key → source route) that table should hold. */
export function desiredTables(input: MirrorInput): Map<number, Map<string, RouteEntry>> {
  const lookup = new Set(input.lookupTables);
  const out = new Map<number, Map<string, RouteEntry>>();
  for (const w of input.wans) out.set(w.table, new Map());
  const enabled = input.wans.filter((w) => w.enabled);
  const byIndex = new Map<string, WanTable>();
  for (const w of enabled) {
    const idx = w.device === undefined ? undefined : input.ifindex(w.device);
    if (idx !== undefined && !byIndex.has(`${w.family}|${idx}`)) byIndex.set(`${w.family}|${idx}`, w);
  }
  // main first so it wins over rt_table_lookup duplicates
  const sources = [...input.routes].filter((r) => isSource(r, lookup))
    .sort((a, b) => (a.table === RT_TABLE.MAIN ? 0 : 1) - (b.table === RT_TABLE.MAIN ? 0 : 1));
  for (const r of sources) {
    const key = routeKey(r);
    const owner = r.devices.map((d) => byIndex.get(`${r.family}|${d}`)).find((w) => w !== undefined);
    const targets = owner ? [owner] : isLinkLocal64(r) ? [] : enabled.filter((w) => w.family === r.family);
    for (const w of targets) {
      const t = out.get(w.table)!;
      if (!t.has(key)) t.set(key, r);
    }
  }
  return out;
}

/** Changes that turn the WAN tables into the desired ones: deletes first, then replaces ordered so link routes precede routes via gateways. */
export function planMirror(input: MirrorInput): RouteChange[] {
  const routes = [...input.routes]; // may be a one-shot iterator
  const desired = desiredTables({ ...input, routes });
  const wanOf = new Map(input.wans.map((w) => [w.table, w.name]));
  const actual = new Map<string, RouteEntry>();
  for (const r of routes) {
    if (wanOf.has(r.table) && r.dstLen > 0 && !r.cloned) actual.set(tableKey(r.table, r), r);
  }
  const deletes: RouteChange[] = [];
  const replaces: RouteChange[] = [];
  for (const [tk, r] of actual) {
    if (!desired.get(r.table)?.has(routeKey(r))) deletes.push({ op: 'delete', table: r.table, wan: wanOf.get(r.table)!, route: r });
    void tk;
  }
  for (const [table, routes] of desired) {
    for (const [key, src] of routes) {
      const tk = `${table}|${key}`;
      const have = actual.get(tk);
      const want = fingerprint(src);
      if (have && (fingerprint(have) === want || input.lastWritten?.get(tk) === want)) continue;
      replaces.push({ op: 'replace', table, wan: wanOf.get(table)!, route: src });
    }
  }
  // host/link scope (connected) routes before universe ones, so gateways resolve in the table
  replaces.sort((a, b) => b.route.scope - a.route.scope || a.table - b.table);
  return [...deletes, ...replaces];
}
