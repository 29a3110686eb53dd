/**
 * Desired table vs what nft lists -> the smallest command list. Rules are compared by a fingerprint
 * kept in each rule's comment (nft normalizes expressions when listing, and nft 1.0.6 cannot print
 * some statements as JSON, so comparing expressions would be unreliable). A chain whose
 * fingerprints differ is flushed and refilled; elements of live sets are never touched.
 */
import { createHash } from 'node:crypto';
import {
  add, baseChainObj, chainObj, del, flush, mapObj, ruleObj, setObj, tableObj, wrap,
  type ChainObj, type Command, type Ruleset, type SetObj, type TableRef,
} from 'nft-json';
import type { DesiredChain, DesiredMap, DesiredNft, DesiredRule, DesiredSet } from '../plan/types.js';

export function ruleComment(rule: DesiredRule): string {
  const fp = createHash('sha256').update(JSON.stringify(rule.expr)).digest('hex').slice(0, 12);
  return rule.label ? `${rule.label} ${fp}` : fp;
}

export interface NftDiff {
  commands: Command[];
  chainsWritten: string[];
  setsFlushed: string[];
  /** owned maps whose elements were replaced */
  mapsWritten: string[];
  removed: string[];
}

/** A listed verdict-map element as [key, goto target]; anything else as its JSON. */
function elemKey(e: unknown): string {
  if (Array.isArray(e) && e.length === 2) {
    const v = e[1] as { goto?: { target?: unknown } } | null;
    if (typeof e[0] === 'string' && typeof v?.goto?.target === 'string') return `${e[0]} ${v.goto.target}`;
  }
  return JSON.stringify(e);
}

export const mapElemKeys = (m: DesiredMap): string[] => m.elements.map(([a, ch]) => `${a} ${ch}`).sort();

const setFlags = (flags: readonly string[] | undefined): string =>
  (flags ?? []).filter((f) => f === 'interval' || f === 'timeout').sort().join(',');

function sameSet(a: SetObj, d: DesiredSet): boolean {
  return String(a.type) === d.type && setFlags(a.flags) === setFlags(d.flags) && (a.timeout ?? 0) === (d.timeout ?? 0);
}

function sameBase(a: ChainObj, d: DesiredChain): boolean {
  if (!d.base) return a.hook === undefined;
  return a.type === d.base.type && a.hook === d.base.hook && a.prio === d.base.prio && (a.policy ?? 'accept') === 'accept';
}

export function diffNft(desired: DesiredNft, actual: Ruleset | null): NftDiff {
  const t: TableRef = { family: desired.family, table: desired.table };
  const out: NftDiff = { commands: [], chainsWritten: [], setsFlushed: [], mapsWritten: [], removed: [] };
  const c = out.commands;
  const aSets = new Map((actual?.sets ?? []).map((s) => [s.name, s]));
  const aChains = new Map((actual?.chains ?? []).map((ch) => [ch.name, ch]));
  const aRules = new Map<string, string[]>();
  for (const r of actual?.rules ?? []) {
    const list = aRules.get(r.chain) ?? [];
    list.push(r.comment ?? '');
    aRules.set(r.chain, list);
  }
  const dSets = new Set(desired.sets.map((s) => s.name));
  const dChains = new Set(desired.chains.map((ch) => ch.name));

  if (!actual) c.push(add(wrap('table', tableObj(t))));
  const setDef = (s: DesiredSet) => setObj(t, s.name, s.type, {
    ...(s.flags?.length ? { flags: s.flags } : {}), ...(s.timeout ? { timeout: s.timeout } : {}),
  });
  const redefined = desired.sets.filter((s) => aSets.has(s.name) && !sameSet(aSets.get(s.name)!, s));
  const rebuildAll = redefined.length > 0;
  for (const s of desired.sets) if (!aSets.has(s.name)) c.push(add(wrap('set', setDef(s))));
  const chainDef = (ch: DesiredChain) => (ch.base ? baseChainObj(t, ch.name, ch.base) : chainObj(t, ch.name));
  const rebase = desired.chains.filter((ch) => aChains.has(ch.name) && !sameBase(aChains.get(ch.name)!, ch));
  for (const ch of desired.chains) if (!aChains.has(ch.name)) c.push(add(wrap('chain', chainDef(ch))));

  // owned verdict maps: created with the sets; elements replaced (flush + add) when they differ,
  // after new chains exist and before obsolete ones are deleted (elements reference chains)
  const aMaps = new Map((actual?.maps ?? []).map((m) => [m.name, m]));
  const dMaps = new Set((desired.maps ?? []).map((m) => m.name));
  for (const m of desired.maps ?? []) {
    const a = aMaps.get(m.name);
    const mapRef = mapObj(t, m.name, m.type, 'verdict');
    if (a && String(a.type) !== m.type) c.push(del(wrap('map', mapRef)));
    const fresh = !a || String(a.type) !== m.type;
    if (fresh) c.push(add(wrap('map', mapRef)));
    const have = fresh ? [] : (a.elem ?? []).map(elemKey).sort();
    const want = mapElemKeys(m);
    if (want.length === have.length && want.every((x, i) => x === have[i])) continue;
    if (have.length) c.push(flush(wrap('map', mapRef)));
    if (m.elements.length) {
      c.push(add({ element: { family: t.family, table: t.table, name: m.name, elem: m.elements.map(([a2, ch]) => [a2, { goto: { target: ch } }]) } } as never));
    }
    out.mapsWritten.push(m.name);
  }

  const write: DesiredChain[] = [];
  for (const ch of desired.chains) {
    const want = ch.rules.map(ruleComment);
    const have = aRules.get(ch.name) ?? [];
    const isNew = !aChains.has(ch.name);
    const same = !isNew && want.length === have.length && want.every((x, i) => x === have[i]);
    if (same && !rebuildAll && !rebase.includes(ch)) continue;
    if (!isNew && have.length) c.push(flush(wrap('chain', chainObj(t, ch.name))));
    write.push(ch);
  }
  const obsoleteChains = [...aChains.keys()].filter((n) => !dChains.has(n));
  for (const n of obsoleteChains) if ((aRules.get(n) ?? []).length) c.push(flush(wrap('chain', chainObj(t, n))));
  // a chain whose hook changed, and a set whose type changed, are recreated (rare: config change)
  for (const ch of rebase) c.push(del(wrap('chain', chainObj(t, ch.name))), add(wrap('chain', chainDef(ch))));
  for (const s of redefined) c.push(del(wrap('set', setObj(t, s.name, s.type))), add(wrap('set', setDef(s))));
  for (const ch of write) {
    for (const r of ch.rules) c.push(add(wrap('rule', ruleObj(t, ch.name, r.expr, ruleComment(r)))));
    out.chainsWritten.push(ch.name);
  }
  for (const n of obsoleteChains) { c.push(del(wrap('chain', chainObj(t, n)))); out.removed.push(`chain ${n}`); }
  for (const n of aSets.keys()) {
    if (!dSets.has(n)) { c.push(del(wrap('set', setObj(t, n, 'ipv4_addr')))); out.removed.push(`set ${n}`); }
  }
  for (const s of desired.sets) {
    const a = aSets.get(s.name);
    if (s.elements && s.elements.length === 0 && a && (a.elem?.length ?? 0) > 0 && !redefined.includes(s)) {
      c.push(flush(wrap('set', setObj(t, s.name, s.type))));
      out.setsFlushed.push(s.name);
    }
  }
  // a map the planner does not want in our table is removed
  for (const m of (actual?.maps ?? []).filter((x) => !dMaps.has(x.name))) { c.push(del(wrap('map', mapObj(t, m.name, 'ipv4_addr', m.map)))); out.removed.push(`map ${m.name}`); }
  return out;
}
