import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressEntry, LinkEntry, RouteEntry } from 'mwan-rtmon/netlink/index';
import { interfaceStatus, isUp, transition, type Observed } from '../src/status.js';
import { parseArgs } from '../src/args.js';

const link = (over: Partial<LinkEntry> = {}): LinkEntry => ({ index: 5, name: 'wan0', up: true, carrier: true, running: true, ...over });
const v4: AddressEntry = { family: 4, index: 5, address: '10.1.0.2', prefixLen: 24, scope: 0, tentative: false };
const v6: AddressEntry = { family: 6, index: 5, address: '2001:db8:1::2', prefixLen: 64, scope: 0, tentative: false };
const ll: AddressEntry = { family: 6, index: 5, address: 'fe80::1', prefixLen: 64, scope: 253, tentative: false };
const gw: RouteEntry = { family: 4, table: 254, dst: '0.0.0.0', dstLen: 0, srcLen: 0, tos: 0, priority: 10, type: 1, protocol: 4, scope: 0, gateway: '10.1.0.1', oif: 5, devices: [5], cloned: false };
const obs = (o: Partial<Observed>): Observed => ({ link: link(), addresses: [v4], routes: [], ...o });

test('up/down decision from link, carrier, addresses and autostart', () => {
  const cases: [string, Observed, boolean, boolean][] = [
    ['device up, carrier, IPv4 address', obs({}), true, true],
    ['device missing', obs({ link: undefined, addresses: [] }), true, false],
    ['admin down', obs({ link: link({ up: false }) }), true, false],
    ['no carrier', obs({ link: link({ carrier: false }) }), true, false],
    ['no address', obs({ addresses: [] }), true, false],
    ['only link-local IPv6 is not enough', obs({ addresses: [ll] }), true, false],
    ['tentative IPv6 is not enough', obs({ addresses: [{ ...v6, tentative: true }] }), true, false],
    ['global IPv6 alone is enough', obs({ addresses: [v6] }), true, true],
    ['ubus down (autostart off)', obs({}), false, false],
  ];
  for (const [name, o, autostart, want] of cases) assert.equal(isUp(o, autostart), want, name);
  assert.equal(transition(false, true), 'ifup');
  assert.equal(transition(true, false), 'ifdown');
  assert.equal(transition(true, true), undefined);
});

test('status in netifd shape: addresses, gateway route, l3_device only while up', () => {
  const spec = { name: 'wan', device: 'wan0', proto: 'dhcp', dns: ['192.0.2.53'] };
  const st = interfaceStatus(spec, obs({ addresses: [v4, v6, ll], routes: [gw] }), { up: true, autostart: true, uptime: 42 });
  assert.deepEqual(
    { up: st.up, pending: st.pending, available: st.available, autostart: st.autostart, uptime: st.uptime, l3_device: st.l3_device, device: st.device, proto: st.proto },
    { up: true, pending: false, available: true, autostart: true, uptime: 42, l3_device: 'wan0', device: 'wan0', proto: 'dhcp' },
  );
  assert.deepEqual(st['ipv4-address'], [{ address: '10.1.0.2', mask: 24 }]);
  assert.deepEqual(st['ipv6-address'], [{ address: '2001:db8:1::2', mask: 64 }]);
  assert.deepEqual(st.route, [{ target: '0.0.0.0', mask: 0, nexthop: '10.1.0.1', metric: 10, source: '0.0.0.0/0' }]);
  assert.deepEqual(st['dns-server'], ['192.0.2.53']);
  assert.deepEqual(st.data, {});

  const down = interfaceStatus(spec, obs({ addresses: [] }), { up: false, autostart: true, uptime: 0 });
  assert.equal(down.up, false);
  assert.equal(down.pending, true, 'carrier but no address yet = pending');
  assert.equal(down.l3_device, undefined);
  assert.equal(down['ipv4-address'], undefined);
  const gone = interfaceStatus(spec, obs({ link: undefined, addresses: [] }), { up: false, autostart: true, uptime: 0 });
  assert.equal(gone.available, false);
  assert.equal(gone.device, undefined);
});

test('args: flags and JSON description, errors name the flag or file field', () => {
  const a = parseArgs(['-s', '/tmp/u.sock', '--interface', 'wan=eth0,proto=dhcp,dns=192.0.2.1', '--config', 'net.json'],
    () => JSON.stringify({ interfaces: [{ name: 'wanb', device: 'eth1' }] }));
  assert.equal(a.socket, '/tmp/u.sock');
  assert.deepEqual(a.interfaces, [
    { name: 'wan', device: 'eth0', proto: 'dhcp', dns: ['192.0.2.1'] },
    { name: 'wanb', device: 'eth1', proto: 'static', dns: [] },
  ]);
  const code = (f: () => unknown): string | undefined => { try { f(); } catch (e) { return (e as { code?: string }).code; } return undefined; };
  assert.equal(code(() => parseArgs(['--interface', 'wan'])), 'ERR_NETIFD_USAGE');
  assert.equal(code(() => parseArgs(['--interface', 'w-an=eth0'])), 'ERR_NETIFD_USAGE');
  assert.equal(code(() => parseArgs(['--interface', 'wan=eth0;rm'])), 'ERR_NETIFD_USAGE');
  assert.equal(code(() => parseArgs(['--interface', 'wan=eth0', '--interface', 'wan=eth1'])), 'ERR_NETIFD_USAGE');
  assert.equal(code(() => parseArgs([])), 'ERR_NETIFD_USAGE');
  assert.throws(() => parseArgs(['--config', 'x.json'], () => '{"interfaces":[{"name":"wan","device":"eth0","dns":["nope"]}]}'), /x\.json: interfaces\[0\] dns/);
});
