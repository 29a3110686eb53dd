/**
 * The internet side of the lab (runs inside the internet namespace):
 * - a UDP echo service that answers each datagram with the source address it saw (so the LAN
 *   side learns which WAN carried the flow), optionally after a per-source delay;
 * - an ICMP echo responder that answers pings from "slow" sources after their delay. The
 *   kernel's own echo replies to those sources are dropped by an nft rule that spares replies
 *   carrying our socket mark.
 */
import dgram from 'node:dgram';
import raw from 'raw-socket';
import { ipv4EchoReply } from 'netns-kit';

export const RESPONDER_MARK = 0x4d;

export interface ResponderOptions {
  addresses: string[];
  port: number;
}

export class Responder {
  private readonly delays = new Map<string, number>();
  private readonly sockets: dgram.Socket[] = [];
  private icmp: raw.RawSocket | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: ResponderOptions) {}

  async start(): Promise<void> {
    for (const addr of this.opts.addresses) {
      const s = dgram.createSocket(addr.includes(':') ? 'udp6' : 'udp4');
      s.on('message', (msg, rinfo) => this.onUdp(s, msg, rinfo));
      await new Promise<void>((res, rej) => { s.once('error', rej); s.bind(this.opts.port, addr, () => res()); });
      this.sockets.push(s);
    }
    this.icmp = raw.createSocket({ protocol: raw.Protocol.ICMP });
    this.icmp.setOption(raw.SocketLevel.IPPROTO_IP, raw.SocketOption.IP_HDRINCL, 1);
    this.icmp.setOption(raw.SocketLevel.SOL_SOCKET, 36 /* SO_MARK */, RESPONDER_MARK);
    this.icmp.on('message', (buf: Buffer, source: string) => this.onIcmp(buf, source));
    this.icmp.on('error', () => { /* keep serving UDP */ });
  }

  /** Sets the extra delay (ms) for packets from `source` (an ISP's upstream address); 0 removes it. */
  setDelay(source: string, ms: number): void {
    if (ms > 0) this.delays.set(source, ms);
    else this.delays.delete(source);
  }

  /** Sources currently delayed (the nft rule set in the namespace must list exactly these). */
  delayedSources(): string[] {
    return [...this.delays.keys()];
  }

  private later(ms: number, fn: () => void): void {
    if (ms <= 0) return fn();
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  private onUdp(s: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const src = rinfo.address.replace(/^::ffff:/, '');
    const reply = Buffer.concat([msg.subarray(0, 16), Buffer.from(`|${src}`)]);
    this.later(this.delays.get(src) ?? 0, () => s.send(reply, rinfo.port, rinfo.address));
  }

  private onIcmp(buf: Buffer, source: string): void {
    const delay = this.delays.get(source);
    if (!delay) return; // the kernel answers undelayed sources itself
    const packet = ipv4EchoReply(buf); // raw IPv4 socket: buf holds the IP header
    if (!packet) return; // echo requests only
    this.later(delay, () => this.icmp?.send(packet, 0, packet.length, source, null, () => {}));
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets.splice(0)) s.close();
    this.icmp?.close();
    this.icmp = null;
  }
}

/** nft ruleset that silences the kernel's echo replies to delayed sources (ours carry the mark). */
export function delayRuleset(sources: string[]): string {
  const v4 = sources.filter((s) => !s.includes(':'));
  const set = v4.length ? `ip daddr { ${v4.join(', ')} } ` : 'ip daddr 0.0.0.0/32 ';
  return [
    'table inet labdelay {}',
    'delete table inet labdelay',
    'table inet labdelay {',
    `  chain delay_out { type filter hook output priority 0; meta mark != ${RESPONDER_MARK} ${set}icmp type echo-reply drop; }`,
    '}',
  ].join('\n');
}
