import { NftError, NftErrorCode } from './errors.js';
import type { ChainObj, MapObj, Metainfo, RuleObj, Ruleset, SetObj, TableObj } from './types.js';

/** Splits `nft -j list ...` output into its kinds. Unknown kinds are ignored. */
export function parseListOutput(stdout: string): Ruleset {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (cause) {
    throw new NftError(NftErrorCode.BAD_OUTPUT, 'nft -j list printed invalid JSON', { cause });
  }
  const items = (doc as { nftables?: unknown }).nftables;
  if (!Array.isArray(items)) throw new NftError(NftErrorCode.BAD_OUTPUT, 'nft -j list output has no "nftables" array');
  const rs: Ruleset = { tables: [], chains: [], rules: [], sets: [], maps: [] };
  for (const item of items as Array<Record<string, unknown>>) {
    if (item.metainfo) rs.metainfo = item.metainfo as Metainfo;
    else if (item.table) rs.tables.push(item.table as TableObj);
    else if (item.chain) rs.chains.push(item.chain as ChainObj);
    else if (item.rule) rs.rules.push(item.rule as RuleObj);
    else if (item.set) rs.sets.push(item.set as SetObj);
    else if (item.map) rs.maps.push(item.map as MapObj);
  }
  return rs;
}

/** nft reports JSON parse failures as "Parsing command array at index N failed". */
export function failingIndexFromStderr(stderr: string): number | undefined {
  const m = /command array at index (\d+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}
