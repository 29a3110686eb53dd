/**
 * Expression and statement builders. Each returns the exact JSON object libnftables expects,
 * so a rule reads close to its nft text form:
 *   [match(and(meta('mark'), 0x3f00), 0), goto('policy_x')]  ==  meta mark & 0x3f00 == 0 goto policy_x
 */
import type {
  CtExpr, Expr, JhashExpr, LogStmt, MangleStmt, MatchOp, MatchStmt, MetaExpr, NumgenExpr,
  PayloadExpr, PrefixExpr, RangeExpr, SetStmt, Stmt, Verdict, VmapStmt, CounterStmt, ConcatExpr,
} from './types.js';

export const payload = (protocol: string, field: string): PayloadExpr => ({ payload: { protocol, field } });
export const meta = (key: string): MetaExpr => ({ meta: { key } });
export const ct = (key: string, dir?: 'original' | 'reply'): CtExpr => ({ ct: dir ? { key, dir } : { key } });
export const numgen = (mode: 'inc' | 'random', mod: number, offset = 0): NumgenExpr => ({ numgen: { mode, mod, offset } });
export const jhash = (expr: Expr, mod: number, seed = 0, offset = 0): JhashExpr => ({ jhash: { mod, seed, offset, expr } });
export const prefix = (addr: string, len: number): PrefixExpr => ({ prefix: { addr, len } });
export const range = (lo: Expr, hi: Expr): RangeExpr => ({ range: [lo, hi] });
export const concat = (...parts: Expr[]): ConcatExpr => ({ concat: parts });
/** Reference to a named set or map: `@name`. */
export const setRef = (name: string): string => `@${name}`;
/** Anonymous set `{ a, b }`. */
export const anonSet = (items: Expr[]): Expr => ({ set: items });
export const and = (a: Expr, b: Expr): Expr => ({ '&': [a, b] });
export const or = (a: Expr, b: Expr): Expr => ({ '|': [a, b] });

export const match = (left: Expr, right: Expr, op: MatchOp = '=='): MatchStmt => ({ match: { op, left, right } });
/** `left @set` (op "==") or `left != @set`. */
export const lookup = (left: Expr, setName: string, negate = false): MatchStmt => match(left, setRef(setName), negate ? '!=' : '==');
export const mangle = (key: Expr, value: Expr): MangleStmt => ({ mangle: { key, value } });
/** `key set key & ~mask | value`: writes `value` into the bits of `mask`, keeps the rest. */
export const setBits = (key: MetaExpr | CtExpr, mask: number, value: number): MangleStmt =>
  mangle(key, or(and(key, (~mask) >>> 0), value >>> 0));
export const counter = (): CounterStmt => ({ counter: null });
export const log = (opts: { prefix?: string; level?: string } = {}): LogStmt => ({ log: { ...opts } });
export const vmap = (key: Expr, entries: Array<[Expr, Verdict]>): VmapStmt => ({ vmap: { key, data: { set: entries } } });
/** Dynamic set update from the packet path: `update @set { key timeout Ns }`. */
export const setUpdate = (setName: string, elem: Expr, op: 'add' | 'update' = 'update'): SetStmt => ({ set: { op, elem, set: setRef(setName) } });

export const accept = (): Verdict => ({ accept: null });
export const drop = (): Verdict => ({ drop: null });
export const ret = (): Verdict => ({ return: null });
export const jump = (target: string): Verdict => ({ jump: { target } });
export const goTo = (target: string): Verdict => ({ goto: { target } });

/** Statement list helper so call sites can mix optional parts: rule(a, cond && b, c). */
export function stmts(...parts: Array<Stmt | Stmt[] | false | null | undefined>): Stmt[] {
  const out: Stmt[] = [];
  for (const p of parts) {
    if (!p) continue;
    if (Array.isArray(p)) out.push(...p);
    else out.push(p);
  }
  return out;
}
