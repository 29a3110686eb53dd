/**
 * Ruleset objects and the commands that carry them (add/create/flush/delete/replace).
 * Builders take the table as `{ family, table }` once, so a planner cannot mix tables up.
 */
import type { ChainObj, Command, Expr, Family, MapObj, RuleObj, RulesetObject, SetObj, Stmt, TableObj } from './types.js';

export interface TableRef { family: Family; table: string }

export const tableObj = (t: TableRef, comment?: string): TableObj =>
  comment ? { family: t.family, name: t.table, comment } : { family: t.family, name: t.table };

export const chainObj = (t: TableRef, name: string): ChainObj => ({ family: t.family, table: t.table, name });

export function baseChainObj(
  t: TableRef,
  name: string,
  hook: { type: 'filter' | 'route' | 'nat'; hook: string; prio: number; policy?: 'accept' | 'drop' },
): ChainObj {
  return { family: t.family, table: t.table, name, type: hook.type, hook: hook.hook, prio: hook.prio, policy: hook.policy ?? 'accept' };
}

export const ruleObj = (t: TableRef, chain: string, expr: Stmt[], comment?: string): RuleObj =>
  comment === undefined ? { family: t.family, table: t.table, chain, expr } : { family: t.family, table: t.table, chain, expr, comment };

export function setObj(
  t: TableRef,
  name: string,
  type: string | string[],
  opts: Pick<SetObj, 'flags' | 'timeout' | 'size' | 'elem' | 'policy' | 'comment'> = {},
): SetObj {
  return { family: t.family, table: t.table, name, type, ...opts };
}

export function mapObj(
  t: TableRef,
  name: string,
  type: string | string[],
  data: string,
  opts: Pick<MapObj, 'flags' | 'timeout' | 'size' | 'elem' | 'comment'> = {},
): MapObj {
  return { family: t.family, table: t.table, name, type, map: data, ...opts };
}

export const elementObj = (t: TableRef, set: string, elem: Expr[]) => ({ element: { family: t.family, table: t.table, name: set, elem } });

/** Wraps an object into a ruleset object by its kind. */
export function wrap(kind: 'table', o: TableObj): RulesetObject;
export function wrap(kind: 'chain', o: ChainObj): RulesetObject;
export function wrap(kind: 'rule', o: RuleObj): RulesetObject;
export function wrap(kind: 'set', o: SetObj): RulesetObject;
export function wrap(kind: 'map', o: MapObj): RulesetObject;
export function wrap(kind: string, o: unknown): RulesetObject {
  return { [kind]: o } as RulesetObject;
}

export const add = (o: RulesetObject): Command => ({ add: o });
export const create = (o: RulesetObject): Command => ({ create: o });
export const flush = (o: RulesetObject): Command => ({ flush: o });
export const del = (o: RulesetObject): Command => ({ delete: o });
export const replaceRule = (r: RuleObj): Command => ({ replace: { rule: r } });

/** The document `nft -j -f -` reads. */
export const document = (commands: readonly Command[]): { nftables: Command[] } => ({ nftables: [...commands] });
