/**
 * `balance quality` live, end to end in network namespaces: ubusd-ts, procd-ts, netifd-ts,
 * mwand (which starts one mwan-track per WAN at procd). Two WANs share a quality policy; nft
 * `numgen random` drops 50 % of the echo requests reaching isp2, its tracker reports the loss
 * (`mwan.track.figures`: 8 probes a round, one answer passes it, so the state stays online),
 * and new flows move: isp2 gets a smaller but non-zero share, counted on the far side per ISP.
 *
 * Both ISPs answer pings through mwan-track's delaying responder (20 ms): on bare veths the
 * RTTs are tens of microseconds and their noise alone swings quality's latency ratio (the
 * planner divides best latency by each member's, with no floor).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { canUseNetns, waitUntil, type Netns } from 'netns-kit';
import { bin, interfaceStatus, mwandCommand, root, startBus, twoIsps } from './netns-system.js';

const CONFIG = `config globals 'globals'
	option mmx_mask '0x3F00'
config interface 'wan'
	option enabled '1'
	option family 'ipv4'
	list track_ip '192.0.2.1'
	option interval '0.1'
	option timeout '0.3'
	option count '8'
	option down '50'
	option up '1'
config interface 'wanb'
	option enabled '1'
	option family 'ipv4'
	list track_ip '198.51.100.1'
	option interval '0.1'
	option timeout '0.3'
	option count '8'
	option down '50'
	option up '1'
config member 'wan_m1'
	option interface 'wan'
	option metric '1'
config member 'wanb_m1'
	option interface 'wanb'
	option metric '1'
config policy 'live'
	list use_member 'wan_m1'
	list use_member 'wanb_m1'
	option balance 'quality'
config rule 'flows'
	option proto 'udp'
	option dest_ip '203.0.113.0/24'
	option use_policy 'live'
`;

const FLOWS = 400;
/** FLOWS new UDP flows (a socket each: a new source port, a new conntrack entry) to 203.0.113.5:9 */
const SEND = `const d = require('node:dgram'); let left = ${FLOWS};
const one = () => { if (left-- <= 0) return; const s = d.createSocket('udp4'); s.bind(0, '10.77.0.1', () => s.send('x', 9, '203.0.113.5', () => { s.close(); one(); })); };
one();`;

const COUNT = 'table inet cnt { chain pre { type filter hook prerouting priority -400; udp dport 9 counter; }; }';
const responder = join(root, 'packages', 'mwan-track', 'dist', 'test', 'helpers', 'delay-responder.js');
const DELAYED = 'table inet delay { chain out { type filter hook output priority 0; meta mark != 0x4d icmp type echo-reply drop; }; }';
const counted = (ns: Netns): number => Number(/packets (\d+)/.exec(ns.run(['nft', 'list', 'table', 'inet', 'cnt']).stdout)?.[1] ?? NaN);

test('balance quality: a WAN losing 50 % of its probes gets a smaller, non-zero share of new flows', { skip: !canUseNetns() && 'needs root', timeout: 60_000 }, async (t) => {
  const rig = twoIsps(t, 'mwq', 'mwand-quality-');
  const { lab, dir, router, isp1, isp2 } = rig;
  for (const isp of [isp1, isp2]) {
    isp.nft(COUNT);
    // the WAN tables route on-link (netifd-ts gives no gateway): each ISP owns the flows' target, so it answers ARP for it
    isp.ip('addr', 'add', '203.0.113.5/32', 'dev', 'lo');
    isp.nft(DELAYED);
    const r = lab.spawn(isp, [process.execPath, responder, '20'], { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((res) => r.stdout!.once('data', () => res()));
  }

  const bus = await startBus(rig, CONFIG);
  const { sock, logs, ubus, call } = bus;
  let figuresEvents = 0;
  const listener = lab.spawn(router, [process.execPath, bin('ubus-ts', 'ubus-ts'), '-s', sock, '-S', 'listen', 'mwan.track.figures']);
  listener.stdout?.on('data', (d: Buffer) => (figuresEvents += (d.toString().match(/"mwan.track.figures"/g) ?? []).length));
  call('service', 'set', {
    name: 'mwan',
    instances: {
      mwand: {
        command: mwandCommand(bus, join(dir, 'none'), join(dir, 'none')),
        respawn: ['3600', '1', '5'],
      },
    },
  });
  t.after(() => { try { call('service', 'delete', { name: 'mwan' }); } catch { /* lab teardown kills the rest */ } });
  ubus('-t', '15', 'wait_for', 'mwan');
  const shares = (): Record<string, number> => {
    const p = (call('mwan', 'status', { section: 'policies' }).policies as { ipv4: Record<string, { interface: string; percent: number }[]> }).ipv4.live ?? [];
    return Object.fromEntries(p.map((s) => [s.interface, s.percent]));
  };
  const status = (name: string): string => interfaceStatus(bus, name);
  await waitUntil(() => status('wan') === 'online' && status('wanb') === 'online', 15_000, 200);
  // locally generated traffic needs a route before mwan's mark reroutes it
  router.ip('route', 'add', 'default', 'via', '192.0.2.1', 'dev', 'wan0');
  // the flows come from an address of no WAN: a WAN's own address would pin them to that WAN (docs/dataplane.md)
  router.ip('addr', 'add', '10.77.0.1/32', 'dev', 'lo');

  const send = (): { a: number; b: number } => {
    const a0 = counted(isp1);
    const b0 = counted(isp2);
    router.run([process.execPath, '-e', SEND]);
    return { a: counted(isp1) - a0, b: counted(isp2) - b0 };
  };

  // no loss: both WANs measured alike, roughly even
  await waitUntil(() => shares().wanb! >= 40 && shares().wanb! <= 60, 10_000, 200).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(call('mwan', 'status', { section: 'policies' }))}\n${logs.join('\n')}`);
  });
  const even = send();
  t.diagnostic(`no loss: shares ${JSON.stringify(shares())}, flows isp1 ${even.a} isp2 ${even.b}`);
  assert.equal(even.a + even.b, FLOWS, 'every flow left through one of the WANs');
  assert.ok(even.b > FLOWS * 0.3 && even.b < FLOWS * 0.7, `isp2 ${even.b} of ${FLOWS}`);

  // 50 % of isp2's echo requests dropped: its tracker's loss climbs, quality weights follow
  isp2.nft('table inet loss { chain in { type filter hook input priority 0; icmp type echo-request numgen random mod 100 < 50 drop; }; }');
  const t0 = Date.now();
  const lossy = await waitUntil(() => { const s = shares(); return s.wanb! > 0 && s.wanb! <= 40 ? s : null; }, 25_000, 200);
  t.diagnostic(`50 % loss on wanb: shares ${JSON.stringify(lossy)} within ${Date.now() - t0} ms; figures events so far ${figuresEvents}`);
  // the figures event path carried it: the listener's output is read by this event loop, which
  // the synchronous status polls block, so the count may trail the shares by a poll or two
  await waitUntil(() => figuresEvents >= 1, 15_000, 100).catch(() => assert.fail(`no mwan.track.figures event within 15 s of the shares moving\n${logs.join('\n')}`));
  const tracker = call('mwan.track.wanb', 'status');
  t.diagnostic(`wanb tracker: loss ${tracker.loss_pct} %, latency ${tracker.latency_ms} ms, state ${tracker.state}`);
  const after = send();
  const now = shares();
  t.diagnostic(`50 % loss: shares ${JSON.stringify(now)}, flows isp1 ${after.a} isp2 ${after.b}`);
  assert.equal(after.a + after.b, FLOWS);
  assert.ok(after.b > 0, 'the degraded WAN still gets new flows');
  assert.ok(after.b < after.a, `isp2 ${after.b} < isp1 ${after.a}`);
  // the flows follow the policy's percent (binomial, 400 flows: ±~10 points is > 4 sigma)
  assert.ok(Math.abs((after.b / FLOWS) * 100 - now.wanb!) < 12, `isp2 ${(after.b / FLOWS) * 100} % vs policy ${now.wanb} %`);
  assert.ok(after.b < even.b, 'less than without loss');
});
