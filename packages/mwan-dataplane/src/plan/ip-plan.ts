/** ip rules and per-WAN default routes, with mwan3's prefs and table numbers. */
import { prefs, type MarkSpace } from './marks.js';
import type { IpFamily, IpRule, PlanState, Route, WanInfo } from './types.js';

export function planIpRules(wans: WanInfo[], ms: MarkSpace): IpRule[] {
  const rules: IpRule[] = [];
  for (const w of wans) {
    // rules exist while the interface is up with a device (mwan3: ifup..ifdown), for BOTH families
    if (!w.enabled || !w.device) continue;
    const fwmark = { mark: w.mark, mask: ms.mask };
    rules.push({ family: w.family, pref: prefs.iif(w.id), iif: w.device, action: 'lookup', table: w.table });
    rules.push({ family: w.family, pref: prefs.fwmark(w.id), fwmark, action: 'lookup', table: w.table });
    rules.push({ family: w.family, pref: prefs.unreachable(w.id), fwmark, action: 'unreachable' });
  }
  for (const family of ['ipv4', 'ipv6'] as IpFamily[]) {
    rules.push({ family, pref: prefs.blackholeRule(ms), fwmark: { mark: ms.blackhole, mask: ms.mask }, action: 'blackhole' });
    rules.push({ family, pref: prefs.unreachableRule(ms), fwmark: { mark: ms.unreachable, mask: ms.mask }, action: 'unreachable' });
  }
  return rules.sort((a, b) => (a.family === b.family ? a.pref - b.pref : a.family < b.family ? -1 : 1));
}

export function planRoutes(wans: WanInfo[], state: PlanState): Route[] {
  const routes: Route[] = [];
  for (const w of wans) {
    if (!w.enabled || !w.device) continue;
    const gw = state.wans[w.name]?.gateway;
    routes.push({ family: w.family, table: w.table, dst: 'default', dev: w.device, ...(gw ? { via: gw } : {}) });
  }
  return routes;
}
