/**
 * Makes the kernel match a DesiredState, changing only the difference: one nft transaction for
 * the table and one ip batch per family for rules and routes. A no-op apply issues no change.
 * Order: check the whole desired state, read, compute and format every change (nft and ip), and
 * only then change the kernel (nft, then ip): a bad value changes nothing.
 */
import { markSpace } from '../plan/marks.js';
import type { DesiredState, IpFamily, IpRule } from '../plan/types.js';
import type { ActualRoute, DataplaneBackend, IpOp } from './backend.js';
import { diffIp } from './ip-diff.js';
import { diffNft } from './nft-diff.js';
import type { MapObj, RuleObj, Ruleset } from 'nft-json';
import { ruleComment } from './nft-diff.js';
import { ApplyError } from '../errors.js';
import { checkDesired } from './check-desired.js';
import { ipBatchLine } from './ip-format.js';

export interface ApplyReport {
  /** nft commands in the transaction (0 = nft not called) */
  nftCommands: number;
  /** ip rule/route additions and deletions */
  ipChanges: number;
  /** nftCommands + ipChanges: what the kernel was asked to change */
  changes: number;
  chainsWritten: string[];
  setsFlushed: string[];
  /** owned maps (src_wan_v4/_v6) whose elements were replaced */
  mapsWritten: string[];
  removed: string[];
  ipOps: IpOp[];
  /** how the nft side was read: the whole table, or structure + what the last apply wrote */
  read: 'full' | 'cached';
}

export interface ApplierOptions {
  backend: DataplaneBackend;
  /**
   * Fast path for frequent applies (verdict changes): after a successful apply, remember the rule
   * fingerprints written; the next apply reads only the table's chains and set definitions
   * (missing or foreign chains are still noticed) and trusts the rest. A full read happens on the
   * first apply, after any failure, every `fullReadEvery` applies, and when asked ({full: true}).
   */
  trustCache?: boolean;
  /** default 20 */
  fullReadEvery?: number;
}

interface WrittenCache { chains: Map<string, string[]>; liveSets: Set<string>; maps: MapObj[] }

export interface ActualState {
  nft: Ruleset | null;
  ipRules: Record<IpFamily, IpRule[]>;
  routes: Record<IpFamily, ActualRoute[]>;
}

export interface Applier {
  read(): Promise<ActualState>;
  apply(desired: DesiredState, opts?: { full?: boolean }): Promise<ApplyReport>;
  /** scoped flush_conntrack: only entries carrying this WAN's mark */
  flushConntrack(mark: number, mask: number): Promise<number>;
}

const FAMILIES: IpFamily[] = ['ipv4', 'ipv6'];

export function createApplier(deps: ApplierOptions): Applier {
  const { backend } = deps;
  let cache: WrittenCache | undefined;
  let sinceFull = 0;

  /** The table as the last apply left it: listed structure + remembered rule fingerprints. */
  function fromCache(structure: Ruleset | null, c: WrittenCache): Ruleset | null {
    if (!structure) return null;
    const rules: RuleObj[] = [];
    for (const ch of structure.chains) {
      // a chain we did not write has unknown contents: a placeholder makes the diff flush it
      for (const comment of c.chains.get(ch.name) ?? ['?']) rules.push({ family: 'inet', table: ch.table, chain: ch.name, comment, expr: [] });
    }
    // elements are not listed; a set that was live may hold some (so it is flushed when required empty)
    const sets = structure.sets.map((s) => ({ ...s, elem: c.liveSets.has(s.name) ? ['?'] : [] }));
    // maps are not in the structure listing (`list sets` leaves them out): as the last apply left them
    return { ...structure, rules, sets, maps: structuredClone(c.maps) };
  }
  async function read(): Promise<ActualState> {
    const [nft, r4, r6, t4, t6] = await Promise.all([
      backend.nftList(), backend.ipRules('ipv4'), backend.ipRules('ipv6'), backend.ipRoutes('ipv4'), backend.ipRoutes('ipv6'),
    ]);
    return { nft, ipRules: { ipv4: r4, ipv6: r6 }, routes: { ipv4: t4, ipv6: t6 } };
  }
  return {
    read,
    async apply(desired, opts = {}) {
      checkDesired(desired);
      const useCache = deps.trustCache === true && cache !== undefined && !opts.full && backend.nftListStructure !== undefined
        && sinceFull < (deps.fullReadEvery ?? 20);
      let actual: ActualState;
      if (useCache) {
        const [structure, r4, r6, t4, t6] = await Promise.all([
          backend.nftListStructure!(), backend.ipRules('ipv4'), backend.ipRules('ipv6'), backend.ipRoutes('ipv4'), backend.ipRoutes('ipv6'),
        ]);
        actual = { nft: fromCache(structure, cache!), ipRules: { ipv4: r4, ipv6: r6 }, routes: { ipv4: t4, ipv6: t6 } };
        sinceFull++;
      } else {
        actual = await read();
        sinceFull = 0;
      }
      const ms = markSpace(desired.mask);
      // Everything is computed and checked before the first change: the nft commands, and every
      // ip batch line of both families (the same formatter the kernel backend uses), so a bad
      // value anywhere fails here with nothing applied, never after the nft transaction.
      const nd = diffNft(desired.nft, actual.nft);
      const opsByFamily = FAMILIES.map((f) => {
        const ops = diffIp(f, ms, desired.ipRules, actual.ipRules[f], desired.routes, actual.routes[f]);
        // deletions first so a changed rule or route never exists twice
        ops.sort((a, b) => (a.op === b.op ? 0 : a.op === 'del' ? -1 : 1));
        return [f, ops] as const;
      });
      for (const [, ops] of opsByFamily) {
        for (const op of ops) {
          try { ipBatchLine(op); } catch (e) {
            throw new ApplyError('APPLY_BAD_DESIRED', `${(e as Error).message}; nothing applied`, { cause: e });
          }
        }
      }
      cache = undefined;
      if (nd.commands.length) await backend.nftApply(nd.commands);
      cache = {
        chains: new Map(desired.nft.chains.map((ch) => [ch.name, ch.rules.map(ruleComment)])),
        liveSets: new Set(desired.nft.sets.filter((s) => !s.elements).map((s) => s.name)),
        maps: (desired.nft.maps ?? []).map((m): MapObj => ({
          family: 'inet', table: desired.nft.table, name: m.name, type: m.type, map: 'verdict',
          elem: m.elements.map(([a, ch]) => [a, { goto: { target: ch } }] as [never, never]),
        })),
      };
      const ipOps: IpOp[] = [];
      for (const [f, ops] of opsByFamily) {
        if (ops.length) await backend.ipApply(f, ops);
        ipOps.push(...ops);
      }
      return {
        nftCommands: nd.commands.length,
        ipChanges: ipOps.length,
        changes: nd.commands.length + ipOps.length,
        chainsWritten: nd.chainsWritten,
        setsFlushed: nd.setsFlushed,
        mapsWritten: nd.mapsWritten,
        removed: nd.removed,
        ipOps,
        read: useCache ? 'cached' : 'full',
      };
    },
    flushConntrack: (mark, mask) => backend.conntrackDelete(mark, mask),
  };
}
