/**
 * Rules and reload under traffic, on the lab's config plus two rules before the defaults:
 * - `sticky_udp`: UDP to port 7001, sticky, policy balanced: one source stays on one WAN;
 * - `vpn_dst`: destinations in set `vpn` (declared by the rule, filled at run time the way
 *   dnsmasq nftset= does) take policy `cable_only`;
 * - `lan_dst`: flows arriving on netifd's `lan` (not an mwan interface) to LAN_DST take
 *   `cable_only`; `guest_dst` names `guest`, which netifd does not have: left out, as mwan3 does.
 * Then a reload that changes one weight (new shares, trackers keep their pids, no loss) and a
 * reload with a config error (reported with file:line, nothing changes, traffic keeps flowing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns } from 'netns-kit';
import { labMwanConfig } from 'mwan-lab/lab-config';
import { defaultTopology } from 'mwan-lab/topology';
import { openLab, flowShares, shareFits, loss, lossOn, policy, eventually, sleep, extraService, extraFlows } from './scenario.js';

const VPN_DST = '203.0.113.12';
const LAN_DST = '203.0.113.13';
const GUEST_DST = '203.0.113.14';

function config(): string {
  const base = labMwanConfig(defaultTopology());
  const extra = `config policy 'cable_only'
\tlist use_member 'cable_m1_w2'
\toption last_resort 'unreachable'

config rule 'sticky_udp'
\toption family 'ipv4'
\toption proto 'udp'
\toption dest_port '7001'
\toption sticky '1'
\toption timeout '60'
\toption use_policy 'balanced'

config rule 'vpn_dst'
\toption family 'ipv4'
\toption ipset 'vpn'
\toption use_policy 'cable_only'

config rule 'lan_dst'
\toption family 'ipv4'
\toption src_iface 'lan'
\toption dest_ip '${LAN_DST}'
\toption use_policy 'cable_only'

config rule 'guest_dst'
\toption family 'ipv4'
\toption src_iface 'guest'
\toption dest_ip '${GUEST_DST}'
\toption use_policy 'cable_only'

`;
  const at = base.indexOf("config rule 'default_v4'");
  assert.ok(at > 0);
  return base.slice(0, at) + extra + base.slice(at);
}

/** The ruleset without what moves on its own (counters, sticky timers). */
const stable = (nft: string): string => nft.replace(/counter packets \d+ bytes \d+/g, 'counter').replace(/ expires [0-9hms.]+/g, '');

test('rules and reload under traffic', { skip: !canUseNetns() && 'needs root', timeout: 90_000 }, async (t) => {
  const cfg = config();
  const sc = await openLab(t, { config: cfg });
  const { s } = sc;
  const pids = async () => Object.fromEntries(Object.entries(await s.stack.instances()).map(([k, v]) => [k, v.pid]));
  await extraService(sc, 7001, sc.topo.serviceV4);
  await extraService(sc, sc.topo.servicePort, VPN_DST);
  await extraService(sc, sc.topo.servicePort, LAN_DST);
  await extraService(sc, sc.topo.servicePort, GUEST_DST);

  await t.test('sticky: every new flow of one source stays on the WAN of its first', async () => {
    const sticky = extraFlows(sc, sc.topo.serviceV4, 7001, 6000, 100);
    await sleep(4500);
    const sh = flowShares(sticky.events(), 0, s.now() - 800);
    const main = flowShares(sc.v4(), s.now() - 4000, s.now() - 800);
    t.diagnostic(`sticky rule: ${sh.flows} flows ${JSON.stringify(sh.shares)}; same source, other port (not sticky): ${JSON.stringify(main.shares)}`);
    assert.ok(sh.flows >= 30, `${sh.flows} sticky flows answered`);
    assert.ok(Object.values(sh.shares).some((v) => v === 1), 'all sticky flows on one WAN');
    assert.ok((main.shares.fibre ?? 0) > 0.3 && (main.shares.cable ?? 0) > 0.2, 'the balanced rule still balances');
  });

  await t.test('ipset filled at run time: that destination goes through the rule\'s WAN', async () => {
    const vpn = extraFlows(sc, VPN_DST, sc.topo.servicePort, 9000, 50);
    await sleep(2500);
    const before = flowShares(vpn.events(), 0, s.now() - 800);
    assert.ok((before.shares.fibre ?? 0) > 0.3, `not in the set yet: balanced (${JSON.stringify(before.shares)})`);
    // what dnsmasq's nftset= does when it resolves a name
    s.net.router.run(['nft', 'add', 'element', 'inet', 'mwan', 'vpn', `{ ${VPN_DST} }`]);
    const at = s.now();
    await sleep(3500);
    const after = flowShares(vpn.events(), at + 300, s.now() - 800);
    t.diagnostic(`${VPN_DST}: before the element ${JSON.stringify(before.shares)}, after ${after.flows} flows ${JSON.stringify(after.shares)}`);
    assert.ok(after.flows >= 30);
    assert.equal(after.shares.cable, 1, 'every new flow to the set member through cable');
    const main = flowShares(sc.v4(), at, s.now() - 800);
    assert.ok((main.shares.fibre ?? 0) > 0.3, 'other destinations still balanced');

    // the router's own traffic goes through the same rules (mwan3's OUTPUT hook): an unbound
    // socket takes fibre's address from the main table's default route, and still leaves by
    // cable for a destination in the set (masqueraded there, as fw4's wan zone does)
    const count = 'table inet rtrcnt { chain pings { type filter hook forward priority -300; icmp type echo-request ip daddr ' + VPN_DST + ' counter; }; }';
    const isp = (wan: string) => s.net.isps.get(wan)!;
    for (const w of ['fibre', 'cable']) isp(w).nft(count);
    const own = s.net.router.run(['ping', '-n', '-c', '3', '-i', '0.2', '-W', '1', VPN_DST], { allowFail: true });
    const seen = (wan: string) => Number(/packets (\d+)/.exec(isp(wan).run(['nft', 'list', 'table', 'inet', 'rtrcnt']).stdout)?.[1] ?? NaN);
    t.diagnostic(`router ping to ${VPN_DST}: exit ${own.code}; echo requests seen by the fibre ISP ${seen('fibre')}, by the cable ISP ${seen('cable')}`);
    assert.equal(own.code, 0, own.stdout + own.stderr);
    assert.deepEqual([seen('fibre'), seen('cable')], [0, 3], 'the router\'s pings took the rule\'s WAN');
  });

  await t.test('src_iface lan (netifd\'s, not an mwan interface): flows arriving on it take the rule; a src_iface netifd lacks is left out', async () => {
    const lan = extraFlows(sc, LAN_DST, sc.topo.servicePort, 4000, 60);
    const guest = extraFlows(sc, GUEST_DST, sc.topo.servicePort, 4000, 60);
    await sleep(4500);
    const l = flowShares(lan.events(), 0, s.now() - 800);
    const g = flowShares(guest.events(), 0, s.now() - 800);
    t.diagnostic(`${LAN_DST} (lan_dst): ${l.flows} flows ${JSON.stringify(l.shares)}; ${GUEST_DST} (guest_dst, no device): ${g.flows} flows ${JSON.stringify(g.shares)}`);
    assert.ok(l.flows >= 30 && g.flows >= 30, `${l.flows} and ${g.flows} flows answered`);
    assert.equal(l.shares.cable, 1, 'every flow from the LAN to LAN_DST through cable');
    const fit = shareFits(g, 'fibre', 0.6);
    assert.ok(fit.ok, `guest_dst left out: balanced as the default rule says: ${fit.why}`);
    assert.match(s.stack.nftTable(), /iifname "br-lan" ip daddr 203\.0\.113\.13 .*comment "lan_dst /, 'the rule matches netifd\'s lan device');
    assert.doesNotMatch(s.stack.nftTable(), /comment "guest_dst /);
  });

  await t.test('reload with a new weight: shares follow, trackers keep their pids, no loss', async () => {
    const before = await pids();
    const at = s.now();
    const changed = cfg.replace(/(config member 'fibre_m1_w3'\n(?:\t.*\n)*?\toption weight )'3'/, "$1'1'");
    assert.notEqual(changed, cfg);
    s.stack.writeConfig(changed);
    const r = await s.stack.reload();
    t.diagnostic(`reload: ${JSON.stringify(r)}`);
    assert.equal(r.result, 'ok');
    assert.deepEqual([r.trackers.replace, r.trackers.start, r.trackers.stop], [[], [], []]);
    assert.equal(await policy(sc, 'balanced'), 'fibre:33,cable:67');
    await sleep(5000);
    const sh = flowShares(sc.v4(), at + 300, s.now() - 800);
    t.diagnostic(`after the reload: ${sh.flows} flows ${JSON.stringify(sh.shares)}`);
    const fit = shareFits(sh, 'fibre', 1 / 3);
    assert.ok(fit.ok, fit.why);
    assert.deepEqual(await pids(), before, 'no process restarted');
    const l = loss(sc.all(), at - 500, s.now() - 1000);
    const h = lossOn(l, ['fibre', 'cable']);
    assert.ok(h.sent > 500 && h.ratio <= 0.01 && !(l.byWan['?'] > 0), `loss ${h.lost}/${h.sent}, ${JSON.stringify(l.byWan)}`);
    assert.match(s.stack.nftTable(), new RegExp(`set vpn \\{[^}]*elements = \\{ ${VPN_DST.replace(/\./g, '\\.')}`), 'the run-time set element survived the reload');
  });

  await t.test('reload with a config error: reported with file:line, nothing changes, traffic flows', async () => {
    const good = cfg.replace(/(config member 'fibre_m1_w3'\n(?:\t.*\n)*?\toption weight )'3'/, "$1'1'");
    const bad = good + `\nconfig member 'ghost_m1'\n\toption interface 'nosuch'\n\toption metric '1'\n`;
    const badLine = bad.split('\n').indexOf("\toption interface 'nosuch'") + 1;
    const before = { pids: await pids(), nft: stable(s.stack.nftTable()), rules: s.net.router.run(['ip', 'rule', 'show']).stdout };
    const at = s.now();
    s.stack.writeConfig(bad);
    const r = await s.stack.reload();
    t.diagnostic(`reload: ${JSON.stringify(r)}`);
    assert.equal(r.result, 'error');
    assert.ok(r.errors.some((e: string) => e.includes(`mwan:${badLine}:`) && /nosuch/.test(e)), `error names the file and line ${badLine}: ${r.errors}`);
    await sleep(4500);
    assert.deepEqual(await pids(), before.pids);
    assert.equal(stable(s.stack.nftTable()), before.nft, 'same ruleset');
    assert.equal(s.net.router.run(['ip', 'rule', 'show']).stdout, before.rules, 'same ip rules');
    assert.equal(await policy(sc, 'balanced'), 'fibre:33,cable:67');
    const l = loss(sc.all(), at - 500, s.now() - 1000);
    const h = lossOn(l, ['fibre', 'cable']);
    assert.ok(h.sent > 300 && h.ratio <= 0.01 && !(l.byWan['?'] > 0), `loss ${h.lost}/${h.sent}`);
    const sh = flowShares(sc.v4(), at, s.now() - 800);
    const fit = shareFits(sh, 'fibre', 1 / 3);
    t.diagnostic(`after the failed reload: ${fit.why}`);
    assert.ok(fit.ok, `still the last good config's shares: ${fit.why}`);
    s.stack.writeConfig(good);
    await eventually(async () => (await s.stack.reload()).result === 'noop', 3000);
  });

  await t.test('uci commit + reload_config: procd\'s config.change trigger reloads mwand through the init script', async () => {
    const before = await pids();
    s.stack.writeConfig(cfg); // fibre back to weight 3
    const at = s.now();
    await sc.call('service', 'event', { type: 'config.change', data: { package: 'mwan' } });
    const ev = await eventually(() => s.busEvents.find((e) => e.t >= at && e.type === 'mwan.reload'), 8000, 100);
    t.diagnostic(`mwan.reload ${JSON.stringify(ev!.data.result)} ${(ev!.t - at).toFixed(0)} ms after the config.change event`);
    assert.equal(ev!.data.result, 'ok');
    assert.equal(await policy(sc, 'balanced'), 'fibre:60,cable:40');
    assert.deepEqual(await pids(), before, 'no process restarted');
    const from = s.now();
    await sleep(4000);
    const sh = flowShares(sc.v4(), from, s.now() - 800);
    const fit = shareFits(sh, 'fibre', 0.6);
    assert.ok(fit.ok, `fibre back to ~60%: ${fit.why}`);
  });
});
