/**
 * nft match statements for one user rule in one family. Values are validated here, so nothing
 * unchecked from the config reaches nft. Returns undefined when the rule does not apply to the
 * family (mwan3: an address of the other family skips the rule for that family, with a warning).
 */
import { isIP } from 'node:net';
import { anonSet, lookup, match, meta, payload, prefix, range, type Expr, type Stmt } from 'nft-json';
import { PlanError } from '../errors.js';
import type { IpFamily, PlanRule } from './types.js';

const PROTO_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export function ipProto(family: IpFamily): 'ip' | 'ip6' {
  return family === 'ipv4' ? 'ip' : 'ip6';
}

/** Parses "a.b.c.d", "a.b.c.d/n", "a-b" into an nft expression; undefined when of the other family. */
export function addressExpr(value: string, family: IpFamily, where: string): Expr | undefined {
  const v = value.trim();
  const want = family === 'ipv4' ? 4 : 6;
  const dash = v.indexOf('-');
  if (dash > 0 && !v.includes('/')) {
    const a = v.slice(0, dash);
    const b = v.slice(dash + 1);
    const fa = isIP(a);
    if (!fa || fa !== isIP(b)) throw new PlanError('PLAN_BAD_VALUE', `${where}: "${value}" is not an address range`, { field: where });
    return fa === want ? range(a, b) : undefined;
  }
  const [addr, len, extra] = v.split('/');
  const fam = isIP(addr ?? '');
  if (!fam || extra !== undefined) throw new PlanError('PLAN_BAD_VALUE', `${where}: "${value}" is not an IP address or CIDR`, { field: where });
  if (fam !== want) return undefined;
  if (len === undefined) return addr!;
  const n = Number(len);
  if (!/^\d{1,3}$/.test(len) || n > (fam === 4 ? 32 : 128)) throw new PlanError('PLAN_BAD_VALUE', `${where}: bad prefix length in "${value}"`, { field: where });
  return prefix(networkOf(addr!, n, fam), n);
}

/** nft refuses prefixes with host bits set; mwan3 users write 192.168.1.1/24 anyway. */
function networkOf(addr: string, len: number, fam: number): string {
  if (fam === 4) {
    const n = addr.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const net = (n & m) >>> 0;
    return [24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.');
  }
  const groups = expand6(addr);
  const out = groups.map((g, i) => {
    const bitsLeft = len - i * 16;
    if (bitsLeft >= 16) return g;
    if (bitsLeft <= 0) return 0;
    return g & ((0xffff << (16 - bitsLeft)) & 0xffff);
  });
  return out.map((g) => g.toString(16)).join(':');
}

function expand6(addr: string): number[] {
  let a = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    a = a.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16));
}

export function portExpr(value: string, where: string): Expr {
  const v = value.trim();
  const m = /^(\d{1,5})(?:[-:](\d{1,5}))?$/.exec(v);
  if (!m) throw new PlanError('PLAN_BAD_VALUE', `${where}: "${value}" is not a port or port range`, { field: where });
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535 || b < a) throw new PlanError('PLAN_BAD_VALUE', `${where}: "${value}" is out of range`, { field: where });
  return a === b ? a : range(a, b);
}

function oneOrSet(items: Expr[]): Expr {
  return items.length === 1 ? items[0]! : anonSet(items);
}

export interface RuleMatchContext {
  family: IpFamily;
  /** device of src_iface, when the rule has one and it is up */
  srcDevice?: string;
  /** name of the ipset set for this family, when the rule has one */
  ipsetName?: string;
  warnings: string[];
}

/** Match statements for `rule` in `family`, or undefined when it does not apply to that family. */
export function ruleMatches(rule: PlanRule, ctx: RuleMatchContext): Stmt[] | undefined {
  const { family } = ctx;
  if (rule.family !== 'any' && rule.family !== family) return undefined;
  const out: Stmt[] = [];
  const where = `rule ${rule.name}`;
  if (rule.srcIface !== undefined) {
    if (!ctx.srcDevice) { ctx.warnings.push(`${where}: src_iface ${rule.srcIface} has no device; rule skipped`); return undefined; }
    out.push(match(meta('iifname'), ctx.srcDevice));
  }
  for (const [key, list, field] of [['saddr', rule.srcIp, 'src_ip'], ['daddr', rule.destIp, 'dest_ip']] as const) {
    if (!list || list.length === 0) continue;
    const exprs = list.flatMap((v) => v.split(',')).filter((v) => v.trim() !== '').map((v) => addressExpr(v, family, `${where}.${field}`));
    const mine = exprs.filter((e): e is Expr => e !== undefined);
    if (mine.length === 0) {
      if (rule.family === 'any') return undefined; // silently not for this family
      ctx.warnings.push(`${where}: ${field} has no ${family} address; rule skipped for ${family}`);
      return undefined;
    }
    if (mine.length < exprs.length) ctx.warnings.push(`${where}: ${field} entries of the other family ignored for ${family}`);
    out.push(match(payload(ipProto(family), key), oneOrSet(mine)));
  }
  const proto = (rule.proto ?? 'all').toLowerCase();
  if (proto !== 'all') {
    const p = proto === 'icmp' && family === 'ipv6' ? 'ipv6-icmp' : proto;
    if (/^\d+$/.test(p)) {
      if (Number(p) > 255) throw new PlanError('PLAN_BAD_VALUE', `${where}.proto: ${proto} is out of range`, { field: `${where}.proto` });
      out.push(match(meta('l4proto'), Number(p)));
    } else if (PROTO_NAME.test(p)) {
      out.push(match(meta('l4proto'), p));
    } else {
      throw new PlanError('PLAN_BAD_VALUE', `${where}.proto: "${rule.proto}" is not a protocol`, { field: `${where}.proto` });
    }
  }
  const ports = [['sport', rule.srcPort, 'src_port'], ['dport', rule.destPort, 'dest_port']] as const;
  for (const [key, list, field] of ports) {
    if (!list || list.length === 0) continue;
    if (proto !== 'tcp' && proto !== 'udp') {
      ctx.warnings.push(`${where}: ${field} set but proto is ${proto}, not tcp or udp; ${field} ignored`);
      continue;
    }
    const items = list.flatMap((v) => v.split(',')).filter((s) => s.trim() !== '').map((v) => portExpr(v, `${where}.${field}`));
    out.push(match(payload(proto, key), oneOrSet(items)));
  }
  if (rule.ipset !== undefined && ctx.ipsetName) out.push(lookup(payload(ipProto(family), 'daddr'), ctx.ipsetName));
  return out;
}
