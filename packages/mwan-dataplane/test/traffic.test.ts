import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns } from 'netns-kit';
import { buildTopo, fillConnected, INET4, INET6, labConfig } from './topo.js';

const skip = !canUseNetns() && 'needs root';

test('real traffic: policy, 3:1 weights over 200 flows, failover keeps established flows, sticky, ipset, connected, IPv6, foreign table', { skip, timeout: 60_000 }, async (t) => {
  const topo = await buildTopo(3);
  t.after(() => topo.lab.destroy());
  const { router } = topo;
  // a foreign table (fw4 stand-in) that must survive every apply untouched
  router.nft('table inet fw4 {\n chain input {\n type filter hook input priority 0; policy accept;\n meta l4proto udp accept\n }\n}\n');
  const foreign = () => router.run(['nft', '-j', 'list', 'table', 'inet', 'fw4']).stdout;
  const fw4Before = foreign();
  // main table: default via WAN 3, so "via main" is visible as arrival at WAN 3
  router.ip('route', 'add', 'default', 'via', '10.0.3.2');
  router.ip('-6', 'route', 'add', 'default', 'via', '2001:db8:a3::2');

  const cfg = labConfig(3, {
    members: [
      { name: 'w1_m1_w3', interface: 'wan1', metric: 1, weight: 3 },
      { name: 'w2_m1_w1', interface: 'wan2', metric: 1, weight: 1 },
      { name: 'w2_m2', interface: 'wan2', metric: 2, weight: 1 },
      { name: 'w1_6', interface: 'wan1_6', metric: 1, weight: 1 },
      { name: 'w2_6', interface: 'wan2_6', metric: 2, weight: 1 },
    ],
    policies: [
      { name: 'balanced', members: ['w1_m1_w3', 'w2_m1_w1'], lastResort: 'unreachable' },
      { name: 'failover', members: ['w1_m1_w3', 'w2_m2', 'w1_6', 'w2_6'], lastResort: 'unreachable' },
      { name: 'only2', members: ['w2_m2'], lastResort: 'unreachable' },
    ],
    rules: [
      { name: 'sticky', family: 'ipv4', proto: 'udp', destPort: ['5000'], srcPort: ['40000-40999'], policy: 'balanced', sticky: true, timeout: 60 },
      { name: 'bal', family: 'ipv4', proto: 'udp', srcPort: ['20000-29999'], policy: 'balanced' },
      { name: 'lst', family: 'ipv4', ipset: 'vpn', policy: 'only2' },
      { name: 'rest', family: 'any', policy: 'failover' },
    ],
  });
  const st = topo.state();
  await topo.apply(cfg, st);
  fillConnected(router, 3);

  // weights 3:1 over 200 flows with distinct source ports
  const bal = await topo.flows(INET4, 20000, 200);
  assert.equal(bal[0]!.length + bal[1]!.length, 200, `all 200 flows arrived on WAN 1 or 2 (${bal.map((b) => b.length)})`);
  const share = bal[0]!.length / 200;
  t.diagnostic(`3:1 weights: WAN 1 carried ${bal[0]!.length} of 200 flows (${(share * 100).toFixed(1)}%)`);
  assert.ok(Math.abs(share - 0.75) <= 0.12, `WAN 1 share ${share} within 75% ±12`);

  // failover policy: metric 1 wins
  const f1 = await topo.flows(INET4, 30000, 5);
  assert.equal(f1[0]!.length, 5, 'failover policy uses wan1');
  // IPv6 follows its own members
  const v6 = await topo.flows(INET6, 31000, 3);
  assert.equal(v6[0]!.length, 3, 'IPv6 via wan1_6');

  // wan1 goes offline: new flows move to wan2, the established flow 30000 keeps wan1 (ct mark)
  const rep = await topo.apply(cfg, topo.state({ wan1: { status: 'offline' }, wan1_6: { status: 'offline' } }));
  assert.ok(rep.nftCommands > 0 && rep.nftCommands < 20, `small transaction: ${rep.nftCommands}`);
  const moved = await topo.flows(INET4, 32000, 5);
  assert.equal(moved[1]!.length, 5, 'new flows leave by wan2');
  const kept = await topo.flows(INET4, 30000, 1);
  assert.deepEqual(kept[0], [30000], 'established flow stays on wan1');
  const v6moved = await topo.flows(INET6, 33000, 2);
  assert.equal(v6moved[1]!.length, 2, 'IPv6 fails over too');

  // back online; sticky: one source keeps one WAN across 30 new flows despite 3:1 balancing
  await topo.apply(cfg, st);
  const sticky = await topo.flows(INET4, 40000, 30);
  const stickyCounts = sticky.map((s) => s.length);
  assert.ok(stickyCounts.includes(30), `all 30 sticky flows on one WAN: ${stickyCounts}`);

  // ipset: destination in set vpn -> wan2 only; connected: destination in connected_v4 -> main (wan3)
  router.run(['nft', 'add', 'element', 'inet', 'mwan', 'vpn', `{ ${INET4} }`]);
  const viaSet = await topo.flows(INET4, 50000, 4);
  assert.equal(viaSet[1]!.length, 4, 'ipset rule sends to wan2');
  router.run(['nft', 'add', 'element', 'inet', 'mwan', 'connected_v4', '{ 203.0.113.0/24 }']);
  const viaMain = await topo.flows(INET4, 51000, 4);
  assert.equal(viaMain[2]!.length, 4, 'connected destination bypasses policies (main table)');

  // another apply keeps the elements others filled, changes nothing, leaves fw4 alone
  const again = await topo.apply(cfg, st);
  assert.equal(again.changes, 0);
  const sets = JSON.parse(router.run(['nft', '-j', 'list', 'set', 'inet', 'mwan', 'vpn']).stdout);
  assert.equal(sets.nftables[1].set.elem.length, 1, 'ipset contents survive');
  assert.equal(foreign(), fw4Before, 'foreign table untouched');
});
