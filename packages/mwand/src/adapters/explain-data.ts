/**
 * What `explain` needs from the dataplane, in the core's shapes: the planner's own-address maps
 * (which address pins traffic to which WAN), the members of the rules' sets and the sticky
 * rules' entries as the running ruleset lists them. All pure; the read itself happens in the
 * dataplane port.
 */
import { names, probeScope, TABLE, type DesiredState, type IpFamily } from 'mwan-dataplane';
import type { Expr, Ruleset, SetObj } from 'nft-json';
import type {
  ExplainSets, ExplainSetsRequest, IpsetMembers, SetEntries, SourceWans, StickyElement, StickyEntries, StickyRef, StickySet,
} from '../core/explain.js';

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
      const set = ownSet(rs, setName);
      entry[f] = set ? setEntries(set.elem ?? [], setName) : { error: notInTable(setName) };
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

/** Both kinds of explain's sets from one listing of our table (`rs` null: the table does not exist). */
export function explainSetsOf(rs: Ruleset | null, want: ExplainSetsRequest): ExplainSets {
  return { ipsets: ipsetMembersOf(rs, want.ipsets), sticky: stickyEntriesOf(rs, want.sticky) };
}

/**
 * The elements of the sticky sets `sticky_<rule>_<wan>_v4|v6` (names.stickySet) from a listing
 * of our table, by rule, WAN and family; a set missing from the table or listing an element of
 * an unknown form carries the reason instead.
 */
export function stickyEntriesOf(rs: Ruleset | null, refs: readonly StickyRef[]): StickyEntries {
  const out: Record<string, Record<string, Partial<Record<IpFamily, StickySet>>>> = {};
  for (const { rule, wan, family } of refs) {
    const setName = names.stickySet(rule, wan, family);
    const set = rs === null ? undefined : ownSet(rs, setName);
    const entries = rs === null ? { error: `table ${TABLE.family} ${TABLE.table} does not exist` }
      : set ? stickyElements(set.elem ?? [], setName) : { error: notInTable(setName) };
    ((out[rule] ??= {})[wan] ??= {})[family] = { set: setName, entries };
  }
  return { byRule: out };
}

/**
 * A dynamic set's elements as nft lists them: a plain address, or `{elem: {val, timeout?,
 * expires?}}` (nft 1.0.6 prints expires in whole seconds). Any other form makes the set unreadable.
 */
export function stickyElements(elems: readonly Expr[], setName: string): readonly StickyElement[] | { error: string } {
  const out: StickyElement[] = [];
  for (const e of elems) {
    if (typeof e === 'string') {
      out.push({ addr: e });
      continue;
    }
    const el = e !== null && typeof e === 'object' ? (e as { elem?: { val?: unknown; expires?: unknown } }).elem : undefined;
    if (!el || typeof el.val !== 'string') return { error: `set ${setName} has an element explain does not understand: ${JSON.stringify(e)}` };
    out.push({ addr: el.val, ...(typeof el.expires === 'number' ? { expires: el.expires } : {}) });
  }
  return out;
}

function ownSet(rs: Ruleset, name: string): SetObj | undefined {
  return rs.sets.find((s) => s.name === name && s.table === TABLE.table && s.family === TABLE.family);
}

function notInTable(setName: string): string {
  return `set ${setName} is not in table ${TABLE.family} ${TABLE.table}`;
}
