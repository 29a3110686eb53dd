import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markSpace, plan, renderNft, spread, PlanError, type PlanState, type BalanceMode } from '../src/index.js';
import { chain, config, httpingConfig, js, online, rule, state } from './fixtures.js';

test('marks, specials and capacity follow mwan3 (default and non-contiguous masks)', () => {
  const ms = markSpace(0x3f00);
  assert.deepEqual([ms.default, ms.blackhole, ms.unreachable, ms.maxInterfaces], [0x3f00, 0x3d00, 0x3e00, 60]);
  assert.equal(spread(1, 0x3f00), 0x100);
  assert.equal(spread(3, 0x3f00), 0x300);
  assert.equal(spread(3, 0x0500), 0x0500, 'bits spread into a non-contiguous mask');
  assert.equal(markSpace(0xff).maxInterfaces, 252);
});

test('more interfaces than the mask allows is an error, not a silent overlap', () => {
  const cfg = config({ globals: { mmxMask: 0x0700, logging: false, loglevel: 'notice', rtTableLookup: [] } });
  cfg.interfaces.push({ name: 'wanc', enabled: true, family: 'ipv4' }, { name: 'wand', enabled: true, family: 'ipv4' });
  assert.throws(() => plan(cfg, state()), (e: unknown) => e instanceof PlanError && e.code === 'PLAN_TOO_MANY_INTERFACES');
});

interface PolicyCase {
  name: string;
  st: PlanState;
  policy?: string;
  lastResort?: 'unreachable' | 'blackhole' | 'default';
  /** expected chain body (JSON fragments that must appear, in order) */
  want: string[];
  shares?: Array<[string, number]>;
}

const policyCases: PolicyCase[] = [
  { name: 'both online, same metric: 3:1 by weight', st: state(), want: ['"numgen":{"mode":"random","mod":4', '[{"range":[0,2]},{"goto":{"target":"mark_wan"}}]', '[3,{"goto":{"target":"mark_wanb"}}]'], shares: [['wan', 75], ['wanb', 25]] },
  { name: 'lower metric wins alone', policy: 'wan_wanb', st: state(), want: ['{"goto":{"target":"mark_wan"}}'], shares: [['wan', 100]] },
  { name: 'lower metric offline: next tier takes over', policy: 'wan_wanb', st: state({ wan: online('eth1', { status: 'offline' }) }), want: ['{"goto":{"target":"mark_wanb"}}'], shares: [['wanb', 100]] },
  { name: 'offline member bound traffic goes via main (output)', policy: 'wan_wanb', st: state({ wan: online('eth1', { status: 'offline' }) }), want: ['"oifname"', '"eth1"', 'set_default', 'mark_wanb'] },
  { name: 'connecting is not usable yet', policy: 'wan_wanb', st: state({ wan: online('eth1', { status: 'connecting' }) }), want: ['mark_wanb'], shares: [['wanb', 100]] },
  { name: 'disconnecting is still usable', policy: 'wan_wanb', st: state({ wan: online('eth1', { status: 'disconnecting' }) }), want: ['mark_wan'], shares: [['wan', 100]] },
  { name: 'tracking disabled counts as up', policy: 'wan_wanb', st: state({ wan: online('eth1', { status: 'disabled' }) }), want: ['mark_wan'], shares: [['wan', 100]] },
  { name: 'netifd down removes it even if the tracker said online', policy: 'wan_wanb', st: state({ wan: { up: false, status: 'online', device: 'eth1' } }), want: ['mark_wanb'] },
  { name: 'all down: last_resort unreachable', st: state({ wan: undefined, wanb: undefined }), want: ['{"goto":{"target":"set_unreachable"}}'], shares: [] },
  { name: 'all down: last_resort blackhole', lastResort: 'blackhole', st: state({ wan: undefined, wanb: undefined }), want: ['set_blackhole'] },
  { name: 'all down: last_resort default', lastResort: 'default', st: state({ wan: undefined, wanb: undefined }), want: ['set_default'] },
];

for (const c of policyCases) {
  test(`policy: ${c.name}`, () => {
    const cfg = config();
    if (c.lastResort) cfg.policies[0]!.lastResort = c.lastResort;
    const d = plan(cfg, c.st);
    const pname = c.policy ?? 'balanced';
    const body = js(chain(d, `policy_${pname}_v4`));
    let at = 0;
    for (const frag of c.want) {
      const i = body.indexOf(frag, at);
      assert.ok(i >= 0, `expected ${frag} after ${at} in ${body}`);
      at = i;
    }
    if (c.shares) {
      const choice = d.policies.find((p) => p.policy === pname && p.family === 'ipv4')!;
      assert.deepEqual(choice.members.map((m) => [m.interface, m.percent]), c.shares);
    }
  });
}

test('metric 256 is an ordinary metric (mwan3 never treated it as lowest)', () => {
  const cfg = config();
  cfg.members.find((m) => m.name === 'wanb_m2_w1')!.metric = 256;
  const d = plan(cfg, state({ wan: undefined }));
  assert.match(js(chain(d, 'policy_wan_wanb_v4')), /mark_wanb/);
});

test('families: IPv6 members only in the v6 chain, IPv4 only in v4', () => {
  const d = plan(config(), state());
  const v6 = js(chain(d, 'policy_balanced_v6'));
  assert.match(v6, /mark_wan6/);
  assert.match(v6, /mark_wanb6/);
  assert.doesNotMatch(v6, /"mark_wan"|"mark_wanb"/);
  const v4 = js(chain(d, 'policy_balanced_v4'));
  assert.doesNotMatch(v4, /mark_wan6|mark_wanb6/);
});

const modes: Array<[BalanceMode, RegExp, RegExp | null]> = [
  ['weighted', /"numgen":\{"mode":"random","mod":4/, null],
  ['round_robin', /"numgen":\{"mode":"inc","mod":4/, null],
  ['src_hash', /"jhash":\{"mod":4,"seed":0,"offset":0,"expr":\{"payload":\{"protocol":"ip","field":"saddr"\}\}/, /"protocol":"ip6","field":"saddr"/],
  ['random', /"numgen":\{"mode":"random","mod":2/, null],
];
for (const [mode, v4, v6] of modes) {
  test(`balance ${mode} has its nft form`, () => {
    const cfg = config();
    cfg.policies[0]!.balance = mode;
    const d = plan(cfg, state());
    assert.match(js(chain(d, 'policy_balanced_v4')), v4);
    if (v6) assert.match(js(chain(d, 'policy_balanced_v6')), v6);
  });
}

test('balance quality scales weights by loss and latency', () => {
  const cfg = config();
  cfg.policies[0]!.balance = 'quality';
  cfg.members.find((m) => m.name === 'wan_m1_w3')!.weight = 1;
  // wan: 20 ms, no loss; wanb: 40 ms and 50% loss -> 1 : 0.25
  const d = plan(cfg, state({ wan: online('eth1', { latencyMs: 20, lossPct: 0 }), wanb: online('eth2', { latencyMs: 40, lossPct: 50 }) }));
  const ch = d.policies.find((p) => p.policy === 'balanced' && p.family === 'ipv4')!;
  assert.deepEqual(ch.members.map((m) => [m.interface, m.weight, m.percent]), [['wan', 4, 80], ['wanb', 1, 20]]);
});

test('balance quality: sub-10 ms latency differences are noise, not quality', () => {
  const cfg = config();
  cfg.policies[0]!.balance = 'quality';
  cfg.members.find((m) => m.name === 'wan_m1_w3')!.weight = 1;
  // 0.03 ms vs 0.5 ms on veth links: equal links, equal shares
  const d = plan(cfg, state({ wan: online('eth1', { latencyMs: 0.03, lossPct: 0 }), wanb: online('eth2', { latencyMs: 0.5, lossPct: 0 }) }));
  const ch = d.policies.find((p) => p.policy === 'balanced' && p.family === 'ipv4')!;
  assert.deepEqual(ch.members.map((m) => [m.interface, m.percent]), [['wan', 50], ['wanb', 50]]);
});

test('rules: matches for addresses, ports, proto, src_iface, ipset, in order, first match wins (goto)', () => {
  const cfg = config({
    rules: [
      rule('r_ports', { proto: 'tcp', destPort: ['443', '8000-8080'], srcPort: ['1024-65535'] }),
      rule('r_addr', { family: 'ipv4', srcIp: ['192.168.1.7/24'], destIp: ['198.51.100.0/24,203.0.113.5'], policy: 'wan_wanb' }),
      rule('r_v6', { srcIp: ['2001:db8:1::/48'] }),
      rule('r_if', { srcIface: 'wanb', policy: 'default' }),
      rule('r_set', { ipset: 'vpn', policy: 'blackhole' }),
      rule('r_udp', { proto: 'udp', policy: 'unreachable' }),
    ],
  });
  const d = plan(cfg, state());
  const v4 = chain(d, 'rules_v4');
  assert.deepEqual(v4.map((r) => r.label), ['r_ports', 'r_addr', 'r_if', 'r_set', 'r_udp']);
  const s = v4.map((r) => js(r.expr));
  assert.match(s[0]!, /"l4proto".*"tcp".*"protocol":"tcp","field":"sport".*"range":\[1024,65535\].*"field":"dport".*\{"set":\[443,\{"range":\[8000,8080\]\}\]\}.*"goto":\{"target":"policy_balanced_v4"\}/);
  assert.match(s[1]!, /"field":"saddr"\}\},"right":\{"prefix":\{"addr":"192.168.1.0","len":24\}\}/, 'host bits cleared');
  assert.match(s[1]!, /"set":\[\{"prefix":\{"addr":"198.51.100.0","len":24\}\},"203.0.113.5"\]/);
  assert.match(s[2]!, /"iifname"\}\},"right":"eth2".*set_default/);
  assert.match(s[3]!, /"right":"@vpn".*set_blackhole/);
  assert.match(s[4]!, /set_unreachable/);
  const v6 = chain(d, 'rules_v6').map((r) => r.label);
  assert.deepEqual(v6, ['r_ports', 'r_v6', 'r_if', 'r_set', 'r_udp'], 'r_addr is ipv4-only');
  assert.match(js(chain(d, 'rules_v6')[3]), /"@vpn_v6"/);
  assert.ok(d.nft.sets.some((x) => x.name === 'vpn' && x.type === 'ipv4_addr' && !x.elements), 'ipset set declared, contents live');
  assert.ok(d.nft.sets.some((x) => x.name === 'vpn_v6' && x.type === 'ipv6_addr'));
});

test('rules: warnings as mwan3 gives them (ports without tcp/udp, other family, src_iface without device)', () => {
  const cfg = config({
    rules: [
      rule('p_icmp', { proto: 'icmp', destPort: ['80'] }),
      rule('v6only', { family: 'ipv4', destIp: ['2001:db8::1'] }),
      rule('ifdown', { srcIface: 'wanb' }),
    ],
  });
  const d = plan(cfg, state({ wanb: undefined }));
  assert.ok(d.warnings.some((w) => /p_icmp: dest_port set but proto is icmp/.test(w)));
  assert.ok(d.warnings.some((w) => /v6only: dest_ip has no ipv4 address/.test(w)));
  assert.ok(d.warnings.some((w) => /ifdown: src_iface wanb has no device/.test(w)));
  assert.deepEqual(chain(d, 'rules_v4').map((r) => r.label), ['p_icmp']);
  assert.match(js(chain(d, 'rules_v6')[0]), /"ipv6-icmp"/, 'icmp means icmpv6 in the v6 chain');
});

test('rules: src_iface naming a netifd interface outside the mwan config (lan) matches its device while netifd has it up', () => {
  const cfg = config({ rules: [rule('from_lan', { srcIface: 'lan', policy: 'wan_wanb' }), rule('from_guest', { srcIface: 'guest' })] });
  const up = plan(cfg, { ...state(), devices: { lan: 'br-lan' } });
  assert.deepEqual(chain(up, 'rules_v4').map((r) => r.label), ['from_lan'], 'guest has no device: left out');
  assert.match(js(chain(up, 'rules_v4')[0]), /"iifname"\}\},"right":"br-lan".*"goto":\{"target":"policy_wan_wanb_v4"\}/);
  assert.match(js(chain(up, 'rules_v6')[0]), /"right":"br-lan"/, 'both families');
  assert.ok(up.warnings.some((w) => /from_guest: src_iface guest has no device; rule skipped/.test(w)));
  // lan down (no entry): the rule is left out, with mwan3's warning
  const down = plan(cfg, state());
  assert.deepEqual(chain(down, 'rules_v4').map((r) => r.label), []);
  assert.ok(down.warnings.some((w) => /from_lan: src_iface lan has no device; rule skipped/.test(w)));
  // an mwan interface's name is looked up among the WANs only: a stray devices entry does not revive a down WAN
  const wanDown = plan(config({ rules: [rule('via_wanb', { srcIface: 'wanb' })] }), { ...state({ wanb: undefined }), devices: { wanb: 'eth9' } });
  assert.deepEqual(chain(wanDown, 'rules_v4').map((r) => r.label), []);
  // an mwan interface with enabled '0' is still a netifd interface: its device comes in devices, as lan's
  const disabledCfg = config({ rules: [rule('via_wanb', { srcIface: 'wanb' })] });
  disabledCfg.interfaces = disabledCfg.interfaces.map((i) => (i.name === 'wanb' ? { ...i, enabled: false } : i));
  const disabled = plan(disabledCfg, { ...state({ wanb: undefined }), devices: { wanb: 'eth2' } });
  assert.match(js(chain(disabled, 'rules_v4')[0]), /"iifname"\}\},"right":"eth2"/);
  // devices come from netifd: checked before they can reach nft
  assert.throws(() => plan(cfg, { ...state(), devices: { lan: 'br lan;' } }),
    (e: unknown) => e instanceof PlanError && e.code === 'PLAN_BAD_VALUE' && e.field === 'lan.device');
});

test('rules: invalid values are errors naming the field, never passed to nft', () => {
  for (const bad of [rule('x', { srcIp: ['10.0.0.1; drop'] }), rule('x', { proto: 'tcp', destPort: ['70000'] }), rule('x', { proto: 'tc p' })]) {
    assert.throws(() => plan(config({ rules: [bad] }), state()), (e: unknown) => e instanceof PlanError && e.code === 'PLAN_BAD_VALUE' && /^rule x/.test(e.message));
  }
});

test('logging only when both the rule and globals say so', () => {
  const on = config({ rules: [rule('lg', { logging: true })] });
  assert.doesNotMatch(js(plan(on, state()).nft), /"log"/);
  on.globals.logging = true;
  on.globals.loglevel = 'info';
  assert.match(js(chain(plan(on, state()), 'rules_v4')), /"log":\{"prefix":"MWAN\(lg\) ","level":"info"\}/);
});

test('sticky: per-WAN dynamic sets with the timeout; a WAN leaving the policy gets its set emptied', () => {
  const cfg = config({ rules: [rule('https', { proto: 'tcp', destPort: ['443'], sticky: true, timeout: 300 })] });
  const d = plan(cfg, state());
  const sets = d.nft.sets.filter((s) => s.name.startsWith('sticky_https_'));
  assert.deepEqual(sets.map((s) => [s.name, s.timeout, s.elements]), [
    ['sticky_https_wan_v4', 300, undefined], ['sticky_https_wanb_v4', 300, undefined],
    ['sticky_https_wan6_v6', 300, undefined], ['sticky_https_wanb6_v6', 300, undefined],
  ]);
  const body = js(chain(d, 'sticky_https_v4'));
  assert.match(body, /@sticky_https_wan_v4.*"update".*mark_wan".*@sticky_https_wanb_v4.*"jump":\{"target":"policy_balanced_v4"\}/);
  const down = plan(cfg, state({ wanb: online('eth2', { status: 'offline' }) }));
  assert.deepEqual(down.nft.sets.find((s) => s.name === 'sticky_https_wanb_v4')!.elements, []);
  assert.doesNotMatch(js(chain(down, 'sticky_https_v4')), /mark_wanb"/, 'sticky chain follows the current members (mwan3 bug fixed)');
});

test('ip rules: mwan3 prefs and tables, both families, removed when the interface has no device', () => {
  const d = plan(config(), state());
  const v4 = d.ipRules.filter((r) => r.family === 'ipv4').map((r) => [r.pref, r.iif ?? (r.fwmark ? r.fwmark.mark.toString(16) : ''), r.action, r.table ?? '']);
  assert.deepEqual(v4, [
    [1001, 'eth1', 'lookup', 1], [1003, 'eth2', 'lookup', 3], [2001, '100', 'lookup', 1], [2003, '300', 'lookup', 3],
    [2061, '3d00', 'blackhole', ''], [2062, '3e00', 'unreachable', ''], [3001, '100', 'unreachable', ''], [3003, '300', 'unreachable', ''],
  ]);
  const v6 = d.ipRules.filter((r) => r.family === 'ipv6').map((r) => r.pref);
  assert.deepEqual(v6, [1002, 1004, 2002, 2004, 2061, 2062, 3002, 3004]);
  const down = plan(config(), state({ wan6: undefined }));
  assert.deepEqual(down.ipRules.filter((r) => r.family === 'ipv6').map((r) => r.pref), [1004, 2004, 2061, 2062, 3004], 'IPv6 rules go on ifdown too');
  assert.deepEqual(d.routes.find((r) => r.table === 1), { family: 'ipv4', table: 1, dst: 'default', dev: 'eth1', via: '192.0.2.1' });
});

test('pure: same input, same output; input untouched', () => {
  const cfg = config({ rules: [rule('s', { sticky: true })] });
  const st = state();
  const snapshot = structuredClone({ cfg, st });
  assert.deepEqual(plan(cfg, st), plan(cfg, st));
  assert.deepEqual({ cfg, st }, snapshot);
});

test('classification order: ND bypass, restore, inbound, connected, user rules, per-packet connected', () => {
  const d = plan(config(), state());
  const body = chain(d, 'classify').map((r) => js(r.expr));
  const find = (re: RegExp) => body.findIndex((s) => re.test(s));
  const order = [/nd-neighbor-solicit/, /"ct":\{"key":"mark"\}.*restore_wan/, /"iifname".*in_wan/, /@connected_v4.*set_default/, /224\.0\.0\.0/, /rules_v4/, /!=.*@connected_v4.*pkt_default/];
  const idx = order.map(find);
  assert.ok(idx.every((i) => i >= 0), js(idx));
  assert.deepEqual([...idx].sort((a, b) => a - b), idx);
});

test('state values from netifd/trackers are checked before they can reach nft or ip (PLAN_BAD_VALUE naming WAN and field)', () => {
  const cases: Array<[string, PlanState['wans'][string], RegExp]> = [
    ['wan', online('eth1; rm -rf /'), /^wan 'wan': device "eth1; rm -rf \/" is not a valid interface name$/],
    ['wan', online('eth1', { gateway: '1.2.3.4 dev x' }), /^wan 'wan': gateway "1\.2\.3\.4 dev x" is not an IPv4 address$/],
    ['wan', online('eth1', { gateway: '2001:db8::1' }), /^wan 'wan': gateway "2001:db8::1" is not an IPv4 address$/],
    ['wan6', online('eth1', { gateway: '192.0.2.1' }), /^wan 'wan6': gateway "192\.0\.2\.1" is not an IPv6 address$/],
    ['wan6', online('eth1', { gateway: 'fe80::1%a b' }), /gateway/],
    ['wan', online('abcdefghijklmnop'), /device "abcdefghijklmnop"/],
    ['wan', online('..'), /device "\.\."/],
    ['wan', online('a/b'), /device "a\/b"/],
    ['wan', online('eth"1'), /device/],
    ['wan', online('eth#1'), /device/],
    ['wan', online('eth1', { addresses: ['192.0.2.2/33'] }), /^wan 'wan': addresses "192\.0\.2\.2\/33"/],
    ['wan', online('eth1', { addresses: ['2001:db8::2/64'] }), /addresses/],
    ['wan', online('eth1', { lossPct: Number.NaN }), /^wan 'wan': lossPct null is not a number from 0 to 100$/],
    ['wan', online('eth1', { lossPct: 101 }), /lossPct 101/],
    ['wan', online('eth1', { latencyMs: -1 }), /latencyMs -1/],
    ['wan', online('eth1', { latencyMs: Number.POSITIVE_INFINITY }), /latencyMs/],
    ['wanb', { up: false, status: 'online', device: 'x y' }, /^wan 'wanb': device "x y"/],
  ];
  for (const [wan, st, msg] of cases) {
    assert.throws(() => plan(config(), state({ [wan]: st })), (e: unknown) => e instanceof PlanError && e.code === 'PLAN_BAD_VALUE'
      && msg.test(e.message) && e.field?.startsWith(`${wan}.`) === true, `${wan} ${JSON.stringify(st)}`);
  }
  // real OpenWrt names and gateways pass, a device starting with a digit is quoted in nft text
  const ok = plan(config(), state({
    wan: online('6in4-henet', { gateway: '192.0.2.1', addresses: ['192.0.2.2/24', '192.0.2.3'], lossPct: 0, latencyMs: 0 }),
    wanb: online('eth0.2'), wan6: online('pppoe-wan', { gateway: 'fe80::1%pppoe-wan' }), wanb6: online('br-lan_1'),
  }));
  assert.equal(ok.routes.find((r) => r.table === 1)?.dev, '6in4-henet');
  assert.match(renderNft(ok.nft), /"6in4-henet" : jump in_wan/);
  assert.match(renderNft(ok.nft), /eth0\.2 : jump in_wanb/);
});

interface SrcCase { name: string; st: PlanState; cfgOver?: Parameters<typeof config>[0]; v4: Array<[string, string]>; v6: Array<[string, string]>; warn?: RegExp }
const srcCases: SrcCase[] = [
  { name: 'each WAN\'s own addresses (prefix length dropped) map to its mark chain, per family',
    st: state({ wan: online('eth1', { addresses: ['192.0.2.10/24'] }), wanb: online('eth2', { addresses: ['198.51.100.7/24', '198.51.100.8'] }), wanb6: online('eth2', { addresses: ['2001:DB8:0:0::7/64', 'fe80::7/64'] }) }),
    v4: [['192.0.2.10', 'mark_wan'], ['198.51.100.7', 'mark_wanb'], ['198.51.100.8', 'mark_wanb']], v6: [['2001:db8::7', 'mark_wanb6']] },
  { name: 'a WAN offline by tracking keeps its entry (probes must still leave through it)',
    st: state({ wanb: online('eth2', { status: 'offline', addresses: ['198.51.100.7/24'] }) }), v4: [['198.51.100.7', 'mark_wanb']], v6: [] },
  { name: 'netifd down (no device) or disabled: no entry',
    st: state({ wan: { up: false, status: 'online', device: 'eth1', addresses: ['192.0.2.10/24'] }, wanb: online('eth2', { addresses: ['198.51.100.7/24'] }) }),
    cfgOver: { interfaces: [{ name: 'wan', enabled: true, family: 'ipv4' }, { name: 'wan6', enabled: true, family: 'ipv6' }, { name: 'wanb', enabled: false, family: 'ipv4' }, { name: 'wanb6', enabled: true, family: 'ipv6' }] },
    v4: [], v6: [] },
  { name: 'one address on two WANs: the first keeps it, with a warning',
    st: state({ wan: online('eth1', { addresses: ['192.0.2.10/24'] }), wanb: online('eth2', { addresses: ['192.0.2.10/24'] }) }),
    v4: [['192.0.2.10', 'mark_wan']], v6: [], warn: /192\.0\.2\.10 is on both wan and wanb/ },
];
for (const c of srcCases) {
  test(`source address of a WAN: ${c.name}`, () => {
    const d = plan(httpingConfig(c.cfgOver ?? {}), c.st);
    const map = (n: string) => d.nft.maps!.find((m) => m.name === n)!;
    assert.deepEqual(map('src_wan_v4'), { name: 'src_wan_v4', type: 'ipv4_addr', elements: c.v4 });
    assert.deepEqual(map('src_wan_v6'), { name: 'src_wan_v6', type: 'ipv6_addr', elements: c.v6 });
    if (c.warn) assert.ok(d.warnings.some((w) => c.warn!.test(w)), d.warnings.join('; '));
  });
}

test('source address: only interfaces with source-bound probes (httping) get entries; without any, router traffic goes through the user rules', () => {
  const st = state({ wan: online('eth1', { addresses: ['192.0.2.10/24'] }), wanb: online('eth2', { addresses: ['198.51.100.7/24'] }) });
  const none = plan(config(), st);
  assert.deepEqual(none.nft.maps!.map((m) => [m.name, m.elements]), [['src_wan_v4', []], ['src_wan_v6', []]]);
  assert.ok(!chain(none, 'classify').some((x) => js(x.expr).includes('@src_wan_v4')), 'no pinning rule: ping trackers mark their probes');
  const cfg = config();
  cfg.interfaces = cfg.interfaces.map((i) => (i.name === 'wanb' ? { ...i, sourceBoundProbes: { targets: ['203.0.113.1', '198.51.100.1'], port: 443 } } : i));
  const one = plan(cfg, st);
  assert.deepEqual(one.nft.maps!.find((m) => m.name === 'src_wan_v4')!.elements, [['198.51.100.7', 'mark_wanb']], 'wan (ping) is not pinned');
  assert.match(renderNft(one.nft), /meta l4proto tcp tcp dport 443 ip daddr \{ 198\.51\.100\.1, 203\.0\.113\.1 \} ip saddr vmap @src_wan_v4/);
  assert.ok(!chain(one, 'classify').some((x) => js(x.expr).includes('@src_wan_v6')), 'no IPv6 interface probes source-bound');
  // targets are checked: they reach nft
  cfg.interfaces = cfg.interfaces.map((i) => (i.name === 'wanb' ? { ...i, sourceBoundProbes: { targets: ['198.51.100.1 } drop'], port: 80 } } : i));
  assert.throws(() => plan(cfg, st), (e: unknown) => e instanceof PlanError && e.code === 'PLAN_BAD_VALUE' && e.field === 'wanb.track_ip');
});

test('source-address classification: unmarked only (bypass-marked probes untouched), after restore and connected, before user rules', () => {
  const d = plan(httpingConfig(), state({ wanb: online('eth2', { addresses: ['198.51.100.7/24'] }) }));
  const rules = chain(d, 'classify').map((x) => js(x.expr));
  const at = (f: (s: string) => boolean) => rules.findIndex(f);
  const src4 = at((s) => s.includes('"data":"@src_wan_v4"'));
  const src6 = at((s) => s.includes('"data":"@src_wan_v6"'));
  assert.ok(src4 > 0 && src6 > 0, 'a vmap lookup of the source in each family');
  for (const i of [src4, src6]) {
    assert.ok(rules[i]!.startsWith('[{"match":{"op":"==","left":{"&":[{"meta":{"key":"mark"}},16128]},"right":0}}'), `guarded by meta mark & mask == 0: ${rules[i]}`);
  }
  assert.ok(rules[src4]!.includes('"protocol":"ip","field":"saddr"') && rules[src6]!.includes('"protocol":"ip6","field":"saddr"'));
  assert.ok(rules[src4]!.includes('"protocol":"tcp","field":"dport"') && rules[src4]!.includes('"right":80') && rules[src4]!.includes('"right":"198.51.100.1"'),
    `only the probes' traffic (TCP to the targets' port): ${rules[src4]}`);
  assert.ok(at((s) => s.includes('"target":"restore_wan"')) < src4, 'known connections are restored first');
  assert.ok(at((s) => s.includes('connected_v4')) < src4, 'connected destinations go via main first');
  assert.ok(src6 < at((s) => s.includes('"target":"rules_v4"')), 'before user rules (balancing)');
  assert.match(renderNft(d.nft), /map src_wan_v4 \{\n\t\ttype ipv4_addr : verdict\n\t\telements = \{ 198\.51\.100\.7 : goto mark_wanb \}/);
});
