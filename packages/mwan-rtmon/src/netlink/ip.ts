/**
 * Address helpers for the rtnetlink layer: kernel byte strings ↔ canonical text, prefix
 * containment. Text forms are canonical (RFC 5952 for IPv6), so equal addresses compare equal
 * as strings in plans and diffs.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

/** Kernel address bytes (4 or 16) → canonical text; undefined for any other length. */
export function bytesToIp(b: Uint8Array): string | undefined {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) return undefined;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  // longest run of zero words (length ≥ 2) becomes "::"
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Text address → bytes; undefined when not a valid IPv4/IPv6 literal. */
export function ipToBytes(ip: string): Buffer | undefined {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) return undefined;
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // embedded IPv4 (::ffff:1.2.3.4) → two hex words
    const v4 = text.slice(lastColon + 1).split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const parts = text.split('::');
  const h = parts[0] ? parts[0].split(':').map((s) => parseInt(s, 16)) : [];
  const r = parts.length > 1 && parts[1] ? parts[1].split(':').map((s) => parseInt(s, 16)) : [];
  const words = parts.length > 1 ? [...h, ...new Array<number>(Math.max(0, 8 - h.length - r.length)).fill(0), ...r] : h;
  if (words.length !== 8) return undefined;
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

export function familyOf(ip: string): Family | undefined {
  return isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined;
}

/** Canonical "addr/len" text; full-length prefixes print as the bare address (as `ip route` does). */
export function prefixText(addr: string, len: number): string {
  const full = addr.includes(':') ? 128 : 32;
  return len === full ? addr : `${addr}/${len}`;
}

/** Parses "addr[/len]" into canonical parts, masking host bits; undefined when invalid. */
export function parsePrefix(text: string): { family: Family; addr: string; len: number } | undefined {
  const [a, l] = text.split('/');
  const bytes = a === undefined ? undefined : ipToBytes(a);
  if (!bytes) return undefined;
  const full = bytes.length * 8;
  const len = l === undefined ? full : /^\d+$/.test(l) ? Number(l) : NaN;
  if (!(len >= 0 && len <= full)) return undefined;
  const masked = maskBytes(bytes, len);
  return { family: bytes.length === 4 ? 4 : 6, addr: bytesToIp(masked)!, len };
}

export function maskBytes(b: Uint8Array, len: number): Buffer {
  const out = Buffer.from(b);
  for (let i = 0; i < out.length; i++) {
    const bits = Math.max(0, Math.min(8, len - i * 8));
    out[i] = out[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

/** True when prefix `inner` lies inside prefix `outer` (same family). */
export function prefixContains(outer: { addr: string; len: number }, inner: { addr: string; len: number }): boolean {
  if (inner.len < outer.len) return false;
  const o = ipToBytes(outer.addr), i = ipToBytes(inner.addr);
  if (!o || !i || o.length !== i.length) return false;
  return maskBytes(i, outer.len).equals(maskBytes(o, outer.len));
}
