import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns, waitUntil } from 'netns-kit';
import { createSets, makeBed, objectExists, setElements, tableDsts, waitRtmonReady } from './helpers.js';

const skip = !canUseNetns() && 'needs root';
const MIRROR_DEADLINE_MS = 1000;

test('rtmon mirrors a main-table route into every WAN table and removes it when deleted', { skip }, async (t) => {
  const bed = await makeBed(t);
  bed.startRtmon();
  await waitRtmonReady(bed);
  // at start: LAN route into both WAN tables, each WAN's own subnet only into its table
  await waitUntil(() => tableDsts(bed.ns, 1).includes('192.168.50.0/24') && tableDsts(bed.ns, 2).includes('192.168.50.0/24'), 5000);
  assert.deepEqual(tableDsts(bed.ns, 1), ['10.1.0.0/24', '192.168.50.0/24']);
  assert.deepEqual(tableDsts(bed.ns, 2), ['10.2.0.0/24', '192.168.50.0/24']);

  const t0 = Date.now();
  bed.ns.ip('route', 'add', '198.51.100.0/24', 'via', '192.168.50.2', 'metric', '7');
  await waitUntil(() => tableDsts(bed.ns, 1).includes('198.51.100.0/24') && tableDsts(bed.ns, 2).includes('198.51.100.0/24'), MIRROR_DEADLINE_MS, 5);
  const took = Date.now() - t0;
  const copy = (JSON.parse(bed.ns.run(['ip', '-j', 'route', 'show', 'table', '1']).stdout) as { dst: string; gateway: string; metric: number; dev: string }[])
    .filter((r) => r.dst === '198.51.100.0/24');
  assert.deepEqual(copy.map((r) => [r.gateway, r.metric, r.dev]), [['192.168.50.2', 7, 'lan0']]);
  // default routes are mwand's: never mirrored
  bed.ns.ip('route', 'add', 'default', 'via', '10.1.0.1');
  // the disabled IPv6 interface's table stays empty
  assert.deepEqual(tableDsts(bed.ns, 3, 6), []);

  bed.ns.ip('route', 'del', '198.51.100.0/24');
  await waitUntil(() => !tableDsts(bed.ns, 1).includes('198.51.100.0/24') && !tableDsts(bed.ns, 2).includes('198.51.100.0/24'), MIRROR_DEADLINE_MS, 5);
  assert.ok(!tableDsts(bed.ns, 1).includes('default'), 'default route not mirrored');

  // published as ubus events
  await waitUntil(() => bed.events.some((e) => e.what === 'route' && Array.isArray(e.changes) && (e.changes as string[]).some((c) => c.startsWith('delete table 1 198.51.100.0/24'))), 2000);
  const ev = bed.events.find((e) => e.what === 'route' && e.replaced === 2);
  assert.equal(ev?.family, 'ipv4');
  // the ubus face
  const routes = await bed.client.call('mwan.rtmon', 'routes', { interface: 'wanb' });
  assert.deepEqual(routes, { tables: [{ interface: 'wanb', table: 2, family: 'ipv4', routes: ['10.2.0.0/24 dev wan1 proto kernel scope link src 10.2.0.2', '192.168.50.0/24 dev lan0 proto kernel scope link src 192.168.50.1'] }] });
  const status = await bed.client.call('mwan.rtmon', 'status');
  assert.deepEqual(status?.interfaces, [
    { interface: 'wan', table: 1, family: 'ipv4', enabled: true, device: 'wan0' },
    { interface: 'wanb', table: 2, family: 'ipv4', enabled: true, device: 'wan1' },
    { interface: 'wan6', table: 3, family: 'ipv6', enabled: false, device: null },
  ]);
  t.diagnostic(`route add → both WAN tables: ${took} ms (incl. ip polling)`);
});

test('connected set follows address add and delete', { skip }, async (t) => {
  const bed = await makeBed(t);
  bed.startRtmon();
  await waitRtmonReady(bed);
  await waitUntil(() => setElements(bed.ns, 'connected_v4').includes('192.168.50.0/24'), 5000);
  assert.deepEqual(setElements(bed.ns, 'connected_v4'), ['10.1.0.0/24', '10.2.0.0/24', '127.0.0.0/8', '192.168.50.0/24']);

  bed.ns.ip('addr', 'add', '203.0.113.1/28', 'dev', 'lan0');
  await waitUntil(() => setElements(bed.ns, 'connected_v4').includes('203.0.113.0/28'), 2000, 10);
  bed.ns.ip('-6', 'addr', 'add', '2001:db8:50::1/64', 'dev', 'lan0', 'nodad');
  await waitUntil(() => setElements(bed.ns, 'connected_v6').includes('2001:db8:50::/64'), 2000, 10);

  bed.ns.ip('addr', 'del', '203.0.113.1/28', 'dev', 'lan0');
  await waitUntil(() => !setElements(bed.ns, 'connected_v4').includes('203.0.113.0/28'), 2000, 10);
  const c = await bed.client.call('mwan.rtmon', 'connected');
  assert.deepEqual((c?.connected as { ipv4: string[] }).ipv4, ['10.1.0.0/24', '10.2.0.0/24', '127.0.0.0/8', '192.168.50.0/24']);
  // the event follows the set update over the bus: it may arrive a moment after the set changed
  await waitUntil(() => bed.events.some((e) => e.what === 'connected' && (e.removed as string[]).includes('203.0.113.0/28')), 2000, 10);
});

test('sets created after rtmon started are filled when they appear', { skip }, async (t) => {
  const bed = await makeBed(t, { createSets: false });
  bed.startRtmon();
  await waitRtmonReady(bed);
  const st = await bed.client.call('mwan.rtmon', 'status');
  assert.equal((st?.sets as Record<string, { present: boolean }>).connected_v4!.present, false);
  createSets(bed.ns);
  await waitUntil(() => setElements(bed.ns, 'connected_v4').includes('192.168.50.0/24'), 3000, 20);
});

test('a restart resyncs: stale mirrored routes and set elements are removed, missing ones added', { skip }, async (t) => {
  const bed = await makeBed(t);
  bed.startRtmon();
  await waitRtmonReady(bed);
  bed.ns.ip('route', 'add', '198.51.100.0/24', 'via', '192.168.50.2');
  await waitUntil(() => tableDsts(bed.ns, 2).includes('198.51.100.0/24'), 2000, 10);
  await bed.stopRtmon();
  await waitUntil(async () => !(await objectExists(bed, 'mwan.rtmon')), 3000);

  // while it is down: main changes, stale junk appears, the mwand-owned default stays
  bed.ns.ip('route', 'del', '198.51.100.0/24');
  bed.ns.ip('route', 'add', '203.0.113.0/24', 'via', '192.168.50.2');
  bed.ns.ip('route', 'add', '10.99.0.0/16', 'via', '10.1.0.1', 'table', '1');
  bed.ns.ip('route', 'add', 'default', 'via', '10.1.0.1', 'table', '1');
  bed.ns.nft('add element inet mwan connected_v4 { 100.64.0.0/10 }');

  bed.startRtmon();
  await waitRtmonReady(bed);
  await waitUntil(() => tableDsts(bed.ns, 1).includes('203.0.113.0/24') && !tableDsts(bed.ns, 1).includes('10.99.0.0/16'), 5000, 10);
  assert.deepEqual(tableDsts(bed.ns, 1), ['10.1.0.0/24', '192.168.50.0/24', '203.0.113.0/24', 'default']);
  assert.deepEqual(tableDsts(bed.ns, 2), ['10.2.0.0/24', '192.168.50.0/24', '203.0.113.0/24']);
  await waitUntil(() => !setElements(bed.ns, 'connected_v4').includes('100.64.0.0/10'), 3000, 10);
  // resync method on a converged system changes nothing
  const r = await bed.client.call('mwan.rtmon', 'resync');
  assert.deepEqual(r, { route_changes: 0, set_changes: 0 });
});

test('IPv6: routes go into the IPv6 WAN table only; fe80::/64 only for the WAN\'s own device', { skip }, async (t) => {
  const bed = await makeBed(t, {
    config: "config interface 'wan'\n\toption enabled '1'\n\nconfig interface 'wan6'\n\toption enabled '1'\n\toption family 'ipv6'\n",
    netifd: [['wan', 'wan0'], ['wan6', 'wan0']],
  });
  bed.ns.ip('-6', 'addr', 'add', '2001:db8:1::2/64', 'dev', 'wan0', 'nodad');
  bed.ns.ip('-6', 'addr', 'add', '2001:db8:50::1/64', 'dev', 'lan0', 'nodad');
  bed.startRtmon();
  await waitRtmonReady(bed);
  bed.ns.ip('-6', 'route', 'add', '2001:db8:99::/48', 'via', '2001:db8:50::2');
  await waitUntil(() => tableDsts(bed.ns, 2, 6).includes('2001:db8:99::/48'), 3000, 10);
  assert.deepEqual(tableDsts(bed.ns, 2, 6), ['2001:db8:1::/64', '2001:db8:50::/64', '2001:db8:99::/48', 'fe80::/64'], bed.stderr());
  const fe80 = (JSON.parse(bed.ns.run(['ip', '-6', '-j', 'route', 'show', 'table', '2']).stdout) as { dst: string; dev: string }[]).filter((r) => r.dst === 'fe80::/64');
  assert.deepEqual(fe80.map((r) => r.dev), ['wan0']);
  assert.deepEqual(tableDsts(bed.ns, 1, 6), [], 'no IPv6 routes in the IPv4 WAN table');
  assert.ok(!tableDsts(bed.ns, 1).some((d) => d.includes(':')));
});
