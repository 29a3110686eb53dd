/**
 * Whole routing tables, for teardown: the WAN tables hold the default routes mwand adds and
 * the routes mwan-rtmon mirrors from the main table, and `stop` must leave none of them.
 * `ip -N -j route show table all` counts them (numeric table ids, so rt_tables names do not
 * matter), `ip route flush table N` removes them. Both run with argument arrays.
 */
import { spawnRunner, type Runner } from 'nft-json';
import type { IpFamily } from 'mwan-dataplane';

export interface RouteTables {
  /** removes every route of the given tables; returns how many there were */
  flush(family: IpFamily, tables: readonly number[]): Promise<number>;
}

export interface RouteTablesOptions {
  /** network namespace to act in (tests, lab); default the current one */
  netns?: string;
  runner?: Runner;
}

export function createRouteTables(opts: RouteTablesOptions = {}): RouteTables {
  const runner = opts.runner ?? spawnRunner;
  const ip = opts.netns ? ['ip', '-n', opts.netns] : ['ip'];
  return {
    async flush(family, tables) {
      const fam = family === 'ipv4' ? '-4' : '-6';
      const list = await runner([...ip, '-N', '-j', fam, 'route', 'show', 'table', 'all']);
      if (list.code !== 0) throw new Error(`ip ${fam} route show table all failed: ${list.stderr.trim()}`);
      const count = countByTable(list.stdout);
      let removed = 0;
      for (const t of new Set(tables)) {
        const n = count.get(t) ?? 0;
        if (n === 0) continue;
        const r = await runner([...ip, fam, 'route', 'flush', 'table', String(t)]);
        if (r.code !== 0) throw new Error(`ip ${fam} route flush table ${t} failed: ${r.stderr.trim()}`);
        removed += n;
      }
      return removed;
    },
  };
}

/** `ip -N -j route show table all` → routes per numeric table (main has no `table` key). */
export function countByTable(json: string): Map<number, number> {
  const out = new Map<number, number>();
  let routes: unknown;
  try {
    routes = JSON.parse(json.trim() || '[]');
  } catch {
    throw new Error('ip route show: output is not JSON');
  }
  if (!Array.isArray(routes)) return out;
  for (const r of routes) {
    const t = (r as { table?: unknown } | null)?.table;
    const id = typeof t === 'number' ? t : typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : NaN;
    if (Number.isInteger(id)) out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}
