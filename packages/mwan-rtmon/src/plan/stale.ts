/**
 * Which routing tables rtmon may clean although no interface section names them (pure): a table
 * left behind by an earlier run (an interface removed from the config while rtmon was not
 * running). Only mwan's own ip rules prove a table is mwan's: `pref 1000+N ... lookup N` (iif)
 * or `pref 2000+N ... lookup N` (fwmark), as mwand installs them. A table without such a rule,
 * main/default/local, and rt_table_lookup tables are never claimed.
 */
export interface IpRuleEntry {
  pref: number;
  /** table id the rule looks up; undefined for unreachable/blackhole/other actions */
  table?: number;
}

const RESERVED: ReadonlySet<number> = new Set([0, 253, 254, 255]);

export function staleMwanTables(rules: readonly IpRuleEntry[], owned: ReadonlySet<number>, lookupTables: ReadonlySet<number>): number[] {
  const out = new Set<number>();
  for (const r of rules) {
    const t = r.table;
    if (t === undefined || !Number.isInteger(t) || t < 1 || t >= 1000 || RESERVED.has(t)) continue;
    if (r.pref !== 1000 + t && r.pref !== 2000 + t) continue;
    if (owned.has(t) || lookupTables.has(t)) continue;
    out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}
