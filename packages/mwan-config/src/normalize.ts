/**
 * mwan3 spellings that iptables and mwan3 accepted, turned into the one form the schema checks
 * and the model holds: option aliases (`loglevel 'warning'` → `warn`), protocol names in any case,
 * and IPv4 dotted netmasks (`/255.255.255.0` → `/24`). A value that does not normalize is kept as
 * written, so the schema reports it at its line.
 */
import { isIPv4 } from 'node:net';

/** Prefix length of a contiguous IPv4 dotted netmask (`255.255.240.0` → 20), else null. */
export function netmaskLength(mask: string): number | null {
  if (!isIPv4(mask)) return null;
  const bits = mask.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  // contiguous: the inverted mask plus one is a power of two (or the mask is all ones)
  const inverted = 0xffffffff - bits;
  if ((inverted & (inverted + 1)) !== 0) return null;
  return 32 - Math.log2(inverted + 1);
}

/** `a.b.c.d/m.m.m.m` split into address and dotted mask, or null for any other form. */
export function dottedNetmask(s: string): { address: string; mask: string } | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const address = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  return isIPv4(address) && isIPv4(mask) ? { address, mask } : null;
}

/** An IPv4 address with a contiguous dotted netmask as `address/len`; anything else unchanged. */
export function normalizePrefix(s: string): string {
  const d = dottedNetmask(s);
  if (!d) return s;
  const len = netmaskLength(d.mask);
  return len === null ? s : `${d.address}/${len}`;
}

/** Protocol names are case-insensitive, as iptables read them; the model holds lower case. */
export function normalizeProtocol(s: string): string {
  return s.toLowerCase();
}
