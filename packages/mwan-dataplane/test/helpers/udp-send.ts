/** One datagram from each source port. argv: dst firstPort count [dstPort=5000] [bindAddr] */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

const [dst, first, count] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const dstPort = Number(process.argv[5] ?? 5000);
const bindAddr = process.argv[6];
for (let i = 0; i < count; i++) {
  const sock = createSocket(isIPv6(dst) ? 'udp6' : 'udp4');
  await new Promise<void>((res) => sock.bind(first + i, bindAddr, () => res()));
  await new Promise<void>((res, rej) => sock.send(`flow ${i}`, dstPort, dst, (e) => (e ? rej(e) : res())));
  sock.close();
}
