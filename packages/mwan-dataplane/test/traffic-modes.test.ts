import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns } from 'netns-kit';
import { buildTopo, fillConnected, INET4, labConfig } from './topo.js';
import type { BalanceMode } from '../src/index.js';

const skip = !canUseNetns() && 'needs root';

test('real traffic: round_robin splits exactly by weight, src_hash keeps a source on one WAN, scoped conntrack flush, sticky entries dropped', { skip, timeout: 60_000 }, async (t) => {
  const topo = await buildTopo(2);
  t.after(() => topo.lab.destroy());
  const cfgFor = (balance: BalanceMode) => labConfig(2, {
    members: [{ name: 'a', interface: 'wan1', metric: 1, weight: 3 }, { name: 'b', interface: 'wan2', metric: 1, weight: 1 }],
    policies: [{ name: 'p', members: ['a', 'b'], lastResort: 'unreachable', balance }],
    rules: [
      { name: 'st', family: 'ipv4', proto: 'udp', srcPort: ['40000-40999'], policy: 'p', sticky: true, timeout: 120 },
      { name: 'all', family: 'any', policy: 'p' },
    ],
  });
  await topo.apply(cfgFor('round_robin'), topo.state());
  fillConnected(topo.router, 2);
  const rr = await topo.flows(INET4, 20000, 40);
  assert.deepEqual(rr.map((x) => x.length), [30, 10], 'round robin: exactly 3:1');

  const r = await topo.apply(cfgFor('src_hash'), topo.state());
  assert.deepEqual(r.chainsWritten.filter((c) => c.startsWith('policy_')), ['policy_p_v4'], 'only the v4 policy chain changes (v6 has no members here)');
  const sh = await topo.flows(INET4, 21000, 20);
  assert.ok(sh.some((x) => x.length === 20), `src_hash: one source, one WAN (${sh.map((x) => x.length)})`);

  // conntrack: flush only wan2's entries (interface 3 of wan1, wan1_6, wan2...: mark 0x300); wan1's survive
  const ct = (mark: string) => topo.router.run(['conntrack', '-L', '-p', 'udp', '--mark', `${mark}/0x3f00`], { allowFail: true }).stdout.split('\n').filter(Boolean).length;
  const w1Before = ct('0x100');
  assert.ok(w1Before > 0 && ct('0x300') > 0);
  const n = await topo.applier.flushConntrack(0x300, 0x3f00);
  assert.ok(n > 0);
  assert.equal(ct('0x300'), 0);
  assert.equal(ct('0x100'), w1Before, 'other WAN connections untouched');

  // sticky entries of a WAN that leaves the policy are dropped in the same small transaction
  await topo.flows(INET4, 40000, 20);
  const stickyLen = (iface: string) => {
    const doc = JSON.parse(topo.router.run(['nft', '-j', 'list', 'set', 'inet', 'mwan', `sticky_st_${iface}_v4`]).stdout);
    return (doc.nftables[1].set.elem ?? []).length as number;
  };
  assert.equal(stickyLen('wan1') + stickyLen('wan2'), 1, 'one source, one sticky entry');
  const where = stickyLen('wan1') ? 'wan1' : 'wan2';
  const rep = await topo.apply(cfgFor('src_hash'), topo.state({ [where]: { status: 'offline' } }));
  assert.ok(rep.setsFlushed.includes(`sticky_st_${where}_v4`));
  assert.equal(stickyLen(where), 0);
});
