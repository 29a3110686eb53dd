import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetifdStatus } from '../src/adapters/netifd.js';
import { toPlanConfig, toPlanState } from '../src/adapters/dataplane.js';
import { plan as planDesired } from 'mwan-dataplane';
import { emptyState } from '../src/core/model.js';
import { toCoreConfig } from '../src/adapters/config.js';
import { loadConfigText } from 'mwan-config';

test('an interface carrying both families keeps one gateway per family', () => {
  const v = parseNetifdStatus({
    up: true, l3_device: 'wan2',
    'ipv4-address': [{ address: '192.0.2.18', mask: 29 }],
    'ipv6-address': [{ address: '2001:db8:2::2', mask: 64 }],
    route: [
      { target: '0.0.0.0', mask: 0, nexthop: '192.0.2.17', source: '0.0.0.0/0' },
      { target: '::', mask: 0, nexthop: '2001:db8:2::1', source: '::/0' },
    ],
  }, 0);
  assert.equal(v.gateway, '192.0.2.17');
  assert.equal(v.gateway6, '2001:db8:2::1');
});

test('the planner gets the gateway of the interface family (wan6 on the same device as wan)', () => {
  const n = parseNetifdStatus({ up: true, l3_device: 'eth1', 'ipv4-address': [{ address: '192.0.2.2', mask: 24 }], 'ipv6-address': [{ address: '2001:db8::2', mask: 64 }], route: [{ target: '0.0.0.0', mask: 0, nexthop: '192.0.2.1' }, { target: '::', mask: 0, nexthop: '2001:db8::1' }] }, 0);
  const loaded = loadConfigText([
    "config interface 'wan'", "\toption enabled '1'", "\tlist track_ip '192.0.2.1'",
    "config interface 'wan6'", "\toption enabled '1'", "\toption family 'ipv6'", "\tlist track_ip '2001:db8::1'",
  ].join('\n') + '\n', 'mwan');
  assert.deepEqual(loaded.errors, []);
  const st = { ...emptyState(toCoreConfig(loaded.config!)), netifd: { wan: n, wan6: n } };
  const ps = toPlanState(st);
  assert.equal(ps.wans.wan?.gateway, '192.0.2.1');
  assert.equal(ps.wans.wan6?.gateway, '2001:db8::1');
});

test('an invalid l3_device or nexthop from netifd is logged and treated as absent: never passed to the planner', () => {
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  const v = parseNetifdStatus({
    up: true, l3_device: 'eth1; rm -rf /', device: 'eth1',
    'ipv4-address': [{ address: '192.0.2.2', mask: 24 }, { address: '192.0.2.9', mask: 99 }],
    route: [{ target: '0.0.0.0', mask: 0, nexthop: '1.2.3.4 dev x' }, { target: '::', mask: 0, nexthop: '192.0.2.1' }],
  }, 0, { name: 'wan', log });
  assert.equal(v.device, undefined, 'no fallback to another device');
  assert.equal(v.gateway, undefined);
  assert.equal(v.gateway6, undefined, 'an IPv4 nexthop is not an IPv6 gateway');
  assert.deepEqual(v.ipv4, ['192.0.2.2/24']);
  assert.deepEqual(logs, [
    'netifd: interface wan: ignoring invalid l3_device "eth1; rm -rf /"',
    'netifd: interface wan: ignoring invalid ipv4-address "192.0.2.9/99"',
    'netifd: interface wan: ignoring invalid IPv4 route nexthop "1.2.3.4 dev x"',
    'netifd: interface wan: ignoring invalid IPv6 route nexthop "192.0.2.1"',
  ]);
  for (const bad of ['abcdefghijklmnop', '..', 'a/b', 'x y', 7]) {
    logs.length = 0;
    assert.equal(parseNetifdStatus({ up: true, l3_device: bad }, 0, { name: 'wanb', log }).device, undefined, String(bad));
    assert.match(logs[0] ?? '', /interface wanb: ignoring invalid l3_device/);
  }
  // valid values pass unchanged
  const ok = parseNetifdStatus({ up: true, l3_device: 'pppoe-wan', route: [{ target: '::', mask: 0, nexthop: 'fe80::1' }] }, 0, { name: 'wan6', log });
  assert.equal(ok.device, 'pppoe-wan');
  assert.equal(ok.gateway6, 'fe80::1');
});

test('the WAN with a bad netifd device is not usable, the other WANs still plan', () => {
  const loaded = loadConfigText([
    "config interface 'wan'", "\toption enabled '1'", "\toption initial_state 'online'",
    "config interface 'wanb'", "\toption enabled '1'", "\toption initial_state 'online'",
  ].join('\n') + '\n', 'mwan');
  assert.deepEqual(loaded.errors, []);
  const bad = parseNetifdStatus({ up: true, l3_device: 'eth1 x', route: [{ target: '0.0.0.0', mask: 0, nexthop: '192.0.2.1' }] }, 0, { name: 'wan' });
  const good = parseNetifdStatus({ up: true, l3_device: 'eth2', route: [{ target: '0.0.0.0', mask: 0, nexthop: '198.51.100.1' }] }, 0, { name: 'wanb' });
  const cfg = toCoreConfig(loaded.config!);
  const ps = toPlanState({ ...emptyState(cfg), netifd: { wan: bad, wanb: good } });
  assert.equal(ps.wans.wan?.device, undefined);
  const d = planDesired(toPlanConfig(cfg), ps);
  assert.deepEqual(d.wans.map((w) => [w.name, w.usable, w.device]), [['wan', false, undefined], ['wanb', true, 'eth2']]);
  assert.deepEqual(d.routes.map((r) => r.dev), ['eth2']);
});
