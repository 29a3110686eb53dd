/** Runs inside a WAN namespace: prints "<source address> <source port>" for every datagram on :5000. */
import { createSocket } from 'node:dgram';

const sock = createSocket({ type: 'udp6', ipv6Only: false });
sock.on('message', (_msg, rinfo) => process.stdout.write(`${rinfo.address.replace(/^::ffff:/, '')} ${rinfo.port}\n`));
sock.bind(5000, '::', () => process.stdout.write('ready\n'));
// bounded: a sink never outlives its test by more than a minute
setTimeout(() => process.exit(0), 60_000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
