/**
 * Broker restart under traffic: kill -9 of ubusd-ts and a new one on the same socket. Every
 * client (procd-ts, netifd-ts, mwand, mwan-rtmon, the trackers, the lab's agent) reconnects by
 * itself, objects and listeners come back, nothing is restarted, traffic never notices, and a
 * later failover and failback still go through the new bus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns } from 'netns-kit';
import { timeToMove, timeToReturn } from 'mwan-lab/metrics';
import { openLab, loss, lossOn, flowShares, statuses, iface, eventually, sleep, pct } from './scenario.js';

test('broker restart under traffic', { skip: !canUseNetns() && 'needs root', timeout: 90_000 }, async (t) => {
  const sc = await openLab(t);
  const { s } = sc;
  const pids = async () => Object.fromEntries(Object.entries(await s.stack.instances()).map(([k, v]) => [k, v.pid]));
  const wans = ['fibre', 'fibre6', 'cable', 'cable6', 'lte', 'lte6'];

  await t.test('kill -9 of ubusd-ts, new broker on the same socket: clients reconnect, trackers re-announce', async () => {
    const before = await pids();
    const oldBroker = s.stack.brokerPid();
    const at = s.now();
    await s.stack.restartBroker();
    assert.notEqual(s.stack.brokerPid(), oldBroker);
    // every object is back on the new bus
    const objects = ['mwan', 'mwan.rtmon', ...wans.map((w) => `mwan.track.${w}`), ...wans.map((w) => `network.interface.${w}`)];
    await eventually(async () => (await Promise.all(objects.map((o) => s.stack.agent().call(o, '__probe__', {}, 500).then(() => true, (e) => e?.status === 3)))).every(Boolean), 15_000, 200);
    const back = s.now() - at;
    // mwand hears from every tracker again
    await eventually(async () => {
      const all = await Promise.all(wans.map((w) => iface(sc, w)));
      return all.every((i) => i.tracking === 'active' && i.tracker_state === 'online');
    }, 10_000, 200);
    t.diagnostic(`every object back on the new broker ${back.toFixed(0)} ms after the kill`);
    await sleep(3000);
    const l = loss(sc.all(), at - 500, s.now() - 1000);
    const h = lossOn(l, ['fibre', 'cable']);
    t.diagnostic(`lost ${h.lost}/${h.sent} packets (${pct(h.ratio)}) across the broker restart`);
    assert.ok(h.sent > 200 && h.ratio <= 0.01 && !(l.byWan['?'] > 0), `loss ${JSON.stringify(l)}`);
    const after = await pids();
    for (const [k, pid] of Object.entries(before)) {
      // a client reconnects by itself: losing the broker must not end the process (procd would
      // respawn it only after its respawn timeout, 5 s without a controller)
      assert.equal(after[k], pid, `${k} kept running across the broker restart`);
    }
    assert.ok(back <= 3000, `objects back within 3 s (took ${back.toFixed(0)} ms)`);
  });

  await t.test('a failover after the broker restart: trackers → mwand → dataplane and events still work', async () => {
    const at = s.now();
    sc.down('cable');
    await sleep(4500);
    const moved = timeToMove(sc.v4(), at, 'cable');
    t.diagnostic(`new flows off cable ${moved?.toFixed(0)} ms after the fault`);
    assert.ok(moved !== undefined && moved <= 5000, `moved in ${moved} ms`);
    assert.equal((await statuses(sc)).cable, 'offline');
    const tail = flowShares(sc.v4(), s.now() - 2000, s.now() - 800);
    assert.ok((tail.shares.fibre ?? 0) >= 0.98, `fibre carries every new flow: ${JSON.stringify(tail)}`);
    // the lab's listener was re-registered on the new broker too
    assert.ok(s.busEvents.some((e) => e.t >= at && e.type === 'mwan.interface' && e.data.interface === 'cable' && e.data.action === 'disconnected'), 'mwan.interface event seen');
    const heal = s.now();
    sc.heal('cable');
    await eventually(async () => (await statuses(sc)).cable === 'online', 8000, 100);
    await sleep(2000);
    const ret = timeToReturn(sc.v4(), heal, 'cable');
    assert.ok(ret !== undefined && ret <= 6000, `failback in ${ret} ms`);
  });
});
