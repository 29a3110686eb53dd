/** Desired vs actual ip rules (only prefs mwan owns) and default routes (only WAN tables). */
import { isOwnPref, type MarkSpace } from '../plan/marks.js';
import type { IpFamily, IpRule, Route } from '../plan/types.js';
import type { ActualRoute, IpOp } from './backend.js';

export const ruleKey = (r: IpRule): string =>
  `${r.pref} iif=${r.iif ?? ''} fwmark=${r.fwmark ? `${r.fwmark.mark}/${r.fwmark.mask}` : ''} ${r.action} ${r.table ?? ''}`;
const routeKey = (r: Route): string => `${r.table} ${r.dst} ${r.via ?? ''} ${r.dev}`;

export function diffIp(
  family: IpFamily, ms: MarkSpace,
  desiredRules: IpRule[], actualRules: IpRule[], desiredRoutes: Route[], actualRoutes: ActualRoute[],
): IpOp[] {
  const ops: IpOp[] = [];
  const want = new Map(desiredRules.filter((r) => r.family === family).map((r) => [ruleKey(r), r]));
  const have = new Map(actualRules.filter((r) => isOwnPref(r.pref, ms)).map((r) => [ruleKey(r), r]));
  for (const [k, r] of have) if (!want.has(k)) ops.push({ op: 'del', rule: r });
  for (const [k, r] of want) if (!have.has(k)) ops.push({ op: 'add', rule: r });
  const wantR = new Map(desiredRoutes.filter((r) => r.family === family).map((r) => [routeKey(r), r]));
  const ownTable = (n: number) => n >= 1 && n <= ms.maxInterfaces;
  const haveR = new Map(actualRoutes.filter((r) => r.dst === 'default' && ownTable(r.table)).map((r) => [routeKey(r), r]));
  for (const [k, r] of haveR) if (!wantR.has(k)) ops.push({ op: 'del', route: r });
  for (const [k, r] of wantR) if (!haveR.has(k)) ops.push({ op: 'add', route: r });
  return ops;
}
