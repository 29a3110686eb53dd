/** `node far-services.js`: a DNS responder on :53 (any query → NOERROR, no answers) and an HTTP server on :8080. */
import dgram from 'node:dgram';
import http from 'node:http';

const dns = dgram.createSocket('udp4');
dns.on('message', (msg, rinfo) => {
  if (msg.length < 12) return;
  const reply = Buffer.from(msg);
  reply.writeUInt16BE(0x8180, 2);
  dns.send(reply, rinfo.port, rinfo.address);
});
const web = http.createServer((_req, res) => { res.writeHead(204); res.end(); });
// bound to the target address, so replies come from it (a wildcard socket would answer from e1's)
await new Promise<void>((r) => dns.bind(53, process.argv[2] ?? '203.0.113.1', r));
await new Promise<void>((r) => web.listen(8080, r));
process.stdout.write('ready\n');
const stop = (): void => { dns.close(); web.close(); process.exit(0); };
process.on('SIGTERM', stop);
