import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, normalizeMultipath, RTM } from '../src/netlink/decode.js';
import { encodeNewRoute } from '../src/netlink/encode.js';
import { bytesToIp, ipToBytes, parsePrefix, prefixContains } from '../src/netlink/ip.js';
import { NetlinkDecodeError } from '../src/errors.js';

// Payloads captured from a 6.x kernel in a namespace (RTM_NEWROUTE / RTM_NEWADDR dump replies):
// `198.51.100.0/24 via 10.1.0.1 dev wan0(3) metric 7` (proto boot), `10.1.0.2/24 dev wan0`,
// `2001:db8:1::2/64 dev wan0 nodad`.
const ROUTE = '02180000fe0300011000000008000f00fe00000008000100c63364000800060007000000080005000a0100010800040003000000';
const ADDR4 = '0218800003000000080001000a010002080002000a0100020900030077616e3000000000080008008000000014000600ffffffffffffffff5e8c03005e8c0300';
const ADDR6 = '0a408200030000001400010020010db800010000000000000000000214000600ffffffffffffffff5e8c03005e8c03000800080082000000';

test('decode: kernel route fixture', () => {
  const e = decodeMessage(RTM.NEWROUTE, Buffer.from(ROUTE, 'hex'));
  assert.equal(e.kind, 'route');
  assert.deepEqual(e.kind === 'route' && e.route, {
    family: 4, table: 254, dst: '198.51.100.0', dstLen: 24, srcLen: 0, tos: 0, priority: 7,
    type: 1, protocol: 3, scope: 0, devices: [3], cloned: false, gateway: '10.1.0.1', oif: 3,
  });
  assert.equal(decodeMessage(RTM.DELROUTE, Buffer.from(ROUTE, 'hex')).kind === 'route' && (decodeMessage(RTM.DELROUTE, Buffer.from(ROUTE, 'hex')) as { action: string }).action, 'del');
});

test('decode: kernel address fixtures (IPv4 with label, IPv6 nodad)', () => {
  const a4 = decodeMessage(RTM.NEWADDR, Buffer.from(ADDR4, 'hex'));
  assert.deepEqual(a4.kind === 'address' && a4.address, { family: 4, index: 3, address: '10.1.0.2', prefixLen: 24, scope: 0, tentative: false, label: 'wan0', preferred: 0xffffffff, valid: 0xffffffff });
  const a6 = decodeMessage(RTM.NEWADDR, Buffer.from(ADDR6, 'hex'));
  assert.deepEqual(a6.kind === 'address' && a6.address, { family: 6, index: 3, address: '2001:db8:1::2', prefixLen: 64, scope: 0, tentative: false, preferred: 0xffffffff, valid: 0xffffffff });
});

test('decode: malformed and unknown messages are NetlinkDecodeError, never another crash', () => {
  const code = (f: () => unknown): string | undefined => { try { f(); return undefined; } catch (e) { return (e as { code?: string }).code; } };
  const full = Buffer.from(ROUTE, 'hex');
  assert.equal(code(() => decodeMessage(99, full)), 'ERR_NETLINK_DECODE');
  assert.equal(code(() => decodeMessage(RTM.NEWROUTE, full.subarray(0, 5))), 'ERR_NETLINK_DECODE');
  // RTA_GATEWAY of 3 bytes for IPv4
  const badGw = Buffer.from(ROUTE.replace('080005000a010001', '070005000a010100'), 'hex');
  assert.equal(code(() => decodeMessage(RTM.NEWROUTE, badGw)), 'ERR_NETLINK_DECODE');
  // address family 7
  const badFam = Buffer.from(ROUTE, 'hex'); badFam[0] = 7;
  assert.equal(code(() => decodeMessage(RTM.NEWROUTE, badFam)), 'ERR_NETLINK_DECODE');
  // random bytes and random truncations: only NetlinkDecodeError or a record
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let i = 0; i < 2000; i++) {
    const src = [ROUTE, ADDR4, ADDR6][i % 3]!;
    const buf = Buffer.from(src, 'hex');
    const mutated = i % 2 ? buf.subarray(0, rnd(buf.length)) : Buffer.from(buf.map((b) => (rnd(10) === 0 ? rnd(256) : b)));
    const type = [RTM.NEWROUTE, RTM.NEWADDR, RTM.NEWADDR][i % 3]!;
    try { decodeMessage(type, mutated); } catch (e) { assert.ok(e instanceof NetlinkDecodeError, `input ${mutated.toString('hex')}: ${String(e)}`); }
  }
});

test('encode: a decoded route re-encodes into the target table with its attributes', () => {
  const e = decodeMessage(RTM.NEWROUTE, Buffer.from(ROUTE, 'hex'));
  assert.ok(e.kind === 'route');
  const { data, attrs } = encodeNewRoute(e.route, 7);
  assert.deepEqual({ table: data.table, dstLen: data.dstLen, protocol: data.protocol, type: data.type }, { table: 7, dstLen: 24, protocol: 3, type: 1 });
  assert.equal(attrs.table, 7);
  assert.equal(attrs.dst!.toString('hex'), 'c6336400');
  assert.equal(attrs.gateway!.toString('hex'), '0a010001');
  assert.equal(attrs.priority, 7);
  assert.equal(attrs.oif, 3);
  assert.equal(encodeNewRoute(e.route, 1000).data.table, 252, 'tables above 255 use RT_TABLE_COMPAT plus RTA_TABLE');
});

test('multipath: kernel-state nexthop flags (dead, linkdown) are cleared, onlink kept', () => {
  // two rtnexthops: len 16, flags 0x11 (dead|linkdown) / 0x04 (onlink), ifindex 3, RTA_GATEWAY
  const mp = Buffer.from('1000110003000000080005000a0900021000040003000000080005000a090003', 'hex');
  assert.equal(normalizeMultipath(mp).toString('hex'), '1000000003000000080005000a0900021000040003000000080005000a090003');
});

test('ip: canonical text, prefixes, containment', () => {
  assert.equal(bytesToIp(ipToBytes('2001:0db8:0:0:1:0:0:1')!), '2001:db8::1:0:0:1');
  assert.equal(bytesToIp(ipToBytes('::ffff:192.0.2.1')!), '::ffff:c000:201');
  assert.equal(bytesToIp(ipToBytes('::')!), '::');
  assert.equal(ipToBytes('1.2.3'), undefined);
  assert.deepEqual(parsePrefix('10.1.2.3/8'), { family: 4, addr: '10.0.0.0', len: 8 });
  assert.equal(parsePrefix('10.0.0.0/33'), undefined);
  assert.ok(prefixContains({ addr: '2001:db8::', len: 32 }, { addr: '2001:db8:5::', len: 48 }));
  assert.ok(!prefixContains({ addr: '10.0.0.0', len: 24 }, { addr: '10.0.1.0', len: 24 }));
});
