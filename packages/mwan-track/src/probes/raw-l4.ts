/**
 * TCP SYN (`nping-tcp`), UDP (`nping-udp`) and DNS (`nslookup`) probes on raw sockets, so they
 * carry SO_BINDTODEVICE and SO_MARK like the ICMP probes (Node's own TCP/UDP sockets cannot).
 * A raw TCP/UDP socket receives a copy of every segment of its protocol arriving on the device,
 * so the socket exists only while a target is being probed. Answers, as nping counts them: a
 * SYN/ACK or RST to our SYN; a UDP reply or an ICMP port unreachable for our datagram; for DNS a
 * response with our id (NOERROR or NXDOMAIN).
 */
import raw, { type RawSocket } from 'raw-socket';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { TargetResult } from '../machine.js';
import { canonicalIp } from './address.js';
import { bindRawSocket } from './icmp.js';
import { dnsAnswers, dnsQuery, DEFAULT_PORT } from './wire.js';
import { elapsedMs, runAttempts, type AttemptPlan, type ProbeBinding, type Prober } from './types.js';

const IP_HDRINCL = 3;
const IPV6_CHECKSUM = 7;
const PROTO = { tcp: 6, udp: 17, icmp: 1, icmp6: 58 } as const;

export type RawMethod = 'nping-tcp' | 'nping-udp' | 'nslookup';

export interface RawL4Options extends AttemptPlan {
  method: RawMethod;
  family: 'ipv4' | 'ipv6';
  binding: ProbeBinding;
  port: number | null;
  ttl: number;
  dnsQuery: string;
}

interface Pending {
  target: string;
  sport: number;
  dport: number;
  seq: number;
  dnsId: number;
  sentAt: bigint | null;
  done: (rtt: number | null) => void;
}

const ip4 = (a: string): Buffer => Buffer.from(a.split('.').map(Number));

/** The device's first IPv4 address (the kernel's usual choice) when no source was given. */
function deviceIPv4(device: string): string | null {
  return networkInterfaces()[device]?.find((a) => a.family === 'IPv4')?.address ?? null;
}

function checksum(...parts: Buffer[]): number {
  return raw.createChecksum(...parts);
}

export class RawL4Prober implements Prober {
  private binding: ProbeBinding;
  private closed = false;
  private readonly pending = new Set<Pending>();
  private readonly sockets = new Set<RawSocket>();
  private readonly v6: boolean;
  private readonly proto: number;

  constructor(private readonly opts: RawL4Options) {
    this.binding = opts.binding;
    this.v6 = opts.family === 'ipv6';
    this.proto = opts.method === 'nping-tcp' ? PROTO.tcp : PROTO.udp;
    // open and close once now, so permission or device problems show at start
    this.open().forEach((s) => s.close());
  }

  rebind(binding: ProbeBinding): void {
    this.binding = binding;
  }

  async probe(target: string): Promise<TargetResult> {
    if (this.closed) return { target, sent: 0, received: 0, rttsMs: [] };
    let socks: RawSocket[];
    try {
      socks = this.open();
    } catch {
      return { target, sent: this.opts.count, received: 0, rttsMs: [] };
    }
    const t = canonicalIp(target);
    try {
      return await runAttempts(target, this.opts, () => this.attempt(socks[0]!, t), () => this.closed);
    } finally {
      for (const s of socks) { this.sockets.delete(s); s.close(); }
    }
  }

  close(): void {
    this.closed = true;
    for (const p of [...this.pending]) p.done(null);
    for (const s of this.sockets) s.close();
    this.sockets.clear();
  }

  /** [protocol socket (send + receive), ICMP socket (port unreachable) for UDP] */
  private open(): RawSocket[] {
    const family = this.v6 ? raw.AddressFamily.IPv6 : raw.AddressFamily.IPv4;
    const out: RawSocket[] = [];
    try {
      const main = raw.createSocket({ addressFamily: family, protocol: this.proto });
      out.push(main);
      if (this.v6) main.setOption(raw.SocketLevel.IPPROTO_IPV6, IPV6_CHECKSUM, this.proto === PROTO.tcp ? 16 : 6);
      else main.setOption(raw.SocketLevel.IPPROTO_IP, IP_HDRINCL, 1);
      if (this.v6) main.setOption(raw.SocketLevel.IPPROTO_IPV6, 16 /* IPV6_UNICAST_HOPS */, this.opts.ttl);
      bindRawSocket(main, this.binding);
      main.on('message', (buf: Buffer, src: string) => this.onL4(buf, src));
      main.on('error', () => {});
      if (this.proto === PROTO.udp) {
        const icmp = raw.createSocket({ addressFamily: family, protocol: this.v6 ? PROTO.icmp6 : PROTO.icmp });
        out.push(icmp);
        bindRawSocket(icmp, this.binding);
        icmp.on('message', (buf: Buffer) => this.onIcmp(buf));
        icmp.on('error', () => {});
      }
    } catch (err) {
      for (const s of out) s.close();
      throw err;
    }
    for (const s of out) this.sockets.add(s);
    return out;
  }

  private get dport(): number {
    return this.opts.port ?? DEFAULT_PORT[this.opts.method];
  }

  private attempt(sock: RawSocket, target: string): Promise<number | null> {
    return new Promise((resolve) => {
      const src = this.v6 ? null : (this.binding.srcIp && isIPv4(this.binding.srcIp) ? this.binding.srcIp : deviceIPv4(this.binding.device));
      if (this.closed || (!this.v6 && !src)) return resolve(null);
      const p: Pending = {
        target,
        sport: 32768 + Math.floor(Math.random() * 28000),
        dport: this.dport,
        seq: Math.floor(Math.random() * 0xffffffff) >>> 0,
        dnsId: Math.floor(Math.random() * 0x10000),
        sentAt: null,
        done: () => {},
      };
      const timer = setTimeout(() => finish(null), this.opts.timeoutMs);
      const finish = (rtt: number | null): void => {
        if (!this.pending.delete(p)) return;
        clearTimeout(timer);
        resolve(rtt);
      };
      p.done = finish;
      this.pending.add(p);
      const l4 = this.segment(p);
      let pkt = l4;
      if (!this.v6) {
        const s = ip4(src!), d = ip4(target);
        const pseudo = Buffer.alloc(12);
        s.copy(pseudo, 0); d.copy(pseudo, 4); pseudo[9] = this.proto; pseudo.writeUInt16BE(l4.length, 10);
        raw.writeChecksum(l4, this.proto === PROTO.tcp ? 16 : 6, checksum(pseudo, l4));
        const ip = Buffer.alloc(20);
        ip[0] = 0x45; ip.writeUInt16BE(20 + l4.length, 2); ip[8] = this.opts.ttl; ip[9] = this.proto;
        s.copy(ip, 12); d.copy(ip, 16);
        pkt = Buffer.concat([ip, l4]);
      }
      sock.send(pkt, 0, pkt.length, target, () => { p.sentAt = process.hrtime.bigint(); }, (err) => { if (err) finish(null); });
    });
  }

  private segment(p: Pending): Buffer {
    if (this.proto === PROTO.tcp) {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(p.sport, 0); h.writeUInt16BE(p.dport, 2); h.writeUInt32BE(p.seq, 4);
      h[12] = 5 << 4; h[13] = 0x02; h.writeUInt16BE(64240, 14);
      return h;
    }
    const payload = this.opts.method === 'nslookup' ? dnsQuery(p.dnsId, this.opts.dnsQuery) : Buffer.from('mwan-track');
    const h = Buffer.alloc(8);
    h.writeUInt16BE(p.sport, 0); h.writeUInt16BE(p.dport, 2); h.writeUInt16BE(8 + payload.length, 4);
    return Buffer.concat([h, payload]);
  }

  private match(target: string, sport: number, dport: number): Pending | undefined {
    for (const p of this.pending) if (p.target === target && p.dport === sport && p.sport === dport && p.sentAt !== null) return p;
    return undefined;
  }

  private onL4(buf: Buffer, source: string): void {
    const off = this.v6 ? 0 : (buf[0]! & 0x0f) * 4;
    if (buf.length < off + 8) return;
    const p = this.match(canonicalIp(source), buf.readUInt16BE(off), buf.readUInt16BE(off + 2));
    if (!p) return;
    if (this.proto === PROTO.tcp) {
      if (buf.length < off + 20) return;
      const flags = buf[off + 13]!;
      const synAck = (flags & 0x12) === 0x12, rst = (flags & 0x04) !== 0;
      if ((synAck || rst) && buf.readUInt32BE(off + 8) === ((p.seq + 1) >>> 0)) p.done(elapsedMs(p.sentAt!));
      return;
    }
    if (this.opts.method === 'nslookup' && !dnsAnswers(buf.subarray(off + 8), p.dnsId)) return;
    p.done(elapsedMs(p.sentAt!));
  }

  /** ICMP(v6) port unreachable quoting our datagram: the host answered (nping counts it). */
  private onIcmp(buf: Buffer): void {
    if (this.opts.method === 'nslookup') return;
    const off = this.v6 ? 0 : (buf[0]! & 0x0f) * 4;
    const unreachable = this.v6 ? buf[off] === 1 && buf[off + 1] === 4 : buf[off] === 3 && buf[off + 1] === 3;
    if (!unreachable) return;
    const inner = off + 8;
    let dst: string, l4: number;
    if (this.v6) {
      if (buf.length < inner + 48) return;
      dst = canonicalIp(Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(inner + 24 + 2 * i).toString(16)).join(':'));
      l4 = inner + 40;
    } else {
      const ihl = (buf[inner]! & 0x0f) * 4;
      if (buf.length < inner + ihl + 8) return;
      dst = `${buf[inner + 16]}.${buf[inner + 17]}.${buf[inner + 18]}.${buf[inner + 19]}`;
      l4 = inner + ihl;
    }
    const p = this.match(dst, buf.readUInt16BE(l4 + 2), buf.readUInt16BE(l4));
    if (p) p.done(elapsedMs(p.sentAt!));
  }
}
