/**
 * Building ICMP echo replies by hand, for the delaying responders of the lab and the tests
 * (latency is injected by answering late ourselves: `tc netem` does not work on these machines).
 */

/** RFC 1071 internet checksum of `buf`. */
export function internetChecksum(buf: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (buf.length % 2) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The IPv4 echo reply (IP header included, for an IP_HDRINCL raw socket) to `request` as a raw
 * IPv4 ICMP socket receives it, sent from the address that was pinged; null when `request` is
 * not an echo request.
 */
export function ipv4EchoReply(request: Buffer): Buffer | null {
  const ihl = (request[0]! & 0x0f) * 4;
  if (request.length < ihl + 8 || request[ihl] !== 8) return null;
  const icmp = Buffer.from(request.subarray(ihl));
  icmp[0] = 0;
  icmp.writeUInt16BE(0, 2);
  icmp.writeUInt16BE(internetChecksum(icmp), 2);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + icmp.length, 2);
  ip[8] = 64;
  ip[9] = 1;
  request.copy(ip, 12, 16, 20); // from the pinged address
  request.copy(ip, 16, 12, 16); // to the sender
  ip.writeUInt16BE(internetChecksum(ip), 10);
  return Buffer.concat([ip, icmp]);
}
