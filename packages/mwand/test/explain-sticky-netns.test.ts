/**
 * explain and sticky entries against the real kernel: mwand's controller with the real planner,
 * applier and nft backend in a router namespace (two ISPs), its ubus face on a private broker.
 * Real flows through a sticky rule fill the rule's set; explain reads the set from the running
 * ruleset and answers with the WAN the kernel keeps the source on, which the ISPs' counters
 * confirm. An entry added with `nft add element` is followed the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApplier, createKernelBackend } from 'mwan-dataplane';
import { canUseNetns, waitUntil, type Netns } from 'netns-kit';
import { createDataplanePort } from '../src/adapters/dataplane.js';
import { stickyEntriesOf } from '../src/adapters/explain-data.js';
import { Controller } from '../src/controller.js';
import { realClock } from '../src/core/clock.js';
import { stickySetsWanted, type ExplainResult } from '../src/core/explain.js';
import type { CoreConfig, NetifdView } from '../src/core/model.js';
import { publishMwan } from '../src/ubus-api.js';
import { FakeNetifd, FakeRtmon, FakeTrackers, RecordingEvents, RecordingHooks } from './fakes.js';
import { privateBus } from './private-bus.js';
import { iface, rule } from './fixtures.js';
import { bin, twoIsps } from './netns-system.js';

const CONFIG: CoreConfig = {
  globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [], sourceRouting: false },
  interfaces: [iface('wan', 1, { trackIps: ['192.0.2.1'] }), iface('wanb', 2, { trackIps: ['198.51.100.1'] })],
  members: [{ name: 'wan_m1', interface: 'wan', metric: 1, weight: 1 }, { name: 'wanb_m1', interface: 'wanb', metric: 1, weight: 1 }],
  policies: [{ name: 'balanced', members: ['wan_m1', 'wanb_m1'], lastResort: 'unreachable' }],
  rules: [rule('web', 'balanced', { proto: 'udp', destIp: ['203.0.113.0/24'], sticky: true, timeout: 300 }), rule('other', 'balanced', { family: 'ipv4' })],
};

const FLOWS = 20;
/** FLOWS new UDP flows (a socket each: a new source port, a new conntrack entry) from SRC to 203.0.113.5:9 */
const send = (src: string): string => `const d = require('node:dgram'); let left = ${FLOWS};
const one = () => { if (left-- <= 0) return; const s = d.createSocket('udp4'); s.bind(0, '${src}', () => s.send('x', 9, '203.0.113.5', () => { s.close(); one(); })); };
one();`;
const COUNT = 'table inet cnt { chain pre { type filter hook prerouting priority -400; udp dport 9 counter; }; }';
const counted = (ns: Netns): number => Number(/packets (\d+)/.exec(ns.run(['nft', 'list', 'table', 'inet', 'cnt']).stdout)?.[1] ?? NaN);

const view = (device: string, cidr: string, gateway: string): NetifdView => ({ up: true, device, ipv4: [cidr], ipv6: [], gateway, uptime: 100, seenAt: 0 });

test('explain answers with the WAN a sticky entry keeps: filled by real flows, and by nft add element', { skip: !canUseNetns() && 'needs root', timeout: 30_000 }, async (t) => {
  const rig = twoIsps(t, 'mwk', 'mwand-sticky-');
  const { dir, router, isp1, isp2 } = rig;
  for (const isp of [isp1, isp2]) isp.nft(COUNT);
  // locally generated traffic needs a route before mwan's mark reroutes it; the flows come from
  // addresses of no WAN (a WAN's own address is pinned to it)
  router.ip('route', 'add', 'default', 'via', '192.0.2.1', 'dev', 'wan0');
  for (const a of ['10.77.0.1', '10.77.0.2']) router.ip('addr', 'add', `${a}/32`, 'dev', 'lo');

  const backend = createKernelBackend({ netns: router.name });
  let lists = 0;
  const port = createDataplanePort(createApplier({ backend }), { nft: { nftList: () => { lists++; return backend.nftList(); } } });
  const netifd = new FakeNetifd();
  netifd.views.set('wan', view('wan0', '192.0.2.2/24', '192.0.2.1'));
  netifd.views.set('wanb', view('wan1', '198.51.100.2/24', '198.51.100.1'));
  const rtmon = new FakeRtmon();
  rtmon.view = { connected: { ipv4: ['192.0.2.0/24', '198.51.100.0/24'], ipv6: [] } };
  const c = new Controller({
    clock: realClock, loadConfig: async () => structuredClone(CONFIG), dataplane: port, netifd, trackers: new FakeTrackers(), rtmon,
    events: new RecordingEvents(), hooks: new RecordingHooks(), coalesceMs: 0,
  });
  await c.start();
  t.after(() => c.stop());
  await waitUntil(() => router.run(['nft', 'list', 'set', 'inet', 'mwan', 'sticky_web_wanb_v4'], { allowFail: true }).code === 0, 10_000);

  const { sock, bus, cli } = await privateBus(t, 'mwand-sticky-bus-');
  await publishMwan(bus, c);
  const explain = async (src: string, proto = 'udp'): Promise<ExplainResult> =>
    (await cli.call('mwan', 'explain', { src, dst: '203.0.113.5', proto, port: 9 }))! as unknown as ExplainResult;
  const holders = (addr: string): string[] => ['wan', 'wanb'].filter((w) =>
    router.run(['nft', 'list', 'set', 'inet', 'mwan', `sticky_web_${w}_v4`]).stdout.includes(`${addr} `));
  const flows = (src: string): Record<string, number> => {
    const a0 = counted(isp1);
    const b0 = counted(isp2);
    router.run([process.execPath, '-e', send(src)]);
    return { wan: counted(isp1) - a0, wanb: counted(isp2) - b0 };
  };

  // before any traffic: no entry, the policy's shares (the table is listed: the flow meets a sticky rule)
  const before = await explain('10.77.0.1');
  assert.deepEqual([before.rule, before.action, before.interfaces.map((i) => `${i.interface} ${i.percent}`), before.sticky_entry], ['web', 'balance', ['wan 50', 'wanb 50'], undefined]);
  assert.ok(before.reasons.includes('rule web is sticky; source 10.77.0.1 has no sticky entry (sets sticky_web_wan_v4, sticky_web_wanb_v4): the policy decides; the WAN it gets is kept for 300 s while that WAN stays in the policy'), before.reasons.join(' | '));
  assert.equal(lists, 1);

  // real flows: the first is balanced and recorded, the rest keep its WAN
  const sent = flows('10.77.0.1');
  const kept = holders('10.77.0.1');
  assert.equal(kept.length, 1, `10.77.0.1 is in exactly one sticky set: ${kept.join(',')}`);
  const wan = kept[0]!;
  const other = wan === 'wan' ? 'wanb' : 'wan';
  assert.deepEqual(sent, { [wan]: FLOWS, [other]: 0 }, 'every flow left through the kept WAN');
  const r = await explain('10.77.0.1');
  assert.deepEqual([r.rule, r.sticky, r.action, r.interface, r.interfaces.map((i) => `${i.interface} ${i.percent} ${i.device}`)],
    ['web', true, 'interface', wan, [`${wan} 100 ${wan === 'wan' ? 'wan0' : 'wan1'}`]]);
  assert.equal(r.sticky_entry?.set, `sticky_web_${wan}_v4`);
  assert.ok(r.sticky_entry!.expires! > 250 && r.sticky_entry!.expires! <= 300, `expires ${r.sticky_entry!.expires}`);
  assert.ok(r.reasons.some((x) => new RegExp(`^rule web is sticky and source 10\\.77\\.0\\.1 has an entry in set sticky_web_${wan}_v4 \\(WAN ${wan}, expires in \\d+ s unless its traffic renews it\\): it keeps ${wan}, a member of policy balanced now, instead of the policy's choice$`).test(x)), r.reasons.join(' | '));
  assert.equal(lists, 2);

  // the real listing, as the adapter reads it
  const entries = stickyEntriesOf(await backend.nftList(), stickySetsWanted(CONFIG));
  assert.ok('byRule' in entries);
  const keptSet = entries.byRule.web![wan]!.ipv4!;
  assert.equal(keptSet.set, `sticky_web_${wan}_v4`);
  assert.deepEqual((keptSet.entries as { addr: string }[]).map((e) => e.addr), ['10.77.0.1']);
  assert.deepEqual(entries.byRule.web![other]!.ipv4, { set: `sticky_web_${other}_v4`, entries: [] });

  // an entry put into the other WAN's set (as a previous flow would have left it): explain and the kernel follow it
  router.run(['nft', 'add', 'element', 'inet', 'mwan', `sticky_web_${other}_v4`, '{ 10.77.0.2 }']);
  const added = await explain('10.77.0.2');
  assert.deepEqual([added.action, added.interface, added.sticky_entry?.interface, added.sticky_entry?.set], ['interface', other, other, `sticky_web_${other}_v4`]);
  assert.deepEqual(flows('10.77.0.2'), { [other]: FLOWS, [wan]: 0 });

  // the mwan command prints it (the CLI talks to the same broker; async, the broker runs in this process)
  const cliOut = await promisify(execFile)(process.execPath, [bin('mwan-cli', 'mwan'), 'explain', '10.77.0.2', '203.0.113.5', 'udp', '9', '-s', sock]);
  assert.match(cliOut.stdout, new RegExp(`\\n rule web is sticky and source 10\\.77\\.0\\.2 has an entry in set sticky_web_${other}_v4 \\(WAN ${other}, expires in \\d+ s unless its traffic renews it\\): it keeps ${other}, .*\\nResult: ${other} \\(${other === 'wan' ? 'wan0' : 'wan1'}\\)\\n$`));

  // a flow no sticky rule takes costs no listing
  const n = lists;
  const tcp = await explain('10.77.0.1', 'tcp');
  assert.deepEqual([tcp.rule, tcp.action, tcp.sticky_entry], ['other', 'balance', undefined]);
  assert.equal(lists, n);
});
