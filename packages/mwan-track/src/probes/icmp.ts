/**
 * ICMP / ICMPv6 echo prober on one raw socket per tracker, bound to the WAN device with the
 * default mark. Packets carry our own IP header (IP_HDRINCL; IPv6: IPV6_HDRINCL when a source
 * address is set) so source address and TTL are exact. A raw ICMP socket sees every echo reply the device receives, so a reply is ours only if
 * its id, its sequence, its source (= the target) and (IPv4) its destination (= our source) match.
 */
import raw, { type RawSocket } from 'raw-socket';
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ProbeSetupError } from '../errors.js';
import type { TargetResult } from '../machine.js';
import { canonicalIp } from './address.js';
import { elapsedMs, runAttempts, type AttemptPlan, type ProbeBinding, type Prober } from './types.js';

export const SO_MARK = 36;
export const SO_BINDTODEVICE = 25;
const IP_HDRINCL = 3;
const IPV6_UNICAST_HOPS = 16;
const IPV6_HDRINCL = 36;

export interface IcmpOptions extends AttemptPlan {
  family: 'ipv4' | 'ipv6';
  binding: ProbeBinding;
  /** ICMP payload bytes (ping -s) */
  size: number;
  /** TTL / hop limit (ping -t) */
  ttl: number;
  /** echo identifier; default random */
  id?: number;
}

interface Pending {
  target: string;
  sentAt: bigint | null;
  timer: NodeJS.Timeout;
  done: (rtt: number | null) => void;
}

/** Puts a socket on the WAN: device, mark. Throws ProbeSetupError naming what failed. */
export function bindRawSocket(sock: RawSocket, b: ProbeBinding): void {
  try {
    sock.setOption(raw.SocketLevel.SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${b.device}\0`), b.device.length + 1);
  } catch (err) {
    throw new ProbeSetupError(`SO_BINDTODEVICE ${b.device}: ${(err as Error).message}`, { cause: err });
  }
  try {
    sock.setOption(raw.SocketLevel.SOL_SOCKET, SO_MARK, b.mark >>> 0);
  } catch (err) {
    throw new ProbeSetupError(`SO_MARK 0x${b.mark.toString(16)}: ${(err as Error).message}`, { cause: err });
  }
}

/** 16 bytes of an IPv6 address. */
export function ip6Bytes(ip: string): Buffer {
  const [head, tail] = ip.replace(/%.*$/, '').split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

/** The device's global IPv6 address for a target (link-local for a link-local target). */
function source6(device: string, target: string): string {
  const addrs = (networkInterfaces()[device] ?? []).filter((a) => a.family === 'IPv6');
  const ll = target.toLowerCase().startsWith('fe80:');
  const pick = addrs.find((a) => a.address.toLowerCase().startsWith('fe80:') === ll) ?? addrs[0];
  return pick?.address ?? '::';
}

export class IcmpProber implements Prober {
  private readonly sock: RawSocket;
  private readonly v6: boolean;
  private readonly id: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private binding: ProbeBinding;
  private closed = false;
  private readonly payload: Buffer;

  constructor(private readonly opts: IcmpOptions) {
    this.v6 = opts.family === 'ipv6';
    this.id = (opts.id ?? Math.floor(Math.random() * 0x10000)) & 0xffff;
    this.binding = opts.binding;
    this.payload = Buffer.alloc(opts.size);
    for (let i = 0; i < opts.size; i++) this.payload[i] = 0x10 + (i & 0x1f);
    try {
      this.sock = raw.createSocket(this.v6 ? { addressFamily: raw.AddressFamily.IPv6, protocol: raw.Protocol.ICMPv6 } : { addressFamily: raw.AddressFamily.IPv4, protocol: raw.Protocol.ICMP });
    } catch (err) {
      throw new ProbeSetupError(`raw ${this.v6 ? 'ICMPv6' : 'ICMP'} socket: ${(err as Error).message} (needs CAP_NET_RAW)`, { cause: err });
    }
    try {
      if (this.v6) {
        this.sock.setOption(raw.SocketLevel.IPPROTO_IPV6, IPV6_UNICAST_HOPS, opts.ttl);
        this.sock.setOption(raw.SocketLevel.IPPROTO_IPV6, IPV6_HDRINCL, 1);
      } else this.sock.setOption(raw.SocketLevel.IPPROTO_IP, IP_HDRINCL, 1);
      bindRawSocket(this.sock, this.binding);
    } catch (err) {
      this.sock.close();
      throw err instanceof ProbeSetupError ? err : new ProbeSetupError((err as Error).message, { cause: err });
    }
    this.sock.on('message', (buf: Buffer, source: string) => this.onMessage(buf, source));
    // raw-socket closes the socket on error; probes then time out as lost
    this.sock.on('error', () => {});
  }

  /** echo identifier in use (tests check that two trackers differ in nothing else) */
  get echoId(): number {
    return this.id;
  }

  rebind(binding: ProbeBinding): void {
    this.binding = binding;
    bindRawSocket(this.sock, binding);
  }

  probe(target: string): Promise<TargetResult> {
    const t = canonicalIp(target);
    return runAttempts(target, this.opts, () => this.echo(t), () => this.closed);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.done(null);
    }
    this.pending.clear();
    this.sock.close();
  }

  /** pending echo count (tests: nothing leaks) */
  get inFlight(): number {
    return this.pending.size;
  }

  private echo(target: string): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(null);
      let seq = (this.seq = (this.seq + 1) & 0xffff);
      while (this.pending.has(seq)) seq = this.seq = (this.seq + 1) & 0xffff;
      const p: Pending = {
        target,
        sentAt: null,
        timer: setTimeout(() => finish(null), this.opts.timeoutMs),
        done: resolve,
      };
      const finish = (rtt: number | null): void => {
        if (this.pending.get(seq) !== p) return;
        clearTimeout(p.timer);
        this.pending.delete(seq);
        resolve(rtt);
      };
      p.done = finish;
      this.pending.set(seq, p);
      const pkt = this.v6 ? this.echo6(target, seq) : this.echo4(target, seq);
      this.sock.send(pkt, 0, pkt.length, target, () => { p.sentAt = process.hrtime.bigint(); }, (err) => {
        if (err) finish(null);
      });
    });
  }

  private icmpMessage(type: number, seq: number): Buffer {
    const m = Buffer.alloc(8 + this.payload.length);
    m[0] = type;
    m.writeUInt16BE(this.id, 4);
    m.writeUInt16BE(seq, 6);
    this.payload.copy(m, 8);
    return m;
  }

  private echo4(target: string, seq: number): Buffer {
    const icmp = this.icmpMessage(8, seq);
    raw.writeChecksum(icmp, 2, raw.createChecksum(icmp));
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + icmp.length, 2);
    ip[8] = this.opts.ttl;
    ip[9] = 1;
    // source 0.0.0.0 = the kernel fills in the device's address
    if (this.binding.srcIp && isIPv4(this.binding.srcIp)) Buffer.from(this.binding.srcIp.split('.').map(Number)).copy(ip, 12);
    Buffer.from(target.split('.').map(Number)).copy(ip, 16);
    return Buffer.concat([ip, icmp]);
  }

  private echo6(target: string, seq: number): Buffer {
    const icmp = this.icmpMessage(128, seq);
    const src = ip6Bytes(this.binding.srcIp && isIPv6(this.binding.srcIp) ? this.binding.srcIp : source6(this.binding.device, target));
    const dst = ip6Bytes(target);
    const pseudo = Buffer.alloc(40);
    src.copy(pseudo, 0);
    dst.copy(pseudo, 16);
    pseudo.writeUInt32BE(icmp.length, 32);
    pseudo[39] = 58;
    raw.writeChecksum(icmp, 2, raw.createChecksum(pseudo, icmp));
    const ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(icmp.length, 4);
    ip[6] = 58;
    ip[7] = this.opts.ttl;
    src.copy(ip, 8);
    dst.copy(ip, 24);
    return Buffer.concat([ip, icmp]);
  }

  private onMessage(buf: Buffer, source: string): void {
    let off = 0;
    if (!this.v6) {
      if (buf.length < 20) return;
      off = (buf[0]! & 0x0f) * 4;
      const src = this.binding.srcIp;
      if (src && isIPv4(src) && `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}` !== src) return;
    }
    if (buf.length < off + 8) return;
    if (buf[off] !== (this.v6 ? 129 : 0) || buf[off + 1] !== 0) return;
    if (buf.readUInt16BE(off + 4) !== this.id) return;
    const p = this.pending.get(buf.readUInt16BE(off + 6));
    if (!p || p.sentAt === null || p.target !== canonicalIp(source)) return;
    p.done(elapsedMs(p.sentAt));
  }
}
