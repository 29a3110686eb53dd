/** Probe payload helpers shared by the probers: DNS query/answer, nping's default ports. */

export type PortMethod = 'nping-tcp' | 'nping-udp' | 'nslookup' | 'httping';

/** nping's default ports: 80 for TCP, 40125 for UDP; DNS 53; HTTP 80. */
export const DEFAULT_PORT: Record<PortMethod, number> = { 'nping-tcp': 80, 'nping-udp': 40125, nslookup: 53, httping: 80 };

/** A DNS query for `name` type NS, class IN, recursion desired. */
export function dnsQuery(id: number, name: string): Buffer {
  const labels = name === '.' ? [] : name.replace(/\.$/, '').split('.');
  const q = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0, 0, 2, 0, 1]),
  ]);
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2);
  h.writeUInt16BE(1, 4);
  return Buffer.concat([h, q]);
}

/** A DNS response to query `id` that shows the server works: QR set, rcode NOERROR or NXDOMAIN. */
export function dnsAnswers(msg: Buffer, id: number): boolean {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) return false;
  const flags = msg.readUInt16BE(2);
  const rcode = flags & 0x0f;
  return (flags & 0x8000) !== 0 && (rcode === 0 || rcode === 3);
}
