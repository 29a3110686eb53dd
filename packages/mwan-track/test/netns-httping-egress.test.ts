/**
 * httping's sockets are bound to the WAN's source address only (Node TCP sockets cannot set
 * SO_BINDTODEVICE/SO_MARK). The dataplane pins exactly that traffic (TCP to the tracker's targets
 * and port from the WAN's own address: map src_wan_v4/_v6 -> that WAN's mark), so a source-bound
 * probe of a WAN that is neither the default route nor up in policy terms still leaves through it,
 * while the router's other traffic from that address follows the policy. Real mwan-dataplane,
 * real tracker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns, waitUntil } from 'netns-kit';
import type { UbusData } from 'ubus-ts';
import { bus, fast, helper, spawnTracker, TARGET4, TARGET6, twoWan, type TwoWan } from './helpers/lab.js';

const skip = !canUseNetns() && 'needs root';

// mwan-track does not depend on mwan-dataplane; this integration test loads its build by path
type Dataplane = {
  plan(cfg: unknown, st: unknown): unknown;
  createApplier(o: { backend: unknown }): { apply(d: unknown): Promise<unknown> };
  createKernelBackend(o: { netns: string }): unknown;
};
const loadDataplane = async (): Promise<Dataplane> =>
  (await import(new URL('../../../mwan-dataplane/dist/src/index.js', import.meta.url).href)) as Dataplane;

/** One TCP connection from `src` (bound, as httping does) to the far HTTP server; true if it connected. */
function connectFrom(w: TwoWan, src: string, dst: string, port = 8080): boolean {
  const script = `const s=require('node:net').connect({host:process.argv[1],port:${port},localAddress:process.argv[2],timeout:1000});`
    + `s.on('connect',()=>{process.stdout.write('ok');s.destroy()});s.on('timeout',()=>process.exit(2));s.on('error',()=>process.exit(3));`;
  return w.r.run([process.execPath, '-e', script, dst, src], { allowFail: true }).stdout === 'ok';
}

test('source-bound traffic and an httping tracker of a non-default, policy-offline WAN leave through that WAN', { skip, timeout: 30_000 }, async (t) => {
  const w = twoWan(t);
  const far = w.lab.spawn(w.far, [process.execPath, helper('far-services')]);
  await new Promise<void>((res) => far.stdout!.once('data', () => res()));
  // the far side drops wan1's source arriving over wan2, as an ISP's anti-spoofing filter does
  w.farFault(['iifname "e2" ip saddr 10.1.0.0/24 drop', 'iifname "e2" ip6 saddr 2001:db8:1::/64 drop']);
  // without mwan: main's default route is wan2, so wan1's source leaves by wan2 and is dropped
  assert.equal(connectFrom(w, '10.1.0.2', TARGET4), false, 'the topology shows the problem');
  const bug = w.farL4Counts();
  assert.ok(bug.e1 === 0 && bug.e2 >= 1, `SYN(s) went out by wan2: ${JSON.stringify(bug)}`); // TCP may retransmit within the 1 s

  const dp = await loadDataplane();
  const cfg = {
    globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [] },
    interfaces: [
      // wan1's tracker probes with httping: TCP 8080 to the far targets (PlanInterface.sourceBoundProbes)
      { name: 'wan1', enabled: true, family: 'ipv4', sourceBoundProbes: { targets: [TARGET4], port: 8080 } },
      { name: 'wan2', enabled: true, family: 'ipv4' },
      { name: 'wan1_6', enabled: true, family: 'ipv6', sourceBoundProbes: { targets: [TARGET6], port: 8080 } },
      { name: 'wan2_6', enabled: true, family: 'ipv6' },
    ],
    members: [{ name: 'm2', interface: 'wan2', metric: 1, weight: 1 }, { name: 'm2_6', interface: 'wan2_6', metric: 1, weight: 1 }],
    policies: [{ name: 'only2', members: ['m2', 'm2_6'], lastResort: 'unreachable' }],
    rules: [{ name: 'all', policy: 'only2', family: 'any' }],
  };
  // wan1 is offline in policy terms: only its source address may still send through it
  const st = { wans: {
    wan1: { up: true, status: 'offline', device: 'wan1', gateway: '10.1.0.1', addresses: ['10.1.0.2/24'] },
    wan2: { up: true, status: 'online', device: 'wan2', gateway: '10.2.0.1', addresses: ['10.2.0.2/24'] },
    wan1_6: { up: true, status: 'offline', device: 'wan1', gateway: '2001:db8:1::1', addresses: ['2001:db8:1::2/64'] },
    wan2_6: { up: true, status: 'online', device: 'wan2', gateway: '2001:db8:2::1', addresses: ['2001:db8:2::2/64'] },
  } };
  await dp.createApplier({ backend: dp.createKernelBackend({ netns: w.r.name }) }).apply(dp.plan(cfg, st));

  assert.equal(connectFrom(w, '10.1.0.2', TARGET4), true, 'IPv4 from wan1\'s address connects');
  assert.equal(connectFrom(w, '2001:db8:1::2', TARGET6), true, 'IPv6 from wan1\'s address connects');
  assert.deepEqual(w.farL4Counts(), { e1: 2, e2: bug.e2 }, 'both SYNs came in over wan1');
  // traffic from wan2's address still follows wan2
  assert.equal(connectFrom(w, '10.2.0.2', TARGET4), true);
  assert.deepEqual(w.farL4Counts(), { e1: 2, e2: bug.e2 + 1 });
  // other traffic from wan1's address (another port) is not a probe: it follows the policy (wan2),
  // where the far side's anti-spoofing drops it, as it would be masqueraded on a router
  assert.equal(connectFrom(w, '10.1.0.2', TARGET4, 8081), false);
  const other = w.farL4Counts();
  assert.ok(other.e1 === 2 && other.e2 >= bug.e2 + 2, `the non-probe SYN went out by wan2: ${JSON.stringify(other)}`);

  // the tracker: httping on wan1 stays online with no loss
  const b = await bus(t);
  const before = w.farL4Counts();
  const tr = spawnTracker(w, w.r, b.socketPath, 'wan1', fast({ trackMethod: 'httping', port: 8080, srcIp: '10.1.0.2', count: 1, interval: 0.1, timeout: 0.5 }));
  t.after(() => { tr.kill(); far.kill(); });
  const status = async (): Promise<UbusData> => (await b.client.call('mwan.track.wan1', 'status'))!;
  await waitUntil(async () => ((await status().catch(() => ({ rounds: 0 }))).rounds as number) >= 10, 15_000).catch(() => assert.fail(tr.log.join('')));
  const s = await status();
  assert.equal(s.state, 'online');
  assert.equal(s.loss_pct, 0, `no loss on a healthy link: ${JSON.stringify(s)}`);
  const after = w.farL4Counts();
  assert.ok(after.e1 - before.e1 >= 10, `probes arrived over wan1 (${after.e1 - before.e1})`);
  assert.equal(after.e2 - before.e2, 0, 'no probe left through wan2');
});
