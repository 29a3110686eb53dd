/**
 * Failover and failback under traffic, weights over many flows (IPv4 and IPv6), and a user hook
 * that hangs: it is killed at its timeout (with its children) while the failover happens on time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canUseNetns } from 'netns-kit';
import { timeToMove, timeToReturn } from 'mwan-lab/metrics';
import { openLab, flowShares, shareFits, statuses, policy, eventually, sleep } from './scenario.js';

const HOOK_TIMEOUT_S = 3;

test('failover, failback, weights, IPv6, hook timeout', { skip: !canUseNetns() && 'needs root', timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-e2e-hook-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'hook.log');
  // the hook hangs (with a child) when fibre starts failing; every other call returns at once
  writeFileSync(join(dir, 'mwan.user'), [
    '#!/bin/sh',
    `echo "$ACTION $INTERFACE $DEVICE" >> '${log}'`,
    'if [ "$ACTION" = disconnecting ] && [ "$INTERFACE" = fibre ]; then',
    '  sleep 30 &',
    `  echo "child $!" >> '${log}'`,
    '  wait',
    `  echo "survived" >> '${log}'`,
    'fi',
    '',
  ].join('\n'));
  chmodSync(join(dir, 'mwan.user'), 0o755);
  // /etc/init.d/mwan starts $MWAND_BIN: a wrapper giving mwand our hook and a short timeout
  writeFileSync(join(dir, 'mwand'), `#!/bin/sh\nexec mwand "$@" --hook '${join(dir, 'mwan.user')}' --hook-fallback '${join(dir, 'none')}' --hook-timeout ${HOOK_TIMEOUT_S}\n`);
  chmodSync(join(dir, 'mwand'), 0o755);
  const sc = await openLab(t, { env: { MWAND_BIN: join(dir, 'mwand') } });
  const { s } = sc;
  const hookLines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

  await t.test('steady state: new flows shared 3:2 over fibre and cable, LTE idle (IPv4 and IPv6)', async () => {
    await sleep(6000);
    const v4 = flowShares(sc.v4(), s.now() - 6500, s.now() - 500);
    const v6 = flowShares(sc.v6(), s.now() - 6500, s.now() - 500);
    t.diagnostic(`IPv4 ${v4.flows} flows: ${JSON.stringify(v4.shares)}; IPv6 ${v6.flows} flows: ${JSON.stringify(v6.shares)}`);
    assert.ok(v4.flows >= 80, `${v4.flows} IPv4 flows`);
    for (const [wan, w] of [['fibre', 0.6], ['cable', 0.4]] as const) {
      const fit = shareFits(v4, wan, w);
      assert.ok(fit.ok, fit.why);
    }
    assert.ok((v4.shares.lte ?? 0) === 0, 'LTE carries nothing');
    assert.ok(v6.flows >= 20, `${v6.flows} IPv6 flows`);
    // ~30 IPv6 flows: both balanced WANs carry them (the exact 3:2 is checked on the IPv4 flows)
    for (const [wan, w] of [['fibre', 0.6], ['cable', 0.4]] as const) {
      const fit = shareFits(v6, wan, w);
      assert.ok(fit.ok && (v6.shares[wan] ?? 0) > 0, `IPv6 ${fit.why}`);
    }
    assert.ok((v6.shares.lte ?? 0) === 0, 'IPv6 LTE carries nothing');
    // hooks ran for the start (ifup and connected of every interface)
    await eventually(() => hookLines().includes('connected fibre wan1') && hookLines().includes('ifup cable6 wan2'), 5000);
  });

  await t.test('fibre dies: new flows move to cable in time although the hook hangs; the hook is killed at its timeout', async () => {
    const at = s.now();
    sc.down('fibre');
    await sleep(HOOK_TIMEOUT_S * 1000 + 3000);
    const moved = timeToMove(sc.v4(), at, 'fibre');
    const moved6 = timeToMove(sc.v6(), at, 'fibre', 2000);
    t.diagnostic(`new flows off fibre after ${moved?.toFixed(0)} ms (IPv6 ${moved6?.toFixed(0)} ms)`);
    assert.ok(moved !== undefined && moved <= 5000, `IPv4 moved in ${moved} ms`);
    assert.ok(moved6 !== undefined && moved6 <= 5000, `IPv6 moved in ${moved6} ms`);
    const st = await statuses(sc);
    assert.equal(st.fibre, 'offline');
    assert.equal(st.fibre6, 'offline');
    const tail = flowShares(sc.v4(), s.now() - 2500, s.now() - 1000);
    assert.ok((tail.shares.cable ?? 0) >= 0.98 && tail.flows >= 20, `cable carries every new flow: ${JSON.stringify(tail)}`);

    // the hanging hook: started at fibre's first failure, killed after HOOK_TIMEOUT_S with its child
    const lines = hookLines();
    assert.ok(lines.includes('disconnecting fibre wan1'), lines.join(' | '));
    assert.ok(!lines.includes('survived'), 'the hook did not run to its end');
    const child = Number(lines.find((l) => l.startsWith('child '))?.split(' ')[1]);
    assert.ok(child > 0 && !existsSync(`/proc/${child}`), `its child ${child} was killed too`);
    const ev = s.busEvents.find((e) => e.type === 'mwan.hook' && e.t >= at && e.data.interface === 'fibre' && e.data.action === 'disconnecting');
    assert.ok(ev, `mwan.hook event: ${JSON.stringify(s.busEvents.filter((e) => e.type === 'mwan.hook'))}`);
    assert.equal(ev.data.result, 'timeout');
    assert.ok(ev.data.duration_ms >= HOOK_TIMEOUT_S * 1000 - 100 && ev.data.duration_ms < HOOK_TIMEOUT_S * 1000 + 1500, `killed after ${ev.data.duration_ms} ms`);
    // the policy changed before the hook was killed: hooks never delay routing
    const pol = s.busEvents.find((e) => e.type === 'mwan.policy' && e.t >= at && e.data.policy === 'balanced');
    assert.ok(pol && pol.t < ev.t, 'failover was not held back by the hook');
    // the queue went on after the killed hook
    await eventually(() => hookLines().includes('disconnected fibre wan1'), 3000);
  });

  await t.test('cable dies too: the metric-2 backup LTE takes every new flow', async () => {
    const at = s.now();
    sc.down('cable');
    await eventually(async () => (await statuses(sc)).cable === 'offline', 8000, 100);
    await sleep(2500);
    const moved = timeToMove(sc.v4(), at, 'cable');
    t.diagnostic(`new flows on LTE ${moved?.toFixed(0)} ms after cable died`);
    assert.ok(moved !== undefined && moved <= 5000, `moved in ${moved} ms`);
    const tail = flowShares(sc.v4(), s.now() - 2000, s.now() - 800);
    const tail6 = flowShares(sc.v6(), s.now() - 2000, s.now() - 800);
    assert.ok((tail.shares.lte ?? 0) === 1 && tail.flows >= 15, `LTE carries every new IPv4 flow: ${JSON.stringify(tail)}`);
    assert.ok((tail6.shares.lte ?? 0) === 1 && tail6.flows >= 3, `and every new IPv6 flow: ${JSON.stringify(tail6)}`);
  });

  await t.test('fibre and cable recover: new flows come back and the 3:2 share returns, LTE idle again', async () => {
    const at = s.now();
    sc.heal('fibre');
    sc.heal('cable');
    await eventually(async () => { const st = await statuses(sc); return st.fibre === 'online' && st.cable === 'online'; }, 8000, 100);
    await sleep(4000);
    const back = timeToReturn(sc.v4(), at, 'fibre');
    t.diagnostic(`first new flow on fibre ${back?.toFixed(0)} ms after the heal`);
    assert.ok(back !== undefined && back <= 6000);
    const tail = flowShares(sc.v4(), s.now() - 3000, s.now() - 800);
    const fit = shareFits(tail, 'fibre', 0.6, 0.2);
    assert.ok(fit.ok, `fibre back to ~60%: ${fit.why}`);
    assert.ok((tail.shares.lte ?? 0) === 0, `LTE idle again: ${JSON.stringify(tail)}, policy ${await policy(sc, 'balanced')}, ${JSON.stringify(await statuses(sc))}, lte flows at ${sc.v4().filter((e) => e.kind === 'reply' && e.first && e.wan === 'lte' && e.t >= at).map((e) => Math.round(e.t - at))}`);
    await eventually(() => hookLines().lastIndexOf('connected fibre wan1') > hookLines().indexOf('disconnected fibre wan1'), 3000);
  });
});
