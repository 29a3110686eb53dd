/**
 * The subset of the libnftables JSON schema (`man libnftables-json`, json_schema_version 1) that
 * mwan writes and reads. Names and shapes mirror the man page one to one.
 */

export type Family = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

/** A verdict statement or verdict used as map data. */
export type Verdict =
  | { accept: null }
  | { drop: null }
  | { continue: null }
  | { return: null }
  | { jump: { target: string } }
  | { goto: { target: string } };

export interface PayloadExpr { payload: { protocol: string; field: string } }
export interface MetaExpr { meta: { key: string } }
export interface CtExpr { ct: { key: string; dir?: 'original' | 'reply'; family?: 'ip' | 'ip6' } }
export interface NumgenExpr { numgen: { mode: 'inc' | 'random'; mod: number; offset?: number } }
export interface JhashExpr { jhash: { mod: number; offset?: number; expr: Expr; seed?: number } }
export interface PrefixExpr { prefix: { addr: string; len: number } }
export interface RangeExpr { range: [Expr, Expr] }
export interface SetExpr { set: Expr[] | Array<[Expr, Expr]> | Expr }
export interface MapExpr { map: { key: Expr; data: Expr } }
export interface ConcatExpr { concat: Expr[] }
export interface BinopExpr { '&'?: [Expr, Expr]; '|'?: [Expr, Expr]; '^'?: [Expr, Expr] }
export interface ElemExpr { elem: { val: Expr; timeout?: number; expires?: number; comment?: string } }

/** Any expression: immediates (number, string, boolean, `@set` references) or a typed object. */
export type Expr =
  | number
  | string
  | boolean
  | PayloadExpr
  | MetaExpr
  | CtExpr
  | NumgenExpr
  | JhashExpr
  | PrefixExpr
  | RangeExpr
  | SetExpr
  | MapExpr
  | ConcatExpr
  | BinopExpr
  | ElemExpr
  | Verdict
  | Expr[];

export type MatchOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in';

export interface MatchStmt { match: { op: MatchOp; left: Expr; right: Expr } }
export interface MangleStmt { mangle: { key: Expr; value: Expr } }
export interface CounterStmt { counter: { packets: number; bytes: number } | null | string }
export interface LogStmt { log: { prefix?: string; level?: string; group?: number; flags?: string[] } }
export interface VmapStmt { vmap: { key: Expr; data: Expr } }
export interface SetStmt { set: { op: 'add' | 'update' | 'delete'; elem: Expr; set: string } }

export type Stmt = MatchStmt | MangleStmt | CounterStmt | LogStmt | VmapStmt | SetStmt | Verdict | Record<string, unknown>;

export interface TableObj { family: Family; name: string; handle?: number; comment?: string }

export interface ChainObj {
  family: Family;
  table: string;
  name: string;
  handle?: number;
  type?: 'filter' | 'route' | 'nat';
  hook?: string;
  prio?: number;
  policy?: 'accept' | 'drop';
  dev?: string;
}

export interface RuleObj {
  family: Family;
  table: string;
  chain: string;
  handle?: number;
  index?: number;
  comment?: string;
  expr: Stmt[];
}

export interface SetObj {
  family: Family;
  table: string;
  name: string;
  handle?: number;
  type: string | string[];
  policy?: 'performance' | 'memory';
  /** nft 1.0.6 JSON knows constant, interval, timeout ("dynamic" is implied by a packet-path update) */
  flags?: Array<'constant' | 'interval' | 'timeout'>;
  elem?: Expr[];
  timeout?: number;
  'gc-interval'?: number;
  size?: number;
  comment?: string;
}

/** A map is a set whose elements carry data: `map` names the data type ("mark", "verdict", ...). */
export interface MapObj extends Omit<SetObj, 'elem'> {
  map: string;
  elem?: Array<[Expr, Expr]>;
}

export interface ElementObj { family: Family; table: string; name: string; elem: Expr[] }

export type RulesetObject =
  | { table: TableObj }
  | { chain: ChainObj }
  | { rule: RuleObj }
  | { set: SetObj }
  | { map: MapObj }
  | { element: ElementObj };

/** One entry of the top-level `nftables` array of an input document. */
export type Command =
  | { add: RulesetObject }
  | { create: RulesetObject }
  | { insert: { rule: RuleObj } }
  | { replace: { rule: RuleObj } }
  | { delete: RulesetObject }
  | { flush: RulesetObject }
  | RulesetObject;

export interface Metainfo { version: string; release_name?: string; json_schema_version: number }

/** What `nft -j list ...` returns, split by kind. */
export interface Ruleset {
  metainfo?: Metainfo;
  tables: TableObj[];
  chains: ChainObj[];
  rules: RuleObj[];
  sets: SetObj[];
  maps: MapObj[];
}
