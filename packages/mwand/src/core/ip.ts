/** Minimal IPv4/IPv6 address and prefix arithmetic for `explain`. */
import { isIPv4, isIPv6 } from 'node:net';
import type { Family } from './model.js';

export interface Address {
  family: Family;
  value: bigint;
}

export interface Prefix {
  family: Family;
  net: bigint;
  bits: number;
  text: string;
}

export function parseAddress(s: string): Address | undefined {
  if (isIPv4(s)) {
    const v = s.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
    return { family: 'ipv4', value: v };
  }
  if (isIPv6(s)) return { family: 'ipv6', value: parseV6(s) };
  return undefined;
}

function parseV6(s: string): bigint {
  let text = s.split('%')[0]!;
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((n[0]! << 8) | n[1]!).toString(16)}:${((n[2]! << 8) | n[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses "a.b.c.d", "a.b.c.d/n", "x::y/n"; a bare address is a host prefix. */
export function parsePrefix(s: string): Prefix | undefined {
  const [addr, len, extra] = s.trim().split('/');
  if (extra !== undefined || !addr) return undefined;
  const a = parseAddress(addr);
  if (!a) return undefined;
  const max = a.family === 'ipv4' ? 32 : 128;
  const bits = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(max - bits);
  return { family: a.family, net: a.value & mask, bits, text: s.trim() };
}

export function prefixContains(p: Prefix, a: Address): boolean {
  if (p.family !== a.family) return false;
  const max = p.family === 'ipv4' ? 32 : 128;
  const mask = p.bits === 0 ? 0n : ((1n << BigInt(p.bits)) - 1n) << BigInt(max - p.bits);
  return (a.value & mask) === p.net;
}

/** The longest prefix among `list` containing `a`, or undefined. */
export function longestMatch(list: readonly string[], a: Address): Prefix | undefined {
  let best: Prefix | undefined;
  for (const s of list) {
    const p = parsePrefix(s);
    if (p && prefixContains(p, a) && (!best || p.bits > best.bits)) best = p;
  }
  return best;
}

/**
 * Whether a set entry as nft lists it ("a", "a/len", "a-b") contains `a`; false for an entry of
 * the other family or one that does not parse.
 */
export function entryContains(entry: string, a: Address): boolean {
  const e = entry.trim();
  const dash = e.indexOf('-');
  if (dash > 0 && !e.includes('/')) {
    const lo = parseAddress(e.slice(0, dash).trim());
    const hi = parseAddress(e.slice(dash + 1).trim());
    return !!lo && !!hi && lo.family === a.family && hi.family === a.family && lo.value <= a.value && a.value <= hi.value;
  }
  const p = parsePrefix(e);
  return !!p && prefixContains(p, a);
}
