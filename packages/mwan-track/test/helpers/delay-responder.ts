/**
 * `node delay-responder.js MS`: answers ICMP echo requests after MS milliseconds (IPv4). The
 * kernel's own replies must be dropped by nft (`meta mark != 0x4d icmp type echo-reply drop`);
 * ours carry mark 0x4d. Prints "ready" once listening; exits on SIGTERM or stdin close.
 */
import raw from 'raw-socket';
import { ipv4EchoReply } from 'netns-kit';

export const RESPONDER_MARK = 0x4d;
const delay = Number(process.argv[2] ?? 100);
const sock = raw.createSocket({ protocol: raw.Protocol.ICMP });
sock.setOption(raw.SocketLevel.IPPROTO_IP, 3 /* IP_HDRINCL */, 1);
sock.setOption(raw.SocketLevel.SOL_SOCKET, 36 /* SO_MARK */, RESPONDER_MARK);
const timers = new Set<NodeJS.Timeout>();
sock.on('message', (buf: Buffer, source: string) => {
  const pkt = ipv4EchoReply(buf);
  if (!pkt) return;
  const t = setTimeout(() => { timers.delete(t); sock.send(pkt, 0, pkt.length, source, null, () => {}); }, delay);
  timers.add(t);
});
const stop = (): void => { for (const t of timers) clearTimeout(t); sock.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.stdout.write('ready\n');
