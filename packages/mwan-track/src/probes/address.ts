import { isIPv6 } from 'node:net';

/** One spelling per address, so replies compare equal to targets (2001:DB8:0::1 = 2001:db8::1). */
export function canonicalIp(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  if (!isIPv6(bare)) return bare;
  return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
}
