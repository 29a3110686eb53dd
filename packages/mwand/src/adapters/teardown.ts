/**
 * Removes what mwan put in the kernel: table `inet mwan`, the ip rules at mwan's prefs, and
 * every route of the WAN tables (the default routes mwand adds and the routes mwan-rtmon
 * mirrors from the main table). The WAN tables are the configured interfaces' ids plus every
 * table one of the removed rules looked up, so a config that no longer loads still finds them.
 * Used by `/etc/init.d/mwan stop` (`ubus call mwan teardown`, or `mwand --teardown-now` when
 * mwand is not running). A crash (kill -9) skips it: the respawned mwand adopts the state.
 */
import { isOwnPref, markSpace, TABLE, type DataplaneBackend, type IpFamily, type IpOp } from 'mwan-dataplane';

import type { TeardownReport } from '../ports.js';
import type { RouteTables } from './route-tables.js';

export type { TeardownReport };

/**
 * `routeTables` flushes whole tables; without it (the recording dataplane) only the default
 * routes the backend lists are removed.
 */
export async function teardown(backend: DataplaneBackend, mask: number, tables: readonly number[], routeTables?: RouteTables): Promise<TeardownReport> {
  const ms = markSpace(mask);
  const report: TeardownReport = { table: false, ipRules: 0, routes: 0 };
  for (const f of ['ipv4', 'ipv6'] as IpFamily[]) {
    const ops: IpOp[] = [];
    const wanTables = new Set(tables);
    for (const rule of await backend.ipRules(f)) {
      if (!isOwnPref(rule.pref, ms)) continue;
      ops.push({ op: 'del', rule });
      if (rule.action === 'lookup' && rule.table !== undefined && rule.table > 0 && rule.table < 253) wanTables.add(rule.table);
    }
    if (!routeTables) for (const route of await backend.ipRoutes(f)) if (wanTables.has(route.table)) ops.push({ op: 'del', route });
    if (ops.length) await backend.ipApply(f, ops);
    report.ipRules += ops.filter((o) => 'rule' in o).length;
    report.routes += ops.filter((o) => 'route' in o).length;
    if (routeTables) report.routes += await routeTables.flush(f, [...wanTables].sort((a, b) => a - b));
  }
  if (await backend.nftList()) {
    await backend.nftApply([{ delete: { table: { family: TABLE.family, name: TABLE.table } } }]);
    report.table = true;
  }
  return report;
}
