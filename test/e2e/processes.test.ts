/**
 * kill -9 of each process under traffic (mwand, one mwan-track, mwan-rtmon), and the controller
 * kept down while a WAN fails. One lab; LAN flows (IPv4 every 50 ms, IPv6 every 200 ms) run
 * throughout, and every assertion on traffic is on packets answered by the internet responder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns } from 'netns-kit';
import { openLab, loss, lossOn, flowShares, statuses, iface, policy, eventually, sleep, pct, type Scenario } from './scenario.js';
import { timeToMove } from 'mwan-lab/metrics';

/** Packets lost on WANs that stay healthy, beyond which a restart counts as disturbing traffic. */
const TOLERANCE = 0.01;

test('process crashes under traffic', { skip: !canUseNetns() && 'needs root', timeout: 90_000 }, async (t) => {
  // procd respawns mwand and rtmon 1 s after a crash (trackers: mwand's own 5 s)
  const sc: Scenario = await openLab(t, { env: { PROCD_RESPAWN_TIMEOUT: '1' } });
  const { s } = sc;
  const pids = async () => Object.fromEntries(Object.entries(await s.stack.instances()).map(([k, v]) => [k, v.pid]));
  const all = sc.all;

  await t.test('kill -9 of mwand: traffic unaffected, procd respawns it, it adopts trackers and converges', async () => {
    const before = await pids();
    const at = s.now();
    await s.stack.killInstance('mwand');
    assert.notEqual(s.stack.nftTable(), '', 'the ruleset stays while the controller is dead');
    await eventually(async () => { const p = await pids(); return p.mwand && p.mwand !== before.mwand; }, 10_000, 100);
    await eventually(async () => Object.values(await statuses(sc)).filter((x) => x === 'online').length === 6, 10_000, 100);
    const converged = s.now() - at;
    await sleep(Math.max(0, 4000 - converged));
    const after = await pids();
    for (const k of ['rtmon', 'track_fibre', 'track_cable', 'track_lte', 'track_fibre6', 'track_cable6', 'track_lte6']) {
      assert.equal(after[k], before[k], `${k} kept running across the controller restart`);
    }
    const l = loss(all(), at - 500, s.now() - 1000);
    const h = lossOn(l, ['fibre', 'cable']);
    t.diagnostic(`mwand kill -9 → respawned and converged in ${converged.toFixed(0)} ms; lost ${h.lost}/${h.sent} packets (${pct(h.ratio)}), all: ${JSON.stringify(l.byWan)}`);
    assert.ok(h.sent > 200, 'traffic ran');
    assert.ok(h.ratio <= TOLERANCE, `loss ${pct(h.ratio)} on healthy WANs`);
    assert.equal(l.byWan['?'] ?? 0, 0, 'no new flow went unanswered');
    assert.equal(await policy(sc, 'balanced'), 'fibre:60,cable:40');
  });

  await t.test('kill -9 of one mwan-track: traffic unaffected, procd respawns it, it re-reports', async () => {
    const before = await pids();
    const at = s.now();
    await s.stack.killInstance('track_cable');
    await eventually(async () => { const p = await pids(); return p.track_cable && p.track_cable !== before.track_cable; }, 12_000, 100);
    const respawned = s.now() - at;
    // the new process publishes its object again and mwand takes its verdict
    const st = await eventually(async () => {
      const [tr, i] = await Promise.all([sc.call('mwan.track.cable', 'status'), iface(sc, 'cable')]);
      return tr && i.tracking === 'active' && i.tracker_state === 'online' && i.age <= 2 ? i : undefined;
    }, 8_000, 100);
    t.diagnostic(`track_cable kill -9 → respawned in ${respawned.toFixed(0)} ms, re-reported (age ${st!.age} s) at ${(s.now() - at).toFixed(0)} ms`);
    const after = await pids();
    for (const k of ['mwand', 'rtmon', 'track_fibre', 'track_lte', 'track_fibre6', 'track_cable6', 'track_lte6']) assert.equal(after[k], before[k], `${k} untouched`);
    await sleep(1500);
    const l = loss(all(), at - 500, s.now() - 1000);
    const h = lossOn(l, ['fibre', 'cable']);
    t.diagnostic(`lost ${h.lost}/${h.sent} packets (${pct(h.ratio)}) from the kill until re-reported`);
    assert.ok(h.ratio <= TOLERANCE, `loss ${pct(h.ratio)} on healthy WANs`);
    assert.equal(l.byWan['?'] ?? 0, 0, 'no new flow went unanswered');
    const sh = flowShares(all(), at, s.now() - 1000);
    assert.ok((sh.shares.cable ?? 0) > 0.2, `cable kept carrying new flows while its tracker was away: ${JSON.stringify(sh)}`);
  });

  await t.test('kill -9 of mwan-rtmon: traffic unaffected, procd respawns it, it mirrors routes again', async () => {
    const before = await pids();
    const at = s.now();
    await s.stack.killInstance('rtmon');
    await eventually(async () => { const p = await pids(); return p.rtmon && p.rtmon !== before.rtmon; }, 10_000, 100);
    await eventually(() => sc.call('mwan.rtmon', 'status'), 5_000, 100);
    t.diagnostic(`rtmon kill -9 → respawned and answering in ${(s.now() - at).toFixed(0)} ms`);
    // the respawned monitor sees a new main-table route and mirrors it into every WAN table,
    // and the connected set follows
    s.net.router.ip('route', 'add', '10.99.0.0/24', 'dev', 'br-lan');
    const tables = await Promise.all(['fibre', 'cable', 'lte'].map(async (n) => (await iface(sc, n)).id as number));
    await eventually(() => tables.every((n) => /10\.99\.0\.0\/24/.test(s.net.router.run(['ip', 'route', 'show', 'table', String(n)]).stdout)), 5_000, 100);
    await eventually(async () => ((await sc.call('mwan', 'connected')).connected.ipv4 as string[]).includes('10.99.0.0/24'), 5_000, 100);
    assert.match(s.stack.nftTable(), /10\.99\.0\.0\/24/, 'connected_v4 set holds the new network');
    s.net.router.ip('route', 'del', '10.99.0.0/24', 'dev', 'br-lan');
    await sleep(1000);
    const l = loss(all(), at - 500, s.now() - 1000);
    const h = lossOn(l, ['fibre', 'cable']);
    t.diagnostic(`lost ${h.lost}/${h.sent} packets (${pct(h.ratio)})`);
    assert.ok(h.ratio <= TOLERANCE, `loss ${pct(h.ratio)}`);
    const after = await pids();
    assert.equal(after.mwand, before.mwand);
    assert.equal(after.track_fibre, before.track_fibre);
  });

  await t.test('controller down while a WAN fails: the ruleset keeps routing, mwand catches up on return', async () => {
    const before = await pids();
    // kill -9 and keep it down: the instance is deleted while procd waits to respawn it
    // (a SIGTERM would make mwand remove the ruleset, as /etc/init.d/mwan stop does)
    await s.stack.killInstance('mwand');
    await sc.call('service', 'delete', { name: 'mwan', instance: 'mwand' });
    await sleep(1500);
    assert.equal((await pids()).mwand, undefined, 'mwand stays down');
    assert.notEqual(s.stack.nftTable(), '');

    const at = s.now();
    sc.down('fibre');
    // the tracker still judges on its own (its verdict will be there when mwand returns)
    await eventually(async () => (await sc.call('mwan.track.fibre', 'status')).state === 'offline', 8_000, 100);
    await sleep(1500);
    const downWin = loss(all(), at, s.now() - 1000);
    const cable = lossOn(downWin, ['cable']);
    t.diagnostic(`controller down, fibre dead: cable lost ${cable.lost}/${cable.sent}, unanswered flows' packets ${downWin.byWan['?'] ?? 0} (fibre still in the ruleset)`);
    assert.ok(cable.sent > 50 && cable.ratio <= TOLERANCE, `cable keeps carrying its flows: ${pct(cable.ratio)} lost, sent at ms ${downWin.times.cable} after the fault`);
    assert.ok((downWin.byWan['?'] ?? 0) + (downWin.byWan.fibre ?? 0) > 0, 'nobody took fibre out of the ruleset (the controller really was down)');

    const back = s.now();
    await s.stack.initScript('start', 'mwand');
    await eventually(() => sc.call('mwan', 'status', { section: 'interfaces' }), 10_000, 100);
    await eventually(async () => (await policy(sc, 'balanced')) === 'cable:100', 10_000, 100);
    await sleep(3000);
    const moved = timeToMove(sc.v4(), back, 'fibre');
    t.diagnostic(`mwand back: new flows off fibre ${moved === undefined ? 'never' : `${moved.toFixed(0)} ms`} after the start`);
    assert.ok(moved !== undefined && moved < 6000, 'new flows left the dead WAN once mwand was back');
    const st = await statuses(sc);
    assert.equal(st.fibre, 'offline', 'mwand took the tracker verdict it missed');
    assert.equal(st.cable, 'online');
    const after = await pids();
    for (const k of ['rtmon', 'track_fibre', 'track_cable', 'track_lte']) assert.equal(after[k], before[k], `${k} kept running`);
    const ret = lossOn(loss(all(), back - 500, s.now() - 1000), ['cable']);
    t.diagnostic(`cable lost ${ret.lost}/${ret.sent} packets across mwand's return`);
    assert.ok(ret.sent > 100 && ret.ratio <= TOLERANCE, `no flush: cable flows kept flowing (${pct(ret.ratio)} lost)`);
    const tail = flowShares(all(), s.now() - 2500, s.now() - 1000);
    assert.ok((tail.shares.cable ?? 0) >= 0.98 && tail.flows > 10, `new flows on cable: ${JSON.stringify(tail)}`);
  });
});
