/**
 * Probes leave through the tracked WAN even when it is not the default route, carry the default
 * mark, and two trackers on one host never take each other's replies. Real namespaces; the far
 * side (the kernel) answers and counts what arrived on which link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns, run } from 'netns-kit';
import { actions, bus, fast, helper, spawnTracker, TARGET4, TARGET6, twoWan } from './helpers/lab.js';
import { waitUntil } from 'netns-kit';
import type { TargetResult } from '../src/machine.js';

const skip = !canUseNetns() && 'needs root';

function probeOnce(ns: { argv(cmd: readonly string[]): string[] }, settings: object, target: string, rounds = 1): TargetResult[] {
  const out = run(ns.argv([process.execPath, helper('probe-once'), JSON.stringify({ settings, target, rounds })])).stdout;
  return out.trim().split('\n').map((l) => JSON.parse(l) as TargetResult);
}

test('ICMP probes leave through wan1 although wan2 is the default route, with the default mark', { skip }, (t) => {
  const w = twoWan(t);
  w.r.nft('table inet m {\n counter marked {}\n chain out {\n  type filter hook output priority 0;\n  oifname "wan1" meta mark 0x3f00 icmp type echo-request counter name marked\n }\n}\n');
  const [res] = probeOnce(w.r, { trackIp: [TARGET4], device: 'wan1', count: 3, timeout: 0.5 }, TARGET4);
  assert.equal(res!.sent, 3);
  assert.equal(res!.received, 3);
  assert.ok(res!.rttsMs.every((x) => x > 0 && x < 100));
  assert.deepEqual(w.farCounts(), { e1: 3, e2: 0 });
  const marked = JSON.parse(w.r.run(['nft', '-j', 'list', 'counter', 'inet', 'm', 'marked']).stdout).nftables.find((x: { counter?: unknown }) => x.counter).counter.packets;
  assert.equal(marked, 3);
  // the exact source address goes into our own IP header
  const [res2] = probeOnce(w.r, { trackIp: [TARGET4], device: 'wan2', srcIp: '10.2.0.2', count: 2, timeout: 0.5, maxTtl: 7 }, TARGET4);
  assert.equal(res2!.received, 2);
  assert.deepEqual(w.farCounts(), { e1: 3, e2: 2 });
});

test('ICMPv6 probes leave through wan1 too, from the exact source address asked for', { skip }, (t) => {
  const w = twoWan(t);
  const [res] = probeOnce(w.r, { family: 'ipv6', trackIp: [TARGET6], device: 'wan1', count: 2, timeout: 1 }, TARGET6);
  assert.equal(res!.received, 2);
  assert.deepEqual(w.farCounts(), { e1: 2, e2: 0 });
  w.r.ip('-6', 'addr', 'add', '2001:db8:1::3/64', 'dev', 'wan1', 'nodad');
  // neighbour discovery for the new address first, so the probes' RTT is not the ND delay
  w.far.run(['ping', '-c1', '-W3', '2001:db8:1::3']);
  w.far.nft('table inet src6 {\n counter from3 {}\n chain pre {\n  type filter hook prerouting priority -300;\n  ip6 saddr 2001:db8:1::3 icmpv6 type echo-request counter name from3\n }\n}\n');
  const [res2] = probeOnce(w.r, { family: 'ipv6', trackIp: [TARGET6], device: 'wan1', srcIp: '2001:db8:1::3', count: 3, timeout: 1, maxTtl: 9 }, TARGET6);
  assert.equal(res2!.received, 3);
  const from3 = JSON.parse(w.far.run(['nft', '-j', 'list', 'counter', 'inet', 'src6', 'from3']).stdout).nftables.find((x: { counter?: unknown }) => x.counter).counter.packets;
  assert.equal(from3, 3);
});

test('two probers on the same device and target: replies are told apart by echo id', { skip }, async (t) => {
  const w = twoWan(t);
  // the far side ignores the requests of echo id 0x2222 only; both probers see every reply
  w.farFault(['icmp id 0x2222 drop']);
  const settings = { trackIp: [TARGET4], device: 'wan1', count: 10, timeout: 0.5 };
  const start = (echoId: number): Promise<TargetResult> => new Promise((res, rej) => {
    const c = w.lab.spawn(w.r, [process.execPath, helper('probe-once'), JSON.stringify({ settings, target: TARGET4, echoId })]);
    let out = '';
    c.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    c.once('exit', (code) => (code === 0 ? res(JSON.parse(out) as TargetResult) : rej(new Error(`probe-once exited ${code}`))));
  });
  const [a, b] = await Promise.all([start(0x1111), start(0x2222)]);
  assert.equal(a.received, 10);
  assert.equal(b.received, 0);
  assert.deepEqual(w.farCounts(), { e1: 20, e2: 0 });
});

test('a WAN whose device is down or unreachable counts its probes as lost, without stealing the other WAN route', { skip }, (t) => {
  const w = twoWan(t);
  w.far.ip('link', 'set', 'e1', 'down');
  const [res] = probeOnce(w.r, { trackIp: [TARGET4], device: 'wan1', count: 2, timeout: 0.3 }, TARGET4);
  assert.equal(res!.sent, 2);
  assert.equal(res!.received, 0);
  assert.deepEqual(w.farCounts(), { e1: 0, e2: 0 });
});

test('two trackers on two WANs to the same target see only their own replies', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  // the far side ignores whatever comes in over e2: only wan2's tracker may go offline
  w.farFault(['iifname "e2" drop']);
  const t1 = spawnTracker(w, w.r, b.socketPath, 'wan1', fast({ device: 'wan1' }));
  const t2 = spawnTracker(w, w.r, b.socketPath, 'wan2', fast({ device: 'wan2' }));
  await waitUntil(() => actions(b.events, 'wan2').includes('disconnected'), 8000).catch((e) => { throw new Error(`${e}: ${t2.log.join('')}`); });
  await b.client.waitFor(['mwan.track.wan1', 'mwan.track.wan2'], { timeoutMs: 3000 });
  const s1 = await b.client.call('mwan.track.wan1', 'status');
  const s2 = await b.client.call('mwan.track.wan2', 'status');
  assert.equal(s1!.state, 'online', t1.log.join(''));
  assert.equal(s1!.loss_pct, 0);
  assert.ok((s1!.rounds as number) >= 3);
  assert.equal(s2!.state, 'offline');
  assert.equal(s2!.loss_pct, 100);
  assert.ok(!actions(b.events, 'wan1').includes('disconnecting'));
});

test('TCP SYN, UDP and DNS probes (raw, device-bound) leave through wan1 and get answers; HTTP (source-bound) too', { skip }, async (t) => {
  const w = twoWan(t);
  // far side services: TCP 80 closed (kernel RST counts), UDP 40125 closed (port unreachable
  // counts), a DNS responder on 53 and an HTTP server on 8080
  const server = w.lab.spawn(w.far, [process.execPath, helper('far-services')]);
  await new Promise<void>((res, rej) => {
    server.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) res(); });
    server.once('exit', (c) => rej(new Error(`far-services exited ${c}`)));
  });
  // no srcIp: the raw probes take the device's address; wan2 stays the default route
  const base = { trackIp: [TARGET4], device: 'wan1', count: 2, timeout: 1 };
  const tcp = probeOnce(w.r, { ...base, trackMethod: 'nping-tcp' }, TARGET4)[0]!;
  assert.equal(tcp.received, 2, 'RST from the closed port 80 counts');
  const tcpOpen = probeOnce(w.r, { ...base, trackMethod: 'nping-tcp', port: 8080 }, TARGET4)[0]!;
  assert.equal(tcpOpen.received, 2, 'SYN/ACK from the open port counts');
  const udp = probeOnce(w.r, { ...base, trackMethod: 'nping-udp' }, TARGET4)[0]!;
  assert.equal(udp.received, 2, 'port unreachable counts');
  const dns = probeOnce(w.r, { ...base, trackMethod: 'nslookup' }, TARGET4)[0]!;
  assert.equal(dns.received, 2);
  assert.deepEqual(w.farL4Counts(), { e1: 8, e2: 0 }, 'all TCP/UDP probes came in over e1');
  const tcp6 = probeOnce(w.r, { ...base, family: 'ipv6', trackIp: [TARGET6], trackMethod: 'nping-tcp' }, TARGET6)[0]!;
  assert.equal(tcp6.received, 2);
  assert.deepEqual(w.farL4Counts(), { e1: 10, e2: 0 });
  const httpOk = probeOnce(w.r, { ...base, srcIp: '10.1.0.2', trackMethod: 'httping', port: 8080 }, TARGET4)[0]!;
  assert.equal(httpOk.received, 2);
  // nothing listening for HTTP on 8081 and no DNS answer from a silent address: lost
  w.farFault(['udp dport 53 drop', 'tcp dport 8081 drop']);
  assert.equal(probeOnce(w.r, { ...base, trackMethod: 'nslookup', timeout: 0.3 }, TARGET4)[0]!.received, 0);
  assert.equal(probeOnce(w.r, { ...base, srcIp: '10.1.0.2', trackMethod: 'httping', port: 8081, timeout: 0.3 }, TARGET4)[0]!.received, 0);
  w.farFault(['tcp dport 80 drop', 'udp dport 40125 drop']);
  assert.equal(probeOnce(w.r, { ...base, trackMethod: 'nping-tcp', timeout: 0.3 }, TARGET4)[0]!.received, 0);
  assert.equal(probeOnce(w.r, { ...base, trackMethod: 'nping-udp', timeout: 0.3 }, TARGET4)[0]!.received, 0);
});
