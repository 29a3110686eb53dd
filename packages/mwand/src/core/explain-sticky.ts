/**
 * explain's sticky step. The dataplane (mwan-dataplane plan/nft-plan.ts, docs/dataplane.md
 * "Sticky") sends a sticky rule's flows through a chain that looks the source up in one set per
 * WAN of the policy's current choice, in the policy's member order, first hit wins, and only then
 * asks the policy. The sets' elements, as the running ruleset lists them, come in as data.
 */
import { entryContains, type Address } from './ip.js';
import type { CoreConfig, Family, RuleConfig } from './model.js';

/** One source address in a sticky set; `expires`: seconds left, when nft lists it. */
export interface StickyElement {
  addr: string;
  expires?: number;
}

/** A sticky set as read from the ruleset: its nft name and its elements, or why they could not be read. */
export interface StickySet {
  set: string;
  entries: readonly StickyElement[] | { error: string };
}

/**
 * The sticky sets (`sticky_<rule>_<wan>_v4|v6`) by rule, WAN and family (a missing entry was not
 * read), or why the ruleset could not be listed at all.
 */
export type StickyEntries =
  | { readonly byRule: Readonly<Record<string, Readonly<Record<string, Readonly<Partial<Record<Family, StickySet>>>>>>> }
  | { readonly error: string };

/** One sticky set explain may need: a sticky rule, a WAN of its policy, that WAN's family. */
export interface StickyRef {
  rule: string;
  wan: string;
  family: Family;
}

/** The single WAN a sticky entry keeps a source on. */
export interface StickyHit {
  interface: string;
  set: string;
  /** seconds left, when nft lists it (every packet of the source renews it) */
  expires?: number;
}

/** The interfaces of a policy's members, in config order, each once (the sticky chain's lookup order). */
export function policyWans(config: CoreConfig, policy: string): string[] {
  const p = config.policies.find((x) => x.name === policy);
  const out: string[] = [];
  for (const mname of p?.members ?? []) {
    const i = config.members.find((m) => m.name === mname)?.interface;
    if (i !== undefined && !out.includes(i)) out.push(i);
  }
  return out;
}

/** The sticky sets of every sticky rule with a configured policy, per WAN of that policy in the WAN's family. */
export function stickySetsWanted(config: CoreConfig): StickyRef[] {
  const out: StickyRef[] = [];
  for (const rule of config.rules) {
    if (!rule.sticky || !config.policies.some((p) => p.name === rule.usePolicy)) continue;
    for (const wan of policyWans(config, rule.usePolicy)) {
      const i = config.interfaces.find((x) => x.name === wan);
      if (i) out.push({ rule: rule.name, wan, family: i.family });
    }
  }
  return out;
}

/**
 * Looks the source up as the rule's sticky chain does: the sets of `current` (the WANs of the
 * policy's choice now) in member order, first hit wins. Without a hit, the reasons say why (no
 * entry, an entry for a WAN that left the policy, sets that could not be read) and the policy decides.
 */
export function stickyLookup(
  config: CoreConfig, rule: RuleConfig, family: Family, src: Address, srcText: string, current: readonly string[], entries: StickyEntries | undefined,
): { hit?: StickyHit; reasons: string[] } {
  const keeps = `the WAN it gets is kept for ${rule.timeout} s while that WAN stays in the policy`;
  const sticky = `rule ${rule.name} is sticky`;
  if (entries === undefined) return { reasons: [`${sticky}: its sticky entries were not read (not evaluated): the policy's answer is given; ${keeps}`] };
  if ('error' in entries) return { reasons: [`${sticky}; its sticky entries could not be read (${entries.error}): not evaluated: the policy's answer is given, but a source with an entry keeps its WAN`] };
  const byWan = entries.byRule[rule.name] ?? {};
  const order = policyWans(config, rule.usePolicy).filter((w) => current.includes(w));
  const unread: string[] = [];
  const looked: string[] = [];
  for (const wan of order) {
    const s = byWan[wan]?.[family];
    if (!s) {
      unread.push(`the set of WAN ${wan} was not read`);
      continue;
    }
    if (!Array.isArray(s.entries)) {
      unread.push(`set ${s.set} could not be read (${(s.entries as { error: string }).error})`);
      continue;
    }
    looked.push(s.set);
    const e = (s.entries as readonly StickyElement[]).find((x) => entryContains(x.addr, src));
    if (!e) continue;
    const expires = e.expires !== undefined ? `, expires in ${e.expires} s unless its traffic renews it` : '';
    const before = unread.length ? `; not evaluated before it: ${unread.join('; ')} (an entry there would come first)` : '';
    return {
      hit: { interface: wan, set: s.set, ...(e.expires !== undefined ? { expires: e.expires } : {}) },
      reasons: [`${sticky} and source ${srcText} has an entry in set ${s.set} (WAN ${wan}${expires}): it keeps ${wan}, a member of policy ${rule.usePolicy} now, instead of the policy's choice${before}`],
    };
  }
  if (unread.length && looked.length === 0) {
    return { reasons: [`${sticky}; its sticky entries were not evaluated: ${unread.join('; ')}: the policy's answer is given, but a source with an entry keeps its WAN`] };
  }
  const reasons: string[] = [];
  if (unread.length) reasons.push(`${sticky}; sticky entries not evaluated: ${unread.join('; ')}`);
  const stale = Object.keys(byWan).filter((w) => !order.includes(w)).flatMap((w) => {
    const s = byWan[w]?.[family];
    return s && Array.isArray(s.entries) && (s.entries as readonly StickyElement[]).some((x) => entryContains(x.addr, src)) ? [{ wan: w, set: s.set }] : [];
  })[0];
  const lead = unread.length ? 'source' : `${sticky}; source`;
  const where = unread.length ? ' in the sets that could be read' : looked.length ? ` (${looked.length === 1 ? 'set' : 'sets'} ${looked.join(', ')})` : '';
  if (stale) {
    reasons.push(`${lead} ${srcText} has no sticky entry${where} for a WAN of policy ${rule.usePolicy} now: its entry in set ${stale.set} is for WAN ${stale.wan}, which is no longer in the policy: the policy decides; ${keeps}`);
  } else {
    reasons.push(`${lead} ${srcText} has no sticky entry${where}: the policy decides; ${keeps}`);
  }
  return { reasons };
}
