/** Connects from bindAddr:srcPort, sends "ping", prints "reply" or "timeout". argv: dst dstPort bindAddr srcPort timeoutMs */
import { connect } from 'node:net';

const [dst, dstPort, bindAddr, srcPort, timeoutMs] = process.argv.slice(2);
const sock = connect({ host: dst!, port: Number(dstPort), localAddress: bindAddr!, localPort: Number(srcPort) });
const timer = setTimeout(() => { process.stdout.write('timeout\n'); sock.destroy(); }, Number(timeoutMs));
sock.on('connect', () => sock.write('ping'));
sock.on('data', () => { clearTimeout(timer); process.stdout.write('reply\n'); sock.destroy(); });
sock.on('error', () => { /* reported as timeout */ });
