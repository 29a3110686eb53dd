/**
 * explain follows the dataplane for source-address pinning (src_wan maps), src_iface rules,
 * ipset rules and sticky entries. The own-address maps come from the real planner (mwan-dataplane plan() through
 * mwand's adapters), so the rules for offline/disabled/down WANs are the planner's, not a copy.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createApplier, createRecordingBackend, names, plan as planDesired } from 'mwan-dataplane';
import { parseListOutput, type Ruleset } from 'nft-json';
import { Status, UbusStatusError } from 'ubus-ts';
import { createDataplanePort, toPlanConfig, toPlanState } from '../src/adapters/dataplane.js';
import { explainSetsOf, ipsetMembersOf, sourceWansOf, stickyEntriesOf } from '../src/adapters/explain-data.js';
import { Controller } from '../src/controller.js';
import { realClock } from '../src/core/clock.js';
import {
  explain, stickySetsWanted, type ExplainResult, type FlowQuery, type IpsetMembers, type SourceWans, type StickyElement, type StickyEntries,
} from '../src/core/explain.js';
import { emptyState, type ControllerState, type CoreConfig, type NetifdView } from '../src/core/model.js';
import { MwandErrorCode } from '../src/errors.js';
import { publishMwan } from '../src/ubus-api.js';
import { FakeNetifd, FakeRtmon, FakeTrackers, RecordingEvents, RecordingHooks } from './fakes.js';
import { privateBus } from './private-bus.js';
import { iface, rule, up } from './fixtures.js';

/** httping trackers: their probes (TCP 80 to the targets, from the WAN's address) are pinned by source */
const HTTPING = { trackMethod: 'httping', interval: 5, up: 3, down: 3 };

/** wan (eth1) and wanb (eth2) IPv4, wan6 (eth3) IPv6, httping trackers; failover and balanced policies. */
function config(over: Partial<CoreConfig> = {}): CoreConfig {
  return {
    globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [], sourceRouting: false },
    interfaces: [
      iface('wan', 1, { trackIps: ['203.0.113.7'], trackSettings: HTTPING }),
      iface('wanb', 2, { trackIps: ['203.0.113.7'], trackSettings: HTTPING }),
      iface('wan6', 3, { family: 'ipv6', trackIps: ['2001:db8:5::1'], trackSettings: HTTPING }),
    ],
    members: [
      { name: 'wan_m1', interface: 'wan', metric: 1, weight: 1 },
      { name: 'wanb_m1', interface: 'wanb', metric: 1, weight: 1 },
      { name: 'wanb_m2', interface: 'wanb', metric: 2, weight: 1 },
      { name: 'wan6_m1', interface: 'wan6', metric: 1, weight: 1 },
    ],
    policies: [
      { name: 'wan_wanb', members: ['wan_m1', 'wanb_m2'], lastResort: 'unreachable' },
      { name: 'wanb_only', members: ['wanb_m1'], lastResort: 'unreachable' },
      { name: 'balanced', members: ['wan_m1', 'wanb_m1', 'wan6_m1'], lastResort: 'unreachable' },
    ],
    rules: [rule('https', 'balanced', { proto: 'tcp', destPort: ['443'] }), rule('default_rule', 'wan_wanb')],
    ...over,
  };
}

const net = (device: string, ipv4: string[], ipv6: string[] = []): NetifdView => ({ ...up(device), ipv4, ipv6 });

function state(over: Partial<ControllerState> = {}, cfg: CoreConfig = config()): ControllerState {
  return {
    ...emptyState(cfg),
    netifd: {
      wan: net('eth1', ['192.0.2.10/24']),
      wanb: net('eth2', ['198.51.100.7/24', '198.51.100.8']),
      wan6: net('eth3', [], ['2001:DB8:0:0::7/64', 'fe80::7/64']),
    },
    rtmon: { connected: { ipv4: ['192.0.2.0/24', '198.51.100.0/24', '192.168.1.0/24'], ipv6: ['2001:db8::/64'] } },
    ...over,
  };
}

/** The own-address maps the real planner writes for this state (what mwand passes to explain). */
function planned(st: ControllerState): SourceWans {
  return sourceWansOf(planDesired(toPlanConfig(st.config), toPlanState(st)));
}

function brief(r: ExplainResult): string {
  return [r.decision, r.rule ?? '-', r.action, r.interfaces.map((i) => `${i.interface}${i.device ? `(${i.device})` : ''} ${i.percent}`).join(',')].join(' ');
}

interface Case { name: string; st: ControllerState; q: FlowQuery; want: string; reason?: RegExp; noPlan?: boolean; ipsets?: IpsetMembers }

const sourceCases: Case[] = [
  { name: 'own address (prefix length dropped): that WAN, before the rule that would balance it',
    st: state(), q: { src: '192.0.2.10', dst: '203.0.113.7', proto: 'tcp', port: 80 }, want: 'source - interface wan(eth1) 100',
    reason: /^source 192\.0\.2\.10 is an address of WAN wan and the flow is what its tracker's source-bound probes send \(TCP 80 to 203\.0\.113\.7\): it leaves through wan, before user rules and policies$/ },
  { name: 'the router\'s other traffic from a WAN\'s own address goes through the rules, as with mwan3',
    st: state(), q: { src: '192.0.2.10', dst: '203.0.113.7', proto: 'tcp', port: 443 }, want: 'rule https balance wan(eth1) 50,wanb(eth2) 50',
    reason: /only its tracker's source-bound probes are pinned to it \(TCP 80 to its targets\): the rules decide/ },
  { name: 'traffic from a WAN\'s address to another destination than its targets: the rules',
    st: state(), q: { src: '192.0.2.10', dst: '203.0.113.99', proto: 'tcp', port: 80 }, want: 'rule default_rule interface wan(eth1) 100' },
  { name: 'a WAN whose tracker pings (marked, device-bound probes): nothing is pinned',
    st: state({}, config({ interfaces: [iface('wan', 1, { trackIps: ['203.0.113.7'] }), iface('wanb', 2, { trackIps: ['203.0.113.7'], trackSettings: HTTPING }), iface('wan6', 3, { family: 'ipv6', trackIps: [] })] })),
    q: { src: '192.0.2.10', dst: '203.0.113.7', proto: 'tcp', port: 80 }, want: 'rule default_rule interface wan(eth1) 100', reason: /not an address of a WAN with source-bound probes/ },
  { name: 'second address of another WAN', st: state(), q: { src: '198.51.100.8', dst: '203.0.113.7', proto: 'tcp', port: 80 }, want: 'source - interface wanb(eth2) 100' },
  { name: 'IPv6 own address written in another form', st: state(), q: { src: '2001:db8::0:7', dst: '2001:db8:5::1', proto: 'tcp', port: 80 }, want: 'source - interface wan6(eth3) 100' },
  { name: 'IPv6 link-local is left out (as the planner does): the rules decide',
    st: state(), q: { src: 'fe80::7', dst: '2001:db8:5::1', proto: 'tcp', port: 443 }, want: 'rule https interface wan6(eth3) 100' },
  { name: 'a WAN offline by tracking keeps its entry (probes still leave through it)',
    st: state({ track: { wanb: { state: 'offline' } } }), q: { src: '198.51.100.7', dst: '203.0.113.7', proto: 'tcp', port: 80 }, want: 'source - interface wanb(eth2) 100',
    reason: /not usable in policies: the entry stays while netifd has it up/ },
  { name: 'netifd down: no entry, the rules decide',
    st: state({ netifd: { ...state().netifd, wanb: { ...net('eth2', ['198.51.100.7/24']), up: false } } }), q: { src: '198.51.100.7', dst: '203.0.113.7', proto: 'tcp', port: 80 },
    want: 'rule default_rule interface wan(eth1) 100', reason: /^source 198\.51\.100\.7 is not an address of a WAN with source-bound probes$/ },
  { name: 'disabled WAN: no entry',
    st: state({}, config({ interfaces: [iface('wan', 1), iface('wanb', 2, { enabled: false }), iface('wan6', 3, { family: 'ipv6', trackIps: [] })] })),
    q: { src: '198.51.100.7', dst: '203.0.113.7', proto: 'tcp', port: 80 }, want: 'rule default_rule interface wan(eth1) 100' },
  { name: 'administratively down (mwan ifdown): no entry', st: state({ adminDown: ['wanb'] }), q: { src: '198.51.100.7', dst: '203.0.113.7', proto: 'tcp', port: 80 },
    want: 'rule default_rule interface wan(eth1) 100' },
  { name: 'one address on two WANs: the first in config order keeps it',
    st: state({ netifd: { ...state().netifd, wanb: net('eth2', ['192.0.2.10/24']) } }), q: { src: '192.0.2.10', dst: '203.0.113.7', proto: 'tcp', port: 80 }, want: 'source - interface wan(eth1) 100' },
  { name: 'a connected destination still goes via main first', st: state(), q: { src: '192.0.2.10', dst: '192.168.1.5', proto: 'tcp', port: 80 }, want: 'connected - default ' },
  { name: 'without the plan\'s maps: pinning reported as not evaluated, the rules decide', noPlan: true,
    st: state(), q: { src: '192.0.2.10', dst: '203.0.113.7', proto: 'tcp', port: 80 }, want: 'rule default_rule interface wan(eth1) 100', reason: /source-address pinning not evaluated/ },
];

for (const c of sourceCases) {
  test(`explain, source address of a WAN: ${c.name}`, () => {
    const r = explain(c.st, c.q, c.noPlan ? {} : { sourceWans: planned(c.st) });
    assert.equal(brief(r), c.want);
    if (c.reason) assert.ok(r.reasons.some((x) => c.reason!.test(x)), r.reasons.join(' | '));
  });
}

test('the adapter reads the plan\'s src_wan maps as address -> WAN, and the probe traffic they pin', () => {
  assert.deepEqual(planned(state()), {
    wans: { ipv4: { '192.0.2.10': 'wan', '198.51.100.7': 'wanb', '198.51.100.8': 'wanb' }, ipv6: { '2001:db8::7': 'wan6' } },
    scope: { ipv4: { targets: ['203.0.113.7'], ports: [80] }, ipv6: { targets: ['2001:db8:5::1'], ports: [80] } },
  });
});

/** src_iface rules: guests is an IPv4 rule for flows arriving on wan6's device (eth3, IPv6-only WAN). */
function ifaceConfig(): CoreConfig {
  return config({
    rules: [
      rule('from_lan', 'wanb_only', { srcIface: 'lan' }),
      rule('guests', 'wanb_only', { family: 'ipv4', srcIface: 'wan6' }),
      rule('default_rule', 'wan_wanb'),
    ],
  });
}

const ifaceCases: Case[] = [
  { name: 'the flow arrives on the rule\'s interface: the rule matches', st: state({}, ifaceConfig()),
    q: { src: '10.8.0.2', dst: '203.0.113.7', srcIface: 'wan6' }, want: 'rule guests interface wanb(eth2) 100' },
  { name: 'inbound interface not given: passed over, not evaluated (as before)', st: state({}, ifaceConfig()),
    q: { src: '10.8.0.2', dst: '203.0.113.7' }, want: 'rule default_rule interface wan(eth1) 100' },
  { name: 'arrives on another interface: no match', st: state({}, ifaceConfig()),
    q: { src: '10.8.0.2', dst: '203.0.113.7', srcIface: 'lan' }, want: 'rule default_rule interface wan(eth1) 100' },
  { name: 'src_iface of an interface with no device (down): the dataplane leaves the rule out',
    st: state({ netifd: { ...state().netifd, wan6: { ...net('eth3', []), up: false } } }, ifaceConfig()),
    q: { src: '10.8.0.2', dst: '203.0.113.7', srcIface: 'wan6' }, want: 'rule default_rule interface wan(eth1) 100' },
  { name: 'arrives on a WAN device of the flow\'s family: marked for that WAN, before connected and rules (in_<wan>)', st: state({}, ifaceConfig()),
    q: { src: '203.0.113.50', dst: '192.168.1.5', srcIface: 'wanb' }, want: 'inbound - interface wanb(eth2) 100', reason: /arrives on eth2, the device of WAN wanb/ },
  { name: 'arrives on a WAN device from a connected source: main table', st: state({}, ifaceConfig()),
    q: { src: '198.51.100.99', dst: '203.0.113.7', srcIface: 'wanb' }, want: 'inbound - default ', reason: /source 198\.51\.100\.99 is in the connected network 198\.51\.100\.0\/24/ },
  { name: 'IPv6 flow on the IPv6 WAN\'s device', st: state({}, ifaceConfig()),
    q: { src: '2001:db8:9::1', dst: '2001:db8:5::1', srcIface: 'wan6' }, want: 'inbound - interface wan6(eth3) 100' },
  { name: 'src_iface lan (not an mwan interface) while netifd has it up: the rule matches flows arriving on lan',
    st: state({ netifd: { ...state().netifd, lan: net('br-lan', ['192.168.1.1/24']) } }, ifaceConfig()),
    q: { src: '192.168.1.7', dst: '203.0.113.7', srcIface: 'lan' }, want: 'rule from_lan interface wanb(eth2) 100' },
  { name: 'src_iface lan up: a flow from another interface does not match it',
    st: state({ netifd: { ...state().netifd, lan: net('br-lan', ['192.168.1.1/24']) } }, ifaceConfig()),
    q: { src: '10.8.0.2', dst: '203.0.113.7', srcIface: 'wan6' }, want: 'rule guests interface wanb(eth2) 100' },
  { name: 'src_iface lan while netifd has it down: the dataplane leaves the rule out',
    st: state({ netifd: { ...state().netifd, lan: { ...net('br-lan', []), up: false } } }, ifaceConfig()),
    q: { src: '192.168.1.7', dst: '203.0.113.7', srcIface: 'lan' }, want: 'rule default_rule interface wan(eth1) 100' },
];

for (const c of ifaceCases) {
  test(`explain, src_iface: ${c.name}`, () => {
    const r = explain(c.st, c.q, { sourceWans: planned(c.st) });
    assert.equal(brief(r), c.want);
    if (c.reason) assert.ok(r.reasons.some((x) => c.reason!.test(x)), r.reasons.join(' | '));
    assert.equal(r.src_iface, c.q.srcIface);
  });
}

test('explain, src_iface: the reasons of passed-over rules say whether they were evaluated', () => {
  const st = state({}, ifaceConfig());
  const skipped = (q: FlowQuery) => explain(st, q, { sourceWans: planned(st) }).skipped;
  assert.deepEqual(skipped({ src: '10.8.0.2', dst: '203.0.113.7' }), [
    { rule: 'from_lan', reason: 'src_iface lan has no device (netifd has it down or does not know it): the dataplane leaves the rule out' },
    { rule: 'guests', reason: 'inbound interface wan6 (the flow\'s inbound interface was not given)', evaluated: false },
  ]);
  assert.deepEqual(skipped({ src: '10.8.0.2', dst: '203.0.113.7', srcIface: 'lan' }).map((s) => [s.rule, s.reason, s.evaluated]), [
    ['from_lan', 'src_iface lan has no device (netifd has it down or does not know it): the dataplane leaves the rule out', undefined],
    ['guests', 'inbound interface wan6 (device eth3), the flow arrives on lan', undefined],
  ]);
});

test('explain rejects a src_iface that is not a netifd interface name, naming the field', () => {
  for (const srcIface of ['', 'eth0; rm -rf /', 'lan-1', 'a'.repeat(65), 'wan 2']) {
    assert.throws(() => explain(state(), { src: '10.0.0.1', dst: '203.0.113.7', srcIface }),
      (e: { code: string; field: string; message: string }) => e.code === MwandErrorCode.BAD_ARGUMENT && e.field === 'src_iface' && /src_iface .* is not a netifd interface name/.test(e.message), srcIface);
  }
});

function setConfig(): CoreConfig {
  return config({
    rules: [
      rule('vpn_web', 'wanb_only', { proto: 'tcp', destPort: ['443'], ipset: 'vpn' }),
      rule('vpn', 'wanb_only', { ipset: 'vpn' }),
      rule('default_rule', 'wan_wanb'),
    ],
  });
}
const members: IpsetMembers = { vpn: { ipv4: ['203.0.113.200', '203.0.113.0/28', '203.0.113.100-203.0.113.120'], ipv6: ['2001:db8:1::/48'] } };

const setCases: Case[] = [
  { name: 'a single address member', st: state({}, setConfig()), ipsets: members, q: { src: '10.0.0.1', dst: '203.0.113.200' }, want: 'rule vpn interface wanb(eth2) 100' },
  { name: 'inside a prefix member', st: state({}, setConfig()), ipsets: members, q: { src: '10.0.0.1', dst: '203.0.113.9' }, want: 'rule vpn interface wanb(eth2) 100' },
  { name: 'inside a range member', st: state({}, setConfig()), ipsets: members, q: { src: '10.0.0.1', dst: '203.0.113.120' }, want: 'rule vpn interface wanb(eth2) 100' },
  { name: 'not a member: the next rule', st: state({}, setConfig()), ipsets: members, q: { src: '10.0.0.1', dst: '203.0.113.121' },
    want: 'rule default_rule interface wan(eth1) 100' },
  { name: 'IPv6 flows look in the IPv6 set (wanb_only has no IPv6 member: its last resort)', st: state({}, setConfig()), ipsets: members, q: { src: '2001:db8:9::1', dst: '2001:db8:1:5::1' }, want: 'rule vpn unreachable ' },
  { name: 'an IPv4 member does not match IPv6', st: state({}, setConfig()), ipsets: { vpn: { ipv4: ['0.0.0.0/0'], ipv6: [] } }, q: { src: '2001:db8:9::1', dst: '2001:db8:1:5::1' },
    want: 'rule default_rule unreachable ' },
  { name: 'members not read: passed over, not evaluated', st: state({}, setConfig()), q: { src: '10.0.0.1', dst: '203.0.113.200' }, want: 'rule default_rule interface wan(eth1) 100' },
];

for (const c of setCases) {
  test(`explain, ipset: ${c.name}`, () => {
    const r = explain(c.st, c.q, { sourceWans: planned(c.st), ...(c.ipsets ? { ipsets: c.ipsets } : {}) });
    assert.equal(brief(r), c.want);
  });
}

test('explain, ipset: why a set rule was passed over; a definite miss wins over "not evaluated"', () => {
  const st = state({}, setConfig());
  const skipped = (q: FlowQuery, ipsets?: IpsetMembers) => explain(st, q, { sourceWans: planned(st), ...(ipsets ? { ipsets } : {}) }).skipped;
  assert.deepEqual(skipped({ src: '10.0.0.1', dst: '203.0.113.121' }, members), [
    { rule: 'vpn_web', reason: 'protocol tcp (the flow\'s protocol was not given)' },
    { rule: 'vpn', reason: 'destination not in set vpn (ipv4) (3 entries)' },
  ]);
  assert.deepEqual(skipped({ src: '10.0.0.1', dst: '203.0.113.200', proto: 'tcp', port: 80 }), [
    { rule: 'vpn_web', reason: 'destination port 443' },
    { rule: 'vpn', reason: 'set vpn (ipv4) (its members were not read: not evaluated)', evaluated: false },
  ]);
  assert.deepEqual(skipped({ src: '10.0.0.1', dst: '203.0.113.200' }, { vpn: { ipv4: { error: 'nft: Operation not permitted' } } })[1],
    { rule: 'vpn', reason: 'set vpn (ipv4) could not be read (nft: Operation not permitted): not evaluated', evaluated: false });
});

/** `nft -j list table inet mwan` (nft 1.0.6) with the two sets of `ipset vpn`. */
const listed: Ruleset = {
  tables: [{ family: 'inet', name: 'mwan' }], chains: [], rules: [], maps: [],
  sets: [
    { family: 'inet', name: 'vpn', table: 'mwan', type: 'ipv4_addr', flags: ['interval'],
      elem: ['192.0.2.5', { prefix: { addr: '198.51.100.0', len: 24 } }, { range: ['203.0.113.10', '203.0.113.20'] }, { elem: { val: '192.0.2.9', timeout: 60, expires: 59 } }] },
    { family: 'inet', name: 'vpn_v6', table: 'mwan', type: 'ipv6_addr', flags: ['interval'], elem: ['2001:db8::5', { prefix: { addr: '2001:db8:1::', len: 48 } }] },
    { family: 'inet', name: 'odd', table: 'mwan', type: 'ipv4_addr', elem: [{ concat: ['192.0.2.1', 80] }] },
  ],
};

test('set members from the table listing: addresses, prefixes, ranges, timed elements; unreadable sets say why', () => {
  assert.deepEqual(ipsetMembersOf(listed, ['vpn', 'odd', 'gone']), {
    vpn: { ipv4: ['192.0.2.5', '198.51.100.0/24', '203.0.113.10-203.0.113.20', '192.0.2.9'], ipv6: ['2001:db8::5', '2001:db8:1::/48'] },
    odd: { ipv4: { error: 'set odd has an element explain does not understand: {"concat":["192.0.2.1",80]}' }, ipv6: { error: 'set odd_v6 is not in table inet mwan' } },
    gone: { ipv4: { error: 'set gone is not in table inet mwan' }, ipv6: { error: 'set gone_v6 is not in table inet mwan' } },
  });
  assert.deepEqual(ipsetMembersOf(null, ['vpn']), { vpn: { ipv4: { error: 'table inet mwan does not exist' }, ipv6: { error: 'table inet mwan does not exist' } } });
});

/**
 * Sticky rules: web (TCP 443, balanced wan/wanb 50/50, and wan6 for IPv6), bfirst (UDP, a policy
 * listing wanb before wan), fail (ICMP, failover wan then wanb), blk (built-in blackhole).
 */
function stickyConfig(): CoreConfig {
  const base = config();
  return config({
    policies: [...base.policies, { name: 'b_first', members: ['wanb_m1', 'wan_m1'], lastResort: 'unreachable' }],
    rules: [
      rule('web', 'balanced', { proto: 'tcp', destPort: ['443'], sticky: true, timeout: 300 }),
      rule('bfirst', 'b_first', { proto: 'udp', sticky: true, timeout: 60 }),
      rule('fail', 'wan_wanb', { proto: 'icmp', sticky: true }),
      rule('blk', 'blackhole', { destIp: ['203.0.113.128/25'], sticky: true }),
      rule('default_rule', 'wan_wanb'),
    ],
  });
}

type SetData = readonly StickyElement[] | { error: string };
/** Sticky sets as the adapter hands them over, named as the planner names them. */
function sticky(...sets: Array<[rule: string, wan: string, family: 'ipv4' | 'ipv6', entries: SetData]>): StickyEntries {
  const byRule: Record<string, Record<string, Partial<Record<'ipv4' | 'ipv6', { set: string; entries: SetData }>>>> = {};
  for (const [r, wan, family, entries] of sets) ((byRule[r] ??= {})[wan] ??= {})[family] = { set: names.stickySet(r, wan, family), entries };
  return { byRule };
}

const web = { src: '10.0.0.5', dst: '203.0.113.7', proto: 'tcp', port: 443 };
const src5 = [{ addr: '10.0.0.5' }];
const bothOffline = state({ track: { wan: { state: 'offline' }, wanb: { state: 'offline' } } }, stickyConfig());

interface StickyCase { name: string; st?: ControllerState; q?: FlowQuery; sets?: StickyEntries; want: string; reasons?: RegExp[]; entry?: object }

const stickyCases: StickyCase[] = [
  { name: 'the source has an entry for a WAN of the policy now: that WAN, not the shares',
    sets: sticky(['web', 'wan', 'ipv4', []], ['web', 'wanb', 'ipv4', [{ addr: '10.0.0.9', expires: 12 }, { addr: '10.0.0.5', expires: 287 }]]),
    want: 'rule web interface wanb(eth2) 100', entry: { interface: 'wanb', set: 'sticky_web_wanb_v4', expires: 287 },
    reasons: [/^rule web is sticky and source 10\.0\.0\.5 has an entry in set sticky_web_wanb_v4 \(WAN wanb, expires in 287 s unless its traffic renews it\): it keeps wanb, a member of policy balanced now, instead of the policy's choice$/] },
  { name: 'no expiry listed: the reason leaves it out', sets: sticky(['web', 'wan', 'ipv4', src5], ['web', 'wanb', 'ipv4', []]),
    want: 'rule web interface wan(eth1) 100', entry: { interface: 'wan', set: 'sticky_web_wan_v4' }, reasons: [/has an entry in set sticky_web_wan_v4 \(WAN wan\): it keeps wan,/] },
  { name: 'in two sets: the first in the policy\'s member order wins (wan before wanb)', sets: sticky(['web', 'wan', 'ipv4', src5], ['web', 'wanb', 'ipv4', src5]),
    want: 'rule web interface wan(eth1) 100', entry: { interface: 'wan', set: 'sticky_web_wan_v4' } },
  { name: 'in two sets of a policy listing wanb first: wanb', q: { src: '10.0.0.5', dst: '203.0.113.7', proto: 'udp', port: 53 },
    sets: sticky(['bfirst', 'wan', 'ipv4', src5], ['bfirst', 'wanb', 'ipv4', src5]), want: 'rule bfirst interface wanb(eth2) 100', entry: { interface: 'wanb', set: 'sticky_bfirst_wanb_v4' } },
  { name: 'no entry: the policy\'s shares', sets: sticky(['web', 'wan', 'ipv4', [{ addr: '10.0.0.6' }]], ['web', 'wanb', 'ipv4', []]),
    want: 'rule web balance wan(eth1) 50,wanb(eth2) 50',
    reasons: [/^rule web is sticky; source 10\.0\.0\.5 has no sticky entry \(sets sticky_web_wan_v4, sticky_web_wanb_v4\): the policy decides; the WAN it gets is kept for 300 s while that WAN stays in the policy$/] },
  { name: 'entries of another sticky rule do not count', sets: sticky(['web', 'wan', 'ipv4', []], ['web', 'wanb', 'ipv4', []], ['bfirst', 'wanb', 'ipv4', src5]),
    want: 'rule web balance wan(eth1) 50,wanb(eth2) 50' },
  { name: 'IPv6: an entry written in another form is the same address', q: { src: '2001:db8:9:0::1', dst: '2001:db8:5::1', proto: 'tcp', port: 443 },
    sets: sticky(['web', 'wan6', 'ipv6', [{ addr: '2001:db8:9::1', expires: 5 }]], ['web', 'wan', 'ipv4', [{ addr: '10.0.0.5' }]]),
    want: 'rule web interface wan6(eth3) 100', entry: { interface: 'wan6', set: 'sticky_web_wan6_v6', expires: 5 } },
  { name: 'the entry\'s WAN left the policy (offline): the policy decides, the reason says so', st: state({ track: { wanb: { state: 'offline' } } }, stickyConfig()),
    sets: sticky(['web', 'wan', 'ipv4', []], ['web', 'wanb', 'ipv4', src5]), want: 'rule web interface wan(eth1) 100',
    reasons: [/^rule web is sticky; source 10\.0\.0\.5 has no sticky entry \(set sticky_web_wan_v4\) for a WAN of policy balanced now: its entry in set sticky_web_wanb_v4 is for WAN wanb, which is no longer in the policy: the policy decides; /] },
  { name: 'failover: the entry of the one WAN in the choice', q: { src: '10.0.0.5', dst: '203.0.113.7', proto: 'icmp' },
    sets: sticky(['fail', 'wan', 'ipv4', src5], ['fail', 'wanb', 'ipv4', src5]), want: 'rule fail interface wan(eth1) 100', entry: { interface: 'wan', set: 'sticky_fail_wan_v4' } },
  { name: 'failover: an entry for the standby WAN is not looked up', q: { src: '10.0.0.5', dst: '203.0.113.7', proto: 'icmp' },
    sets: sticky(['fail', 'wan', 'ipv4', []], ['fail', 'wanb', 'ipv4', src5]), want: 'rule fail interface wan(eth1) 100', reasons: [/its entry in set sticky_fail_wanb_v4 is for WAN wanb, which is no longer in the policy/] },
  { name: 'a set before the hit could not be read: the hit, and the doubt in the reason',
    sets: sticky(['web', 'wan', 'ipv4', { error: 'set sticky_web_wan_v4 is not in table inet mwan' }], ['web', 'wanb', 'ipv4', src5]),
    want: 'rule web interface wanb(eth2) 100', entry: { interface: 'wanb', set: 'sticky_web_wanb_v4' },
    reasons: [/it keeps wanb, a member of policy balanced now, instead of the policy's choice; not evaluated before it: set sticky_web_wan_v4 could not be read \(set sticky_web_wan_v4 is not in table inet mwan\) \(an entry there would come first\)$/] },
  { name: 'a set could not be read and the others have no entry: the shares, not evaluated',
    sets: sticky(['web', 'wan', 'ipv4', []], ['web', 'wanb', 'ipv4', { error: 'boom' }]), want: 'rule web balance wan(eth1) 50,wanb(eth2) 50',
    reasons: [/^rule web is sticky; sticky entries not evaluated: set sticky_web_wanb_v4 could not be read \(boom\)$/, /^source 10\.0\.0\.5 has no sticky entry in the sets that could be read: the policy decides; /] },
  { name: 'a set missing from the data: not read', sets: sticky(['web', 'wan', 'ipv4', []]), want: 'rule web balance wan(eth1) 50,wanb(eth2) 50',
    reasons: [/^rule web is sticky; sticky entries not evaluated: the set of WAN wanb was not read$/] },
  { name: 'no set could be read: the shares, not evaluated', sets: sticky(['web', 'wan', 'ipv4', { error: 'x' }], ['web', 'wanb', 'ipv4', { error: 'y' }]),
    want: 'rule web balance wan(eth1) 50,wanb(eth2) 50',
    reasons: [/^rule web is sticky; its sticky entries were not evaluated: set sticky_web_wan_v4 could not be read \(x\); set sticky_web_wanb_v4 could not be read \(y\): the policy's answer is given, but a source with an entry keeps its WAN$/] },
  { name: 'the table could not be listed: the shares, not evaluated', sets: { error: 'nft -j list table inet mwan failed: Operation not permitted' },
    want: 'rule web balance wan(eth1) 50,wanb(eth2) 50',
    reasons: [/^rule web is sticky; its sticky entries could not be read \(nft -j list table inet mwan failed: Operation not permitted\): not evaluated: the policy's answer is given, but a source with an entry keeps its WAN$/] },
  { name: 'entries not read at all (no dataplane): the shares, not evaluated', want: 'rule web balance wan(eth1) 50,wanb(eth2) 50',
    reasons: [/^rule web is sticky: its sticky entries were not read \(not evaluated\): the policy's answer is given; the WAN it gets is kept for 300 s/] },
  { name: 'no usable member: the last resort, entries not looked up', st: bothOffline, sets: sticky(['web', 'wan', 'ipv4', src5], ['web', 'wanb', 'ipv4', src5]),
    want: 'rule web unreachable ', reasons: [/^rule web is sticky, but there is no WAN to keep: unreachable applies to every source$/] },
  { name: 'a built-in policy keeps nothing', q: { src: '10.0.0.5', dst: '203.0.113.200' }, sets: sticky(['web', 'wan', 'ipv4', src5]),
    want: 'rule blk blackhole ', reasons: [/^rule blk is sticky, but there is no WAN to keep: blackhole applies to every source$/] },
  { name: 'a rule that is not sticky: entries play no part', q: { src: '10.0.0.5', dst: '203.0.113.7' }, sets: sticky(['web', 'wan', 'ipv4', src5], ['web', 'wanb', 'ipv4', src5]),
    want: 'rule default_rule interface wan(eth1) 100' },
];

for (const c of stickyCases) {
  test(`explain, sticky: ${c.name}`, () => {
    const st = c.st ?? state({}, stickyConfig());
    const r = explain(st, c.q ?? web, { sourceWans: planned(st), ...(c.sets ? { sticky: c.sets } : {}) });
    assert.equal(brief(r), c.want);
    assert.deepEqual(r.sticky_entry, c.entry);
    for (const re of c.reasons ?? []) assert.ok(r.reasons.some((x) => re.test(x)), `${re} in ${r.reasons.join(' | ')}`);
    const rule = stickyConfig().rules.find((x) => x.name === r.rule);
    assert.equal(r.sticky, rule?.sticky ? true : undefined);
    if (!rule?.sticky) assert.ok(!r.reasons.some((x) => /sticky/.test(x)), r.reasons.join(' | '));
    if (c.entry) assert.equal(r.interface, (c.entry as { interface: string }).interface);
  });
}

test('explain, sticky: the sets explain asks for are each sticky rule\'s policy WANs, in their own family', () => {
  assert.deepEqual(stickySetsWanted(stickyConfig()), [
    { rule: 'web', wan: 'wan', family: 'ipv4' }, { rule: 'web', wan: 'wanb', family: 'ipv4' }, { rule: 'web', wan: 'wan6', family: 'ipv6' },
    { rule: 'bfirst', wan: 'wanb', family: 'ipv4' }, { rule: 'bfirst', wan: 'wan', family: 'ipv4' },
    { rule: 'fail', wan: 'wan', family: 'ipv4' }, { rule: 'fail', wan: 'wanb', family: 'ipv4' },
  ]);
  assert.deepEqual(stickySetsWanted(config()), []);
});

/**
 * `nft -j list table inet mwan` printed by nft 1.0.6 (captured in a private namespace): sticky
 * sets as the planner declares them, one empty (no "elem" key), one with an entry added with
 * the set's timeout and one with its own, and an IPv6 one.
 */
const STICKY_LISTING = '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "mwan", "handle": 1}}, {"set": {"family": "inet", "name": "sticky_web_wan_v4", "table": "mwan", "type": "ipv4_addr", "handle": 1, "flags": ["timeout"], "timeout": 300}}, {"set": {"family": "inet", "name": "sticky_web_wanb_v4", "table": "mwan", "type": "ipv4_addr", "handle": 2, "flags": ["timeout"], "timeout": 300, "elem": [{"elem": {"val": "10.0.0.5", "expires": 299}}, {"elem": {"val": "10.0.0.6", "timeout": 30, "expires": 29}}]}}, {"set": {"family": "inet", "name": "sticky_web_wan6_v6", "table": "mwan", "type": "ipv6_addr", "handle": 3, "flags": ["timeout"], "timeout": 300, "elem": [{"elem": {"val": "2001:db8:9::1", "expires": 299}}]}}]}';

test('sticky entries from an nft 1.0.6 listing: addresses with expiry, empty sets, missing sets say why', () => {
  const rs = parseListOutput(STICKY_LISTING);
  const refs = stickySetsWanted(stickyConfig()).filter((r) => r.rule === 'web');
  assert.deepEqual(stickyEntriesOf(rs, refs), { byRule: { web: {
    wan: { ipv4: { set: 'sticky_web_wan_v4', entries: [] } },
    wanb: { ipv4: { set: 'sticky_web_wanb_v4', entries: [{ addr: '10.0.0.5', expires: 299 }, { addr: '10.0.0.6', expires: 29 }] } },
    wan6: { ipv6: { set: 'sticky_web_wan6_v6', entries: [{ addr: '2001:db8:9::1', expires: 299 }] } },
  } } });
  // what explain makes of it
  const st = state({}, stickyConfig());
  const r = explain(st, web, { sticky: stickyEntriesOf(rs, refs) });
  assert.deepEqual([r.interface, r.sticky_entry], ['wanb', { interface: 'wanb', set: 'sticky_web_wanb_v4', expires: 299 }]);
  assert.deepEqual(stickyEntriesOf(rs, [{ rule: 'fail', wan: 'wan', family: 'ipv4' }]), { byRule: { fail: { wan: { ipv4: { set: 'sticky_fail_wan_v4', entries: { error: 'set sticky_fail_wan_v4 is not in table inet mwan' } } } } } });
  assert.deepEqual(stickyEntriesOf(null, [{ rule: 'web', wan: 'wan', family: 'ipv4' }]), { byRule: { web: { wan: { ipv4: { set: 'sticky_web_wan_v4', entries: { error: 'table inet mwan does not exist' } } } } } });
  const odd: Ruleset = { tables: [], chains: [], rules: [], maps: [], sets: [{ family: 'inet', table: 'mwan', name: 'sticky_web_wan_v4', type: 'ipv4_addr', elem: [{ prefix: { addr: '10.0.0.0', len: 8 } }] }] };
  assert.deepEqual(stickyEntriesOf(odd, [{ rule: 'web', wan: 'wan', family: 'ipv4' }]), { byRule: { web: { wan: { ipv4: { set: 'sticky_web_wan_v4',
    entries: { error: 'set sticky_web_wan_v4 has an element explain does not understand: {"prefix":{"addr":"10.0.0.0","len":8}}' } } } } } });
  // one listing serves both kinds of sets
  const both = explainSetsOf(rs, { ipsets: ['vpn'], sticky: refs.slice(0, 1) });
  assert.deepEqual(both.ipsets, { vpn: { ipv4: { error: 'set vpn is not in table inet mwan' }, ipv6: { error: 'set vpn_v6 is not in table inet mwan' } } });
  assert.deepEqual(both.sticky, { byRule: { web: { wan: { ipv4: { set: 'sticky_web_wan_v4', entries: [] } } } } });
});

/** mwand's ubus face over a real broker: Controller + the real dataplane port (recording kernel, listed table faked). */
async function world(t: TestContext, list: () => Promise<Ruleset | null>, cfg: CoreConfig = config({ rules: [rule('vpn', 'wanb_only', { ipset: 'vpn' }), rule('default_rule', 'wan_wanb')] })) {
  const { bus, cli } = await privateBus(t, 'mwand-explain-');
  const netifd = new FakeNetifd();
  for (const [k, v] of Object.entries(state().netifd)) netifd.views.set(k, v);
  const lists: number[] = [];
  const port = createDataplanePort(createApplier({ backend: createRecordingBackend() }), { nft: { nftList: () => { lists.push(1); return list(); } } });
  const c = new Controller({
    clock: realClock, loadConfig: async () => structuredClone(cfg), dataplane: port, netifd, trackers: new FakeTrackers(), rtmon: new FakeRtmon(),
    events: new RecordingEvents(), hooks: new RecordingHooks(), coalesceMs: 0,
  });
  await c.start();
  t.after(() => c.stop());
  const logs: string[] = [];
  await publishMwan(bus, c, (m) => logs.push(m));
  return { cli, logs, lists };
}

test('ubus explain: own addresses from the applied plan, set members read from the ruleset, src_iface passed through', async (t) => {
  const { cli, lists } = await world(t, async () => listed);
  const call = async (args: Record<string, string | number>) => (await cli.call('mwan', 'explain', args))! as unknown as ExplainResult;
  const own = await call({ src: '198.51.100.8', dst: '203.0.113.7', proto: 'tcp', port: 80 });
  assert.deepEqual([own.decision, own.interface], ['source', 'wanb']);
  const other = await call({ src: '198.51.100.8', dst: '203.0.113.7', proto: 'udp', port: 53 });
  assert.equal(other.decision, 'rule', 'the router\'s other traffic from that address: the rules');
  const member = await call({ src: '10.0.0.1', dst: '198.51.100.77' });
  assert.deepEqual([member.decision, member.rule, member.interface], ['rule', 'vpn', 'wanb'], 'inside a listed prefix');
  const inSet = await call({ src: '10.0.0.1', dst: '203.0.113.15' });
  assert.deepEqual([inSet.decision, inSet.rule, inSet.interface], ['rule', 'vpn', 'wanb']);
  const notInSet = await call({ src: '10.0.0.1', dst: '203.0.113.21' });
  assert.deepEqual([notInSet.rule, notInSet.skipped], ['default_rule', [{ rule: 'vpn', reason: 'destination not in set vpn (ipv4) (4 entries)' }]]);
  const inbound = await call({ src: '203.0.113.50', dst: '10.0.0.1', src_iface: 'wan' });
  assert.deepEqual([inbound.decision, inbound.src_iface, inbound.interface], ['inbound', 'wan', 'wan']);
  assert.equal(lists.length, 6, 'one table listing per explain call of a config with set rules');
});

test('ubus explain: a set that cannot be read is passed over as not evaluated, with the reason', async (t) => {
  const { cli } = await world(t, async () => { throw new Error('nft -j list table inet mwan failed: Operation not permitted'); });
  const r = (await cli.call('mwan', 'explain', { src: '10.0.0.1', dst: '203.0.113.15' }))! as unknown as ExplainResult;
  assert.equal(r.rule, 'default_rule');
  assert.deepEqual(r.skipped, [{ rule: 'vpn', reason: 'set vpn (ipv4) could not be read (nft -j list table inet mwan failed: Operation not permitted): not evaluated', evaluated: false }]);
});

test('ubus explain: a bad src_iface is refused with INVALID_ARGUMENT, logged naming the field, before any kernel read', async (t) => {
  const { cli, logs, lists } = await world(t, async () => listed);
  for (const srcIface of ['eth0; rm -rf /', 'lan-1']) {
    await assert.rejects(cli.call('mwan', 'explain', { src: '10.0.0.1', dst: '203.0.113.7', src_iface: srcIface }), (e) => e instanceof UbusStatusError && e.status === Status.INVALID_ARGUMENT);
  }
  await assert.rejects(cli.call('mwan', 'explain', { src: '10.0.0.1', dst: '203.0.113.7', src_iface: 7 }), (e) => e instanceof UbusStatusError && e.status === Status.INVALID_ARGUMENT);
  assert.deepEqual(logs, [
    'explain refused (field src_iface): explain: src_iface "eth0; rm -rf /" is not a netifd interface name (1-64 letters, digits, _)',
    'explain refused (field src_iface): explain: src_iface "lan-1" is not a netifd interface name (1-64 letters, digits, _)',
  ]);
  assert.equal(lists.length, 0);
});

test('ubus explain: sticky entries come from the table listing, read once, and only when the flow meets a sticky rule', async (t) => {
  const webRule = rule('web', 'balanced', { proto: 'tcp', destPort: ['443'], sticky: true, timeout: 300 });
  const { cli, lists } = await world(t, async () => parseListOutput(STICKY_LISTING), config({ rules: [webRule, rule('default_rule', 'wan_wanb')] }));
  const call = async (args: Record<string, string | number>) => (await cli.call('mwan', 'explain', args))! as unknown as ExplainResult;
  const kept = await call({ src: '10.0.0.5', dst: '203.0.113.7', proto: 'tcp', port: 443 });
  assert.deepEqual([kept.rule, kept.sticky, kept.action, kept.interface, kept.interfaces.map((i) => i.interface), kept.sticky_entry],
    ['web', true, 'interface', 'wanb', ['wanb'], { interface: 'wanb', set: 'sticky_web_wanb_v4', expires: 299 }]);
  assert.equal(lists.length, 1);
  const fresh = await call({ src: '10.0.0.7', dst: '203.0.113.7', proto: 'tcp', port: 443 });
  assert.deepEqual([fresh.action, fresh.interfaces.map((i) => `${i.interface} ${i.percent}`), fresh.sticky_entry], ['balance', ['wan 50', 'wanb 50'], undefined]);
  assert.ok(fresh.reasons.includes('rule web is sticky; source 10.0.0.7 has no sticky entry (sets sticky_web_wan_v4, sticky_web_wanb_v4): the policy decides; the WAN it gets is kept for 300 s while that WAN stays in the policy'), fresh.reasons.join(' | '));
  assert.equal(lists.length, 2);
  const other = await call({ src: '10.0.0.5', dst: '203.0.113.7', proto: 'udp', port: 53 });
  assert.equal(other.rule, 'default_rule');
  assert.equal(lists.length, 2, 'no read for a flow that meets no sticky rule (and no set rule exists)');
});

test('ubus explain: with set rules and sticky rules, one listing per call serves both', async (t) => {
  const listing = parseListOutput(STICKY_LISTING);
  listing.sets.push(...listed.sets);
  const rules = [rule('vpn', 'wanb_only', { ipset: 'vpn' }), rule('web', 'balanced', { proto: 'tcp', destPort: ['443'], sticky: true, timeout: 300 }), rule('default_rule', 'wan_wanb')];
  const { cli, lists } = await world(t, async () => listing, config({ rules }));
  const call = async (args: Record<string, string | number>) => (await cli.call('mwan', 'explain', args))! as unknown as ExplainResult;
  const kept = await call({ src: '10.0.0.5', dst: '203.0.113.7', proto: 'tcp', port: 443 });
  assert.deepEqual([kept.rule, kept.interface, kept.skipped], ['web', 'wanb', [{ rule: 'vpn', reason: 'destination not in set vpn (ipv4) (4 entries)' }]]);
  const inSet = await call({ src: '10.0.0.5', dst: '203.0.113.15', proto: 'tcp', port: 443 });
  assert.deepEqual([inSet.rule, inSet.interface], ['vpn', 'wanb']);
  assert.equal(lists.length, 2, 'one table listing per explain call');
});

test('ubus explain: a listing that fails leaves the sticky entries not evaluated, with the reason', async (t) => {
  const webRule = rule('web', 'balanced', { proto: 'tcp', destPort: ['443'], sticky: true, timeout: 300 });
  const { cli } = await world(t, async () => { throw new Error('nft -j list table inet mwan failed: Operation not permitted'); }, config({ rules: [webRule] }));
  const r = (await cli.call('mwan', 'explain', { src: '10.0.0.5', dst: '203.0.113.7', proto: 'tcp', port: 443 }))! as unknown as ExplainResult;
  assert.deepEqual([r.rule, r.action, r.sticky_entry], ['web', 'balance', undefined]);
  assert.ok(r.reasons.includes('rule web is sticky; its sticky entries could not be read (nft -j list table inet mwan failed: Operation not permitted): not evaluated: the policy\'s answer is given, but a source with an entry keeps its WAN'), r.reasons.join(' | '));
});
