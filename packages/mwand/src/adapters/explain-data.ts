/**
 * What `explain` needs from the dataplane, in the core's shapes: the planner's own-address maps
 * (which address pins traffic to which WAN) and the members of the rules' sets as the running
 * ruleset lists them. Both pure; the read itself happens in the dataplane port.
 */
import { names, probeScope, TABLE, type DesiredState, type IpFamily } from 'mwan-dataplane';
import type { Expr, Ruleset } from 'nft-json';
import type { IpsetMembers, SetEntries, SourceWans } from '../core/explain.js';

const FAMILIES: IpFamily[] = ['ipv4', 'ipv6'];

/** The plan's `src_wan_v4` / `src_wan_v6` elements as address → WAN, and the probe traffic they pin, per family. */
export function sourceWansOf(d: DesiredState): SourceWans {
  const byChain = new Map(d.wans.map((w) => [names.markChain(w.name), w.name]));
  const out: Record<IpFamily, Record<string, string>> = { ipv4: {}, ipv6: {} };
  const scope: Partial<Record<IpFamily, { targets: string[]; ports: number[] }>> = {};
  for (const f of FAMILIES) {
    const s = probeScope(d.wans, f);
    if (s) scope[f] = s;
  }
  for (const f of FAMILIES) {
    const map = d.nft.maps?.find((m) => m.name === names.srcWanMap(f));
    for (const [addr, chain] of map?.elements ?? []) {
      const wan = byChain.get(chain);
      if (wan !== undefined) out[f][addr] = wan;
    }
  }
  return { wans: out, scope };
}

/**
 * Members of each rule set (`ipset NAME`: nft sets NAME and NAME_v6 in table inet mwan) from a
 * listing of our table; `rs` null = the table does not exist.
 */
export function ipsetMembersOf(rs: Ruleset | null, ipsets: readonly string[]): IpsetMembers {
  const out: Record<string, Partial<Record<IpFamily, SetEntries>>> = {};
  for (const name of ipsets) {
    const entry: Partial<Record<IpFamily, SetEntries>> = {};
    for (const f of FAMILIES) {
      const setName = names.ipset(name, f);
      if (rs === null) {
        entry[f] = { error: `table ${TABLE.family} ${TABLE.table} does not exist` };
        continue;
      }
      const set = rs.sets.find((s) => s.name === setName && s.table === TABLE.table && s.family === TABLE.family);
      entry[f] = set ? setEntries(set.elem ?? [], setName) : { error: `set ${setName} is not in table ${TABLE.family} ${TABLE.table}` };
    }
    out[name] = entry;
  }
  return out;
}

/**
 * A set's elements as nft lists them ("a", {prefix}, {range}, {elem: {val}} with timeouts) as
 * "a", "a/len", "a-b"; an element of another form makes the whole set unreadable (explain must
 * not answer from a partial list).
 */
export function setEntries(elems: readonly Expr[], setName: string): SetEntries {
  const out: string[] = [];
  for (const e of elems) {
    const s = entryText(e);
    if (s === undefined) return { error: `set ${setName} has an element explain does not understand: ${JSON.stringify(e)}` };
    out.push(s);
  }
  return out;
}

function entryText(e: Expr): string | undefined {
  if (typeof e === 'string') return e;
  if (e === null || typeof e !== 'object') return undefined;
  const o = e as Record<string, unknown>;
  if (o.elem && typeof o.elem === 'object') return entryText((o.elem as { val: Expr }).val);
  const p = o.prefix as { addr?: unknown; len?: unknown } | undefined;
  if (p && typeof p.addr === 'string' && typeof p.len === 'number') return `${p.addr}/${p.len}`;
  const r = o.range as unknown;
  if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'string' && typeof r[1] === 'string') return `${r[0]}-${r[1]}`;
  return undefined;
}
