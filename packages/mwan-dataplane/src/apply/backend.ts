/**
 * The kernel seen by the applier: a small interface with a real implementation (kernel-backend.ts)
 * and a recording twin that simulates state in memory (recording-backend.ts).
 */
import type { Command, Ruleset } from 'nft-json';
import type { IpFamily, IpRule, Route } from '../plan/types.js';

export type IpOp =
  | { op: 'add' | 'del'; rule: IpRule }
  | { op: 'add' | 'del'; route: Route & { metric?: number } };

export interface ActualRoute extends Route { metric?: number }

export interface DataplaneBackend {
  /** one nft transaction */
  nftApply(commands: readonly Command[]): Promise<void>;
  /** our table as nft lists it, or null when it does not exist */
  nftList(): Promise<Ruleset | null>;
  /** our table's chains and set definitions only (no rules, no elements): a cheap structure check */
  nftListStructure?(): Promise<Ruleset | null>;
  /** rules of a family; only those the applier owns matter, the others must not be touched */
  ipRules(family: IpFamily): Promise<IpRule[]>;
  /** default routes in numbered tables (all tables) */
  ipRoutes(family: IpFamily): Promise<ActualRoute[]>;
  /** applies ip rule/route changes of one family in one batch */
  ipApply(family: IpFamily, ops: readonly IpOp[]): Promise<void>;
  /** deletes conntrack entries whose mark matches mark/mask (both families); returns how many */
  conntrackDelete(mark: number, mask: number): Promise<number>;
}
