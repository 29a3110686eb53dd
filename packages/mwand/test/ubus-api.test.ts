import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Status, UbusStatusError, type UbusClient, type UbusData } from 'ubus-ts';
import { waitUntil } from 'netns-kit';
import { Controller } from '../src/controller.js';
import { realClock } from '../src/core/clock.js';
import { MwanEvents } from '../src/events.js';
import { publishMwan } from '../src/ubus-api.js';
import { FakeDataplane, FakeNetifd, FakeRtmon, FakeTrackers, RecordingHooks, SwitchableLoader } from './fakes.js';
import { privateBus } from './private-bus.js';
import { twoWan, up } from './fixtures.js';

async function world(t: TestContext) {
  const { bus, cli } = await privateBus(t, 'mwand-ubus-');
  const dp = new FakeDataplane();
  dp.counters.set('https', { packets: 11, bytes: 851 });
  const netifd = new FakeNetifd();
  netifd.views.set('wan', up('eth1', Date.now()));
  netifd.views.set('wanb', up('eth2', Date.now()));
  const trackers = new FakeTrackers();
  const loader = new SwitchableLoader(twoWan());
  const logs: string[] = [];
  const torn: string[][] = [];
  const c = new Controller({
    clock: realClock, loadConfig: loader.load, dataplane: dp, netifd, trackers, rtmon: new FakeRtmon(),
    events: new MwanEvents(bus), hooks: new RecordingHooks(), coalesceMs: 0,
    teardown: async (st) => {
      torn.push(st.config.interfaces.map((i) => i.name));
      return { table: true, ipRules: 6, routes: 2 };
    },
  });
  await c.start();
  t.after(() => c.stop());
  await publishMwan(bus, c, (m) => logs.push(m));
  const seen: { type: string; data: UbusData }[] = [];
  const stop = await cli.listen('mwan.*', (type, data) => seen.push({ type, data }));
  t.after(() => stop());
  return { cli, c, dp, netifd, loader, seen, logs, torn };
}

function statusOf(err: unknown): number | undefined {
  return err instanceof UbusStatusError ? err.status : undefined;
}

test('status: mwan3 rpcd shape, correct integer percentages, valid JSON', async (t) => {
  const { cli } = await world(t);
  const r = (await cli.call('mwan', 'status', {}))!;
  assert.deepEqual(Object.keys(r).sort(), ['connected', 'interfaces', 'policies']);
  const wan = (r.interfaces as Record<string, Record<string, unknown>>).wan!;
  assert.deepEqual(Object.keys(wan).sort(), ['age', 'enabled', 'lost', 'offline', 'online', 'running', 'score', 'status', 'track_ip', 'tracking', 'turn', 'up', 'uptime']);
  assert.equal(wan.status, 'online');
  assert.equal(wan.up, true);
  assert.deepEqual(wan.track_ip, [{ ip: '192.0.2.1', status: 'unknown', latency: 0, packetloss: 0 }]);
  assert.deepEqual((r.policies as { ipv4: Record<string, unknown> }).ipv4.balanced, [{ interface: 'wan', percent: 60 }, { interface: 'wanb', percent: 40 }]);
  assert.deepEqual(r.connected, { ipv4: ['192.168.1.0/24'], ipv6: [] });
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(r)));
  for (const v of Object.values(wan)) if (typeof v === 'number') assert.ok(Number.isInteger(v) && v >= 0);

  assert.deepEqual(Object.keys((await cli.call('mwan', 'status', { section: 'policies' }))!), ['policies']);
  const one = (await cli.call('mwan', 'status', { section: 'interfaces', interface: 'wanb' }))!;
  assert.deepEqual(Object.keys(one.interfaces as object), ['wanb']);
  await assert.rejects(cli.call('mwan', 'status', { section: 'bogus' }), (e) => statusOf(e) === Status.INVALID_ARGUMENT);
  await assert.rejects(cli.call('mwan', 'status', { section: 5 }), (e) => statusOf(e) === Status.INVALID_ARGUMENT);
});

test('interfaces, policies, rules with counters, connected, explain', async (t) => {
  const { cli } = await world(t);
  const i = (await cli.call('mwan', 'interfaces', { interface: 'wan' }))!.interfaces as Record<string, Record<string, unknown>>;
  assert.equal(i.wan!.device, 'eth1');
  assert.equal(i.wan!.usable, true);
  assert.equal(i.wan!.id, 1);
  assert.deepEqual([i.wan!.mark, i.wan!.mark_mask], [0x100, 0x3f00], 'the WAN mark, as the dataplane sets it on packets and conntrack');
  await assert.rejects(cli.call('mwan', 'interfaces', { interface: 'nope' }), (e) => statusOf(e) === Status.NOT_FOUND);
  const p = (await cli.call('mwan', 'policies'))!.policies as Record<string, { ipv4: { active: string; members: unknown[] }; ipv6: { active: string; last_resort: string } }>;
  assert.equal(p.wan_wanb!.ipv4.active, 'members');
  assert.deepEqual(p.wan_wanb!.ipv4.members, [{ interface: 'wan', member: 'wan_m1', metric: 1, weight: 1, percent: 100 }]);
  assert.deepEqual([p.wan_wanb!.ipv6.active, p.wan_wanb!.ipv6.last_resort], ['last_resort', 'unreachable']);
  const rules = (await cli.call('mwan', 'rules'))!.rules as Record<string, unknown>[];
  assert.deepEqual(rules.map((r) => [r.name, r.packets, r.bytes]), [['https', 11, 851], ['lan_b', null, null], ['block', null, null], ['default_v4', null, null]]);
  const e = (await cli.call('mwan', 'explain', { src: '10.1.2.3', dst: '203.0.113.5', proto: 'tcp', port: 80 }))!;
  assert.equal(e.rule, 'lan_b');
  assert.equal(e.interface, 'wan');
  await assert.rejects(cli.call('mwan', 'explain', { src: '10.1.2.3', dst: 'not-an-ip' }), (err) => statusOf(err) === Status.INVALID_ARGUMENT);
  await assert.rejects(cli.call('mwan', 'explain', { src: '10.1.2.3' }), (err) => statusOf(err) === Status.INVALID_ARGUMENT);
  const m = (await cli.call('mwan', 'metrics'))!;
  assert.equal((m.controller as Record<string, number>).applies, 1);
  assert.deepEqual(m.rules, { https: { packets: 11, bytes: 851 } });
});

test('ifdown/ifup over ubus send mwan.interface and mwan.policy; reload sends mwan.reload', async (t) => {
  const { cli, dp, seen, loader } = await world(t);
  const r = (await cli.call('mwan', 'ifdown', { interface: 'wan' }))!;
  assert.equal(r.status, 'offline');
  assert.equal(r.admin_down, true);
  assert.deepEqual(dp.applied.at(-1)!.usable, ['wanb']);
  await waitUntil(() => seen.some((e) => e.type === 'mwan.policy' && e.data.policy === 'wan_wanb'), 3000, 5);
  const ev = seen.find((e) => e.type === 'mwan.interface')!;
  assert.deepEqual(ev.data, { interface: 'wan', action: 'ifdown', device: 'eth1', state: 'offline', usable: false, up: false, tracking: 'paused', previous: 'online' });
  const pol = seen.find((e) => e.type === 'mwan.policy' && e.data.policy === 'wan_wanb')!;
  assert.deepEqual(pol.data.shares, { ipv4: [{ interface: 'wanb', percent: 100 }], ipv6: 'unreachable' });
  await assert.rejects(cli.call('mwan', 'ifup', {}), (e) => statusOf(e) === Status.INVALID_ARGUMENT);
  await assert.rejects(cli.call('mwan', 'ifup', { interface: 'nope' }), (e) => statusOf(e) === Status.NOT_FOUND);
  assert.equal((await cli.call('mwan', 'ifup', { interface: 'wan' }))!.status, 'online');

  assert.equal((await cli.call('mwan', 'reload'))!.result, 'noop');
  loader.next = new Error('/etc/config/mwan:4: syntax error');
  const bad = (await cli.call('mwan', 'reload'))!;
  assert.deepEqual([bad.result, bad.errors], ['error', ['/etc/config/mwan:4: syntax error']]);
  await waitUntil(() => seen.filter((e) => e.type === 'mwan.reload').length === 2, 3000, 5);
  assert.deepEqual(seen.filter((e) => e.type === 'mwan.reload').map((e) => e.data.result), ['noop', 'error']);
});

export type { UbusClient };

test('explain refusals are logged naming the field (ubus statuses carry no text)', async (t) => {
  const { cli, logs } = await world(t);
  await assert.rejects(cli.call('mwan', 'explain', { src: '10.1.2.x', dst: '203.0.113.5' }), (err) => statusOf(err) === Status.INVALID_ARGUMENT);
  await assert.rejects(cli.call('mwan', 'explain', { src: '10.1.2.3', dst: '203.0.113.5', proto: '300' }), (err) => statusOf(err) === Status.INVALID_ARGUMENT);
  await assert.rejects(cli.call('mwan', 'explain', { src: '10.1.2.3', dst: '2001:db8::1' }), (err) => statusOf(err) === Status.INVALID_ARGUMENT);
  assert.deepEqual(logs, [
    'explain refused (field src): explain: src "10.1.2.x" is not an IP address',
    'explain refused (field proto): explain: proto "300" is not a protocol name or number 0-255',
    'explain refused (field dst): explain: dst "2001:db8::1" is not of the family of src "10.1.2.3"',
  ]);
});

test('teardown: removes the kernel state once, then nothing is applied and reload/ifdown are refused', async (t) => {
  const { cli, dp, torn, loader } = await world(t);
  const applies = dp.applied.length;
  const r = (await cli.call('mwan', 'teardown'))!;
  assert.deepEqual(r, { result: 'ok', table: true, ip_rules: 6, routes: 2 });
  assert.deepEqual(torn, [['wan', 'wanb', 'wan6']]);
  // a second call (e.g. stop twice) reports the same and removes nothing more
  assert.deepEqual((await cli.call('mwan', 'teardown'))!, r);
  assert.equal(torn.length, 1);
  loader.next = { ...twoWan(), rules: [] };
  const rl = (await cli.call('mwan', 'reload'))!;
  assert.equal(rl.result, 'error');
  assert.match(String((rl.errors as string[])[0]), /torn down/);
  await assert.rejects(cli.call('mwan', 'ifdown', { interface: 'wan' }), (err) => statusOf(err) === Status.UNKNOWN_ERROR);
  assert.equal(dp.applied.length, applies, 'nothing applied after teardown');
});
