/**
 * Checks across sections and between options, after the schema: references, the mark mask
 * capacity, name rules, families, and mwan3's "accepted but suspicious" cases as warnings.
 * Runs on a document that may still hold invalid values, so every read is type-checked.
 */
import { maxInterfaces } from './marks.js';
import { BUILTIN_POLICIES } from './options.js';
import { prefixFamily } from './schema.js';
import type { DocumentIndex, Json, MwanDocument, SectionRef } from './document.js';
import type { IssueList } from './issues.js';

/** mwan3 skips policies and rules whose name is longer than this (iptables chain names). */
export const MWAN3_NAME_MAX = 15;

function checkNameLength(ref: SectionRef, what: 'policy' | 'rule', issues: IssueList): void {
  const name = ref.section.name;
  if (name.length > MWAN3_NAME_MAX) {
    issues.warn('WARN_MWAN_NAME_LENGTH', ref.section.line, name, `${what} name '${name}' is longer than ${MWAN3_NAME_MAX} characters: mwan3 would skip this ${what} (mwan uses it)`);
  }
}

/**
 * Names of nft sets and maps the dataplane owns in table `inet mwan` (docs/dataplane.md); neither
 * a rule's ipset nor its IPv6 companion `<ipset>_v6` may be one of them.
 */
export const RESERVED_SET_NAMES = ['connected_v4', 'connected_v6', 'custom_v4', 'custom_v6', 'dynamic_v4', 'dynamic_v6', 'src_wan_v4', 'src_wan_v6'];

/** A rule's `ipset NAME` declares two nft sets: NAME (IPv4) and NAME_v6 (IPv6). */
const ipv6SetName = (set: string): string => `${set}_v6`;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function lineOf(ref: SectionRef, option: string, item?: number): number {
  const loc = ref.options.get(option);
  if (!loc) return ref.section.line;
  return item !== undefined ? (loc.itemLines[item] ?? loc.line) : loc.line;
}

function checkInterfaces(doc: MwanDocument, index: DocumentIndex, issues: IssueList): void {
  const rawMask = num(doc.globals.mmx_mask);
  // an out-of-range mask is already a schema error; capacity is only judged on a valid one
  const mask = rawMask !== null && Number.isInteger(rawMask) && rawMask >= 1 && rawMask <= 0xffffffff ? rawMask : null;
  const max = mask === null ? null : maxInterfaces(mask);
  if (mask !== null && max !== null && max < 1) {
    const line = index.globals ? lineOf(index.globals, 'mmx_mask') : 0;
    issues.error('ERR_MWAN_MASK_TOO_SMALL', line, 'globals.mmx_mask', `mmx_mask 0x${mask.toString(16)} leaves room for no interface (needs at least 3 bits)`);
  }
  doc.interfaces.forEach((itf, i) => {
    const ref = index.interfaces[i] as SectionRef;
    const name = ref.section.name;
    if (max !== null && max >= 1 && i + 1 > max) {
      issues.error('ERR_MWAN_TOO_MANY_INTERFACES', ref.section.line, name, `interface '${name}' is number ${i + 1} but mmx_mask 0x${(mask as number).toString(16)} allows at most ${max} interfaces`);
    }
    const family = str(itf.family) ?? 'ipv4';
    const targets = strs(itf.track_ip);
    targets.forEach((t, k) => {
      const f = prefixFamily(t);
      if (f !== null && !t.includes('/') && (family === 'ipv4' || family === 'ipv6') && f !== family) {
        issues.error('ERR_MWAN_FAMILY_MISMATCH', lineOf(ref, 'track_ip', k), `${name}.track_ip`, `track_ip '${t}' is not an ${family} address but interface '${name}' is family ${family}`);
      }
    });
    const method = str(itf.track_method);
    if (family === 'ipv6' && (method === 'arping' || method === 'nping-arp')) {
      issues.error('ERR_MWAN_TRACK_METHOD_FAMILY', lineOf(ref, 'track_method'), `${name}.track_method`, `track_method '${method}' works only for ipv4 interfaces`);
    }
    const rel = num(itf.reliability);
    if (rel !== null && targets.length > 0 && rel > targets.length) {
      issues.warn('WARN_MWAN_RELIABILITY', lineOf(ref, 'reliability'), `${name}.reliability`, `reliability ${rel} is more than the ${targets.length} track_ip target(s): the interface can never be up`);
    }
    const fl = num(itf.failure_latency);
    const rl = num(itf.recovery_latency);
    if (fl !== null && rl !== null && rl > fl) {
      issues.warn('WARN_MWAN_QUALITY_THRESHOLDS', lineOf(ref, 'recovery_latency'), `${name}.recovery_latency`, `recovery_latency ${rl} is above failure_latency ${fl}`);
    }
    const floss = num(itf.failure_loss);
    const rloss = num(itf.recovery_loss);
    if (floss !== null && rloss !== null && rloss > floss) {
      issues.warn('WARN_MWAN_QUALITY_THRESHOLDS', lineOf(ref, 'recovery_loss'), `${name}.recovery_loss`, `recovery_loss ${rloss} is above failure_loss ${floss}`);
    }
    strs(itf.flush_conntrack).forEach((ev, k) => {
      if (ev === 'always' || ev === 'never') {
        issues.warn('WARN_MWAN_FLUSH_LEGACY', lineOf(ref, 'flush_conntrack', k), `${name}.flush_conntrack`, `flush_conntrack '${ev}' is legacy; use ${ev === 'always' ? "'ifup' and 'ifdown'" : 'no flush_conntrack'}`);
      }
    });
  });
}

function checkMembers(doc: MwanDocument, index: DocumentIndex, issues: IssueList): void {
  const ifaces = new Set(index.interfaces.map((r) => r.section.name));
  doc.members.forEach((m, i) => {
    const ref = index.members[i] as SectionRef;
    const name = ref.section.name;
    const itf = str(m.interface);
    if (itf !== null && !ifaces.has(itf)) {
      issues.error('ERR_MWAN_UNKNOWN_INTERFACE', lineOf(ref, 'interface'), `${name}.interface`, `member '${name}' uses interface '${itf}', which has no interface section`);
    }
    const metric = num(m.metric);
    if (metric !== null && metric > 256) {
      issues.warn('WARN_MWAN_METRIC', lineOf(ref, 'metric'), `${name}.metric`, `metric ${metric} is above 256: mwan3 would skip this member (mwan uses it)`);
    }
  });
}

function checkPolicies(doc: MwanDocument, index: DocumentIndex, issues: IssueList): void {
  const members = new Set(index.members.map((r) => r.section.name));
  doc.policies.forEach((p, i) => {
    const ref = index.policies[i] as SectionRef;
    const name = ref.section.name;
    checkNameLength(ref, 'policy', issues);
    if ((BUILTIN_POLICIES as readonly string[]).includes(name)) {
      issues.error('ERR_MWAN_RESERVED_NAME', ref.section.line, name, `policy name '${name}' is reserved for the built-in rule target`);
    }
    const use = strs(p.use_member);
    if (use.length === 0) issues.warn('WARN_MWAN_EMPTY_POLICY', ref.section.line, name, `policy '${name}' has no use_member: it always falls back to last_resort`);
    const seen = new Set<string>();
    use.forEach((m, k) => {
      if (!members.has(m)) {
        issues.error('ERR_MWAN_UNKNOWN_MEMBER', lineOf(ref, 'use_member', k), `${name}.use_member`, `policy '${name}' uses member '${m}', which has no member section`);
      } else if (seen.has(m)) {
        issues.warn('WARN_MWAN_DUPLICATE_MEMBER', lineOf(ref, 'use_member', k), `${name}.use_member`, `member '${m}' is listed twice in policy '${name}'`);
      }
      seen.add(m);
    });
  });
}

function addressFamilies(items: string[]): Set<string> {
  const out = new Set<string>();
  for (const a of items) {
    const f = prefixFamily(a);
    if (f) out.add(f);
  }
  return out;
}

function checkRules(doc: MwanDocument, index: DocumentIndex, issues: IssueList): void {
  const policies = new Set(index.policies.map((r) => r.section.name));
  // ipset name -> first rule using it, to find one rule's IPv4 set that is another's IPv6 set
  const ipsetRules = new Map<string, string>();
  doc.rules.forEach((r, i) => {
    const set = str(r.ipset);
    if (set !== null && !ipsetRules.has(set)) ipsetRules.set(set, (index.rules[i] as SectionRef).section.name);
  });
  doc.rules.forEach((r: Json, i) => {
    const ref = index.rules[i] as SectionRef;
    const name = ref.section.name;
    checkNameLength(ref, 'rule', issues);
    const use = str(r.use_policy);
    if (use !== null && !policies.has(use) && !(BUILTIN_POLICIES as readonly string[]).includes(use)) {
      issues.error('ERR_MWAN_UNKNOWN_POLICY', lineOf(ref, 'use_policy'), `${name}.use_policy`, `rule '${name}' uses policy '${use}', which is neither a policy section nor default/unreachable/blackhole`);
    }
    const family = str(r.family) ?? 'any';
    for (const opt of ['src_ip', 'dest_ip'] as const) {
      strs(r[opt]).forEach((a, k) => {
        const f = prefixFamily(a);
        if (family !== 'any' && f !== null && f !== family) {
          issues.warn('WARN_MWAN_FAMILY_MISMATCH', lineOf(ref, opt, k), `${name}.${opt}`, `${opt} '${a}' is not ${family}: the rule ignores it`);
        }
      });
    }
    const src = addressFamilies(strs(r.src_ip));
    const dst = addressFamilies(strs(r.dest_ip));
    if (src.size === 1 && dst.size === 1 && [...src][0] !== [...dst][0]) {
      issues.error('ERR_MWAN_FAMILY_CONFLICT', lineOf(ref, 'dest_ip'), `${name}.dest_ip`, `rule '${name}' has only ${[...src][0]} sources and only ${[...dst][0]} destinations: it can never match`);
    }
    const proto = str(r.proto) ?? 'all';
    for (const opt of ['src_port', 'dest_port'] as const) {
      if (strs(r[opt]).length > 0 && proto !== 'tcp' && proto !== 'udp' && proto !== '6' && proto !== '17') {
        issues.warn('WARN_MWAN_PORTS_IGNORED', lineOf(ref, opt), `${name}.${opt}`, `${opt} needs proto tcp or udp (proto is '${proto}'): ports are ignored`);
      }
    }
    if (ref.options.has('timeout') && r.sticky !== true) {
      issues.warn('WARN_MWAN_TIMEOUT_WITHOUT_STICKY', lineOf(ref, 'timeout'), `${name}.timeout`, `timeout has no effect without sticky '1'`);
    }
    const set = str(r.ipset);
    if (set !== null && RESERVED_SET_NAMES.includes(set)) {
      issues.error('ERR_MWAN_RESERVED_SET', lineOf(ref, 'ipset'), `${name}.ipset`, `ipset '${set}' is a set mwan manages itself`);
    } else if (set !== null && RESERVED_SET_NAMES.includes(ipv6SetName(set))) {
      issues.error('ERR_MWAN_RESERVED_SET', lineOf(ref, 'ipset'), `${name}.ipset`, `ipset '${set}' needs the IPv6 set '${ipv6SetName(set)}', which is a set mwan manages itself`);
    }
    if (set !== null && set.endsWith('_v6')) {
      const base = set.slice(0, -'_v6'.length);
      const other = ipsetRules.get(base);
      if (other !== undefined) {
        issues.error('ERR_MWAN_SET_CLASH', lineOf(ref, 'ipset'), `${name}.ipset`, `ipset '${set}' (IPv4 set of rule '${name}') is also the IPv6 set of ipset '${base}' (rule '${other}'): rename one`);
      }
    }
  });
}

/** Every cross-section and cross-option check. */
export function crossCheck(doc: MwanDocument, index: DocumentIndex, issues: IssueList): void {
  checkInterfaces(doc, index, issues);
  checkMembers(doc, index, issues);
  checkPolicies(doc, index, issues);
  checkRules(doc, index, issues);
}
