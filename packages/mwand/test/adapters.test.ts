import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApplier, createRecordingBackend } from 'mwan-dataplane';
import { emptyState } from '../src/core/model.js';
import { handle } from '../src/core/state.js';
import { FakeClock } from '../src/core/clock.js';
import { createDataplanePort, defaultMark, toPlanState } from '../src/adapters/dataplane.js';
import { parseNetifdStatus } from '../src/adapters/netifd.js';
import { createTrackerPort, settingsIdentity, trackerSettings } from '../src/adapters/trackers.js';
import { parseRtmonConnected } from '../src/adapters/rtmon.js';
import { iface, twoWan, up } from './fixtures.js';

test('netifd status in netifd shape → view (l3_device, addresses, default route)', () => {
  const v = parseNetifdStatus({
    up: true, l3_device: 'pppoe-wan', device: 'eth1', uptime: 42,
    'ipv4-address': [{ address: '198.51.100.2', mask: 24 }],
    route: [{ target: '10.0.0.0', mask: 8, nexthop: '198.51.100.9' }, { target: '0.0.0.0', mask: 0, nexthop: '198.51.100.1' }],
  }, 7);
  assert.deepEqual(v, { up: true, device: 'pppoe-wan', uptime: 42, ipv4: ['198.51.100.2/24'], ipv6: [], gateway: '198.51.100.1', seenAt: 7 });
  assert.deepEqual(parseNetifdStatus({ up: false }, 1), { up: false, ipv4: [], ipv6: [], seenAt: 1 });
  assert.deepEqual(parseRtmonConnected({ connected: { ipv4: ['10.0.0.0/8', 5] }, custom: { ipv6: ['2001:db8::/32'] } }), { connected: { ipv4: ['10.0.0.0/8'], ipv6: [] }, custom: { ipv4: [], ipv6: ['2001:db8::/32'] } });
});

test('tracker instances: add semantics, identity ignores runtime fields, read back from procd', async () => {
  const calls: string[] = [];
  const defs: Record<string, { command: string[] }> = {};
  const procd = {
    async add(name: string, inst: Record<string, { command: string[] }>) {
      calls.push(`add ${name} ${Object.keys(inst).join(',')}`);
      Object.assign(defs, inst);
    },
    async delete(name: string, inst?: string) {
      calls.push(`delete ${name} ${inst}`);
      delete defs[inst!];
    },
    async list() {
      return { mwan: { instances: Object.fromEntries(Object.entries({ mwand: { command: ['mwand'] }, ...defs }).map(([k, v]) => [k, { running: true, term_timeout: 5, ...v }])) } };
    },
  };
  const busCalls: string[] = [];
  const bus = { call: async (path: string, method: string, args: unknown) => (busCalls.push(`${path} ${method} ${JSON.stringify(args)}`), undefined) };
  const port = createTrackerPort({ procd, bus, clock: new FakeClock(), command: ['/usr/sbin/mwan-track'], socket: '/tmp/u.sock', mark: () => 0x3f00 });
  const wan = iface('wan', 1);
  await port.start(wan, up('eth1'));
  assert.deepEqual(calls, ['add mwan track_wan']);
  const cmd = defs.track_wan!.command;
  assert.deepEqual(cmd.slice(0, 6), ['/usr/sbin/mwan-track', '-s', '/tmp/u.sock', '-i', 'wan', '--settings']);
  const settings = JSON.parse(cmd[6]!);
  assert.equal(settings.device, 'eth1');
  assert.equal(settings.family, 'ipv4');
  assert.equal(settings.mark, 0x3f00);
  const running = await port.running();
  assert.deepEqual([...running.keys()], ['wan'], 'only track_* instances; mwand instance left alone');
  assert.equal(running.get('wan'), port.identity(wan), 'a tracker started on eth1 is the same tracker when the device changes');
  assert.notEqual(port.identity(iface('wan', 1, { trackSettings: { interval: 1 } })), port.identity(wan));
  await port.update('wan', { ...up('eth9'), ipv4: ['192.0.2.7/24'] });
  assert.deepEqual(busCalls, ['mwan.track.wan update {"up":true,"device":"eth9","src_ip":"192.0.2.7"}']);
  // wan6 shares the device: it must get its IPv6 address, not the IPv4 one listed first
  await port.update('wan6', { ...up('eth9'), ipv4: ['192.0.2.7/24'], ipv6: ['2001:db8::7/64'] }, 'ipv6');
  assert.equal(busCalls.at(-1), 'mwan.track.wan6 update {"up":true,"device":"eth9","src_ip":"2001:db8::7"}');
  await port.stop('wan');
  assert.deepEqual(calls.at(-1), 'delete mwan track_wan');
  assert.equal(settingsIdentity(trackerSettings(wan, undefined, 1)), settingsIdentity(trackerSettings(wan, up('x'), 1)));
});

test('dataplane port: real planner + applier on the recording backend; counters read back by rule label', async () => {
  const backend = createRecordingBackend();
  const applier = createApplier({ backend });
  const port = createDataplanePort(applier);
  let st = emptyState(twoWan());
  st = handle(st, { kind: 'netifd', interface: 'wan', view: { ...up('eth1'), ipv4: ['198.51.100.2/24'], gateway: '198.51.100.1' } }, 1).state;
  assert.deepEqual(toPlanState(st).wans.wan, { up: true, status: 'online', addresses: ['198.51.100.2/24'], device: 'eth1', gateway: '198.51.100.1' });
  const p = port.plan(st);
  await port.apply(p);
  const actual = await applier.read();
  assert.ok(actual.nft, 'table created');
  assert.ok(actual.ipRules.ipv4.some((r) => r.pref === 2001), 'fwmark rule of wan (id 1)');
  const counters = (await port.ruleCounters())!;
  assert.deepEqual([...counters.keys()].sort(), ['block', 'default_v4', 'https', 'lan_b']);
  assert.equal(defaultMark(0x3f00), 0x3f00);
  // applying the same plan again changes nothing
  const before = backend.calls.filter((c) => c.kind === 'nftApply').length;
  await port.apply(port.plan(st));
  assert.equal(backend.calls.filter((c) => c.kind === 'nftApply').length, before);
});

test('teardown removes the table, our ip rules and WAN default routes, nothing else', async () => {
  const { teardown } = await import('../src/adapters/teardown.js');
  const backend = createRecordingBackend();
  const port = createDataplanePort(createApplier({ backend }));
  let st = emptyState(twoWan());
  st = handle(st, { kind: 'netifd', interface: 'wan', view: { ...up('eth1'), ipv4: ['198.51.100.2/24'], gateway: '198.51.100.1' } }, 1).state;
  await port.apply(port.plan(st));
  // someone else's rule must stay
  await backend.ipApply('ipv4', [{ op: 'add', rule: { family: 'ipv4', pref: 100, action: 'lookup', table: 100 } }]);
  const before = (await backend.ipRules('ipv4')).length + (await backend.ipRules('ipv6')).length;
  assert.ok(before > 1);
  const r = await teardown(backend, 0x3f00, [1, 2, 3]);
  assert.equal(r.table, true);
  assert.equal(r.ipRules, before - 1);
  assert.equal(r.routes, 1);
  assert.deepEqual((await backend.ipRules('ipv4')).map((x) => x.pref), [100]);
  assert.deepEqual(await backend.ipRules('ipv6'), []);
  assert.equal(await backend.nftList(), null);
  assert.deepEqual(await teardown(backend, 0x3f00, [1, 2, 3]), { table: false, ipRules: 0, routes: 0 });
});

test('teardown flushes every route of the WAN tables (rtmon\'s mirrored routes too), never another table', async () => {
  const { teardown } = await import('../src/adapters/teardown.js');
  const { createRouteTables, countByTable } = await import('../src/adapters/route-tables.js');
  // what `ip -N -j -4 route show table all` prints: table 1 with a default and a mirrored route
  const listing = JSON.stringify([
    { dst: 'default', gateway: '198.51.100.1', dev: 'eth1', table: '1' },
    { dst: '192.0.2.0/24', dev: 'w1', table: '1' },
    { dst: '203.0.113.0/24', dev: 'eth9', table: '100' },
    { dst: '10.0.0.0/8', dev: 'br-lan' },
    { type: '2', dst: '127.0.0.1', dev: 'lo', table: '255' },
  ]);
  assert.deepEqual([...countByTable(listing)], [[1, 2], [100, 1], [255, 1]]);
  const argvs: string[][] = [];
  const routeTables = createRouteTables({
    netns: 'r1',
    runner: async (argv) => {
      argvs.push([...argv]);
      return { code: 0, stdout: argv.includes('show') ? (argv.includes('-4') ? listing : '[]') : '', stderr: '' };
    },
  });
  const backend = createRecordingBackend();
  const port = createDataplanePort(createApplier({ backend }));
  let st = emptyState(twoWan());
  st = handle(st, { kind: 'netifd', interface: 'wan', view: { ...up('eth1'), ipv4: ['198.51.100.2/24'], gateway: '198.51.100.1' } }, 1).state;
  await port.apply(port.plan(st));
  const r = await teardown(backend, 0x3f00, [1, 2, 3], routeTables);
  assert.equal(r.routes, 2, 'both routes of table 1, none of table 100');
  assert.deepEqual(argvs.filter((a) => a.includes('flush')), [['ip', '-n', 'r1', '-4', 'route', 'flush', 'table', '1']]);
  assert.equal(r.table, true);
});

test('the planner\'s policy choices agree with the core resolution for weighted policies', async () => {
  const { choicesToTable } = await import('../src/adapters/dataplane.js');
  const { resolveAll } = await import('../src/core/policy.js');
  const { usableSet } = await import('../src/core/status.js');
  const port = createDataplanePort(createApplier({ backend: createRecordingBackend() }));
  const views = [
    { wan: up('eth1'), wanb: up('eth2') },
    { wanb: up('eth2') },
    { wan: up('eth1') },
    // an interface netifd has up without a usable device (invalid l3_device dropped)
    { wan: { up: true, ipv4: [], ipv6: [], seenAt: 0 }, wanb: up('eth2') },
    {},
  ];
  for (const v of views) {
    let st = emptyState(twoWan());
    for (const [name, view] of Object.entries(v)) st = handle(st, { kind: 'netifd', interface: name, view: { ...view, ipv4: ['192.0.2.9/24'], gateway: '192.0.2.1' } }, 1).state;
    // weights may be reduced by the planner (2 alone → 1); what traffic gets must be the same
    const norm = (t: Record<string, Record<string, { shares: { interface: string; percent: number; metric: number }[]; lastResort: string }>>) =>
      Object.fromEntries(Object.entries(t).map(([p, f]) => [p, Object.fromEntries(Object.entries(f).map(([fam, r]) => [fam, [r.lastResort, ...r.shares.map((x) => `${x.interface} ${x.percent}% m${x.metric}`)]]))]));
    assert.deepEqual(norm(choicesToTable(port.plan(st) as never, st.config)), norm(resolveAll(st.config, usableSet(st))), JSON.stringify(Object.keys(v)));
  }
});
