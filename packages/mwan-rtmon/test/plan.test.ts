import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredTables, planMirror, tableKey, fingerprint, type WanTable } from '../src/plan/mirror.js';
import { desiredSets, diffSet, outermost } from '../src/plan/connected.js';
import { RT_SCOPE, RTN, type RouteEntry } from '../src/netlink/types.js';
import { staleMwanTables, type IpRuleEntry } from '../src/plan/stale.js';
import { parseIpRules } from '../src/apply/ip-rules.js';

const MAIN = 254;
const LOCAL = 255;
const IDX: Record<string, number> = { eth0: 2, eth1: 3, lan: 4, pppoe: 5 };
const ifindex = (d: string): number | undefined => IDX[d];

function route(text: string, extra: Partial<RouteEntry> = {}): RouteEntry {
  // "10.0.0.0/24 dev eth0 [via GW] [table N] [metric M]" — a test shorthand, not `ip` syntax parsing
  const words = text.split(' ');
  const [dst, len] = words[0] === 'default' ? [text.includes(':') ? '::' : '0.0.0.0', '0'] : words[0]!.split('/');
  const get = (k: string): string | undefined => { const i = words.indexOf(k); return i < 0 ? undefined : words[i + 1]; };
  const dev = get('dev');
  const family = dst!.includes(':') ? 6 : 4;
  const r: RouteEntry = {
    family, table: Number(get('table') ?? MAIN), dst: dst!, dstLen: Number(len ?? (family === 4 ? 32 : 128)), srcLen: 0, tos: 0,
    priority: Number(get('metric') ?? 0), type: RTN.UNICAST, protocol: 4, scope: get('via') ? RT_SCOPE.UNIVERSE : RT_SCOPE.LINK,
    devices: dev ? [IDX[dev]!] : [], cloned: false, ...extra,
  };
  if (dev) r.oif = IDX[dev];
  if (get('via')) r.gateway = get('via');
  return r;
}

const wans: WanTable[] = [
  { name: 'wan', table: 1, family: 4, enabled: true, device: 'eth0' },
  { name: 'wan6', table: 2, family: 6, enabled: true, device: 'eth0' },
  { name: 'wanb', table: 3, family: 4, enabled: true, device: 'eth1' },
  { name: 'wanc', table: 4, family: 4, enabled: false, device: 'pppoe' },
];

function tableContents(routes: RouteEntry[], lookupTables: number[] = []): Record<number, string[]> {
  const d = desiredTables({ wans, routes, lookupTables, ifindex });
  return Object.fromEntries([...d].map(([t, m]) => [t, [...m.values()].map((r) => `${r.dst}/${r.dstLen}`).sort()]));
}

test('mirror: which routes go into which WAN table (mwan3rtmon rules)', () => {
  const cases: { name: string; routes: RouteEntry[]; lookup?: number[]; want: Record<number, string[]> }[] = [
    { name: 'LAN route goes into every enabled table of its family', routes: [route('192.168.1.0/24 dev lan')], want: { 1: ['192.168.1.0/24'], 2: [], 3: ['192.168.1.0/24'], 4: [] } },
    { name: 'route on a WAN device goes only into that WAN table', routes: [route('10.0.0.0/24 dev eth0'), route('10.1.0.0/24 dev eth1')], want: { 1: ['10.0.0.0/24'], 2: [], 3: ['10.1.0.0/24'], 4: [] } },
    { name: 'default routes are never mirrored', routes: [route('default via 10.0.0.1 dev eth0'), route('default via 2001:db8::1 dev eth0')], want: { 1: [], 2: [], 3: [], 4: [] } },
    { name: 'IPv6 route goes into IPv6 tables only', routes: [route('2001:db8:5::/64 dev lan')], want: { 1: [], 2: ['2001:db8:5::/64'], 3: [], 4: [] } },
    { name: 'fe80::/64 only into the WAN whose device it is on (same prefix and metric on every link)', routes: [route('fe80::/64 dev lan metric 256'), route('fe80::/64 dev eth0 metric 256'), route('fe80::/64 dev eth1 metric 256')], want: { 1: [], 2: ['fe80::/64'], 3: [], 4: [] } },
    { name: 'disabled WAN table stays empty even for its own device', routes: [route('10.5.0.0/24 dev pppoe')], want: { 1: ['10.5.0.0/24'], 2: [], 3: ['10.5.0.0/24'], 4: [] } },
    { name: 'rt_table_lookup table routes are mirrored, other tables are not', routes: [route('172.16.0.0/12 dev lan table 100'), route('172.20.0.0/16 dev lan table 101')], lookup: [100], want: { 1: ['172.16.0.0/12'], 2: [], 3: ['172.16.0.0/12'], 4: [] } },
    { name: 'cache clones and local-table entries are ignored', routes: [route('10.9.9.9/32 dev lan', { cloned: true }), route('192.168.1.1/32 dev lan table 255', { type: RTN.LOCAL })], want: { 1: [], 2: [], 3: [], 4: [] } },
    { name: 'unreachable routes are mirrored', routes: [route('10.99.0.0/16', { type: RTN.UNREACHABLE })], want: { 1: ['10.99.0.0/16'], 2: [], 3: ['10.99.0.0/16'], 4: [] } },
  ];
  for (const c of cases) assert.deepEqual(tableContents(c.routes, c.lookup), c.want, c.name);
});

test('mirror: a WAN without a known device gets LAN routes but not other WANs\' device routes', () => {
  const w: WanTable[] = [{ name: 'wan', table: 1, family: 4, enabled: true }, { name: 'wanb', table: 2, family: 4, enabled: true, device: 'eth1' }];
  const d = desiredTables({ wans: w, routes: [route('10.1.0.0/24 dev eth1'), route('10.0.0.0/24 dev eth0')], lookupTables: [], ifindex });
  assert.deepEqual([...d.get(1)!.values()].map((r) => r.dst), ['10.0.0.0']);
  assert.deepEqual([...d.get(2)!.values()].map((r) => r.dst), ['10.1.0.0', '10.0.0.0']);
});

test('mirror: diff adds missing, deletes stale, keeps default routes and equal copies', () => {
  const lan = route('192.168.1.0/24 dev lan');
  const viaGw = route('10.20.0.0/16 via 192.168.1.254 dev lan');
  const routes = [
    lan, viaGw,
    { ...lan, table: 1 },                                   // already mirrored, equal → untouched
    route('10.50.0.0/16 dev lan table 1'),                  // stale in table 1
    route('default via 10.0.0.1 dev eth0 table 1'),         // mwand's: never touched
    route('2001:db8::/64 dev lan table 1'),                 // other family in a v4 table: stale
    route('10.60.0.0/16 dev lan table 4'),                  // disabled WAN's table: stale
  ];
  const changes = planMirror({ wans, routes: routes.values(), lookupTables: [], ifindex }); // an iterator, as Rtmon passes it
  const summary = changes.map((c) => `${c.op} ${c.table} ${c.route.dst}/${c.route.dstLen}`);
  assert.deepEqual(summary, [
    'delete 1 10.50.0.0/16',
    'delete 1 2001:db8::/64',
    'delete 4 10.60.0.0/16',
    'replace 3 192.168.1.0/24',   // link scope first
    'replace 1 10.20.0.0/16',
    'replace 3 10.20.0.0/16',
  ]);
});

test('mirror: a changed route (new gateway) is replaced; lastWritten stops rewrite loops', () => {
  const src = route('10.20.0.0/16 via 192.168.1.254 dev lan');
  const oldCopy = { ...route('10.20.0.0/16 via 192.168.1.253 dev lan'), table: 1 };
  const w = wans.slice(0, 1);
  assert.deepEqual(planMirror({ wans: w, routes: [src, oldCopy], lookupTables: [], ifindex }).map((c) => c.op), ['replace']);
  const lastWritten = new Map([[tableKey(1, src), fingerprint(src)]]);
  assert.deepEqual(planMirror({ wans: w, routes: [src, oldCopy], lookupTables: [], ifindex, lastWritten }), []);
});

test('mirror: main wins over an rt_table_lookup route with the same key', () => {
  const main = route('10.7.0.0/16 via 192.168.1.1 dev lan');
  const other = route('10.7.0.0/16 via 192.168.1.2 dev lan table 100');
  const d = desiredTables({ wans: wans.slice(0, 1), routes: [other, main], lookupTables: [100], ifindex });
  assert.equal([...d.get(1)!.values()][0]!.gateway, '192.168.1.1');
});

test('sets: connected networks, local/broadcast addresses, outermost prefixes only', () => {
  const routes = [
    route('192.168.1.0/24 dev lan'),
    route('10.0.0.0/8 dev lan'),
    route('10.1.0.0/16 dev lan'),                                  // inside 10/8
    route('default via 10.0.0.1 dev eth0'),
    route('192.168.1.1/32 dev lan table 255', { type: RTN.LOCAL }),  // inside the /24
    route('198.51.100.7/32 dev eth1 table 255', { type: RTN.LOCAL }),
    route('198.51.100.255/32 dev eth1 table 255', { type: RTN.BROADCAST }),
    route('2001:db8:1::/64 dev lan'),
    route('fe80::/64 dev lan'),
    route('2001:db8:1::1/128 dev lan table 255', { type: RTN.LOCAL }), // v6 local entries are not added
    route('172.16.0.0/12 dev lan table 100'),
    route('10.99.0.0/16', { type: RTN.UNREACHABLE }),
  ];
  assert.deepEqual(desiredSets(routes, [100]), {
    connected_v4: ['10.0.0.0/8', '192.168.1.0/24', '198.51.100.255', '198.51.100.7'],
    connected_v6: ['2001:db8:1::/64', 'fe80::/64'],
    custom_v4: ['172.16.0.0/12'],
    custom_v6: [],
  });
});

test('sets: outermost and diff', () => {
  assert.deepEqual(outermost(['10.0.0.1', '10.0.0.0/24', '10.0.0.0/24', '10.0.1.0/24', 'bogus', '2001:db8::1', '2001:db8::/32']), ['10.0.0.0/24', '10.0.1.0/24', '2001:db8::/32']);
  assert.deepEqual(diffSet(['a', 'b'], ['b', 'c']), { add: ['a'], del: ['c'] });
  assert.deepEqual(diffSet([], []), { add: [], del: [] });
  void LOCAL;
});

const staleCases: Array<{ name: string; rules: IpRuleEntry[]; owned: number[]; lookup?: number[]; want: number[] }> = [
  { name: 'iif (1000+N) and fwmark (2000+N) rules prove mwan\'s tables', rules: [{ pref: 1003, table: 3 }, { pref: 2004, table: 4 }], owned: [1, 2], want: [3, 4] },
  { name: 'tables an interface owns now are not stale', rules: [{ pref: 2001, table: 1 }, { pref: 2002, table: 2 }], owned: [1, 2], want: [] },
  { name: 'a rule at another pref, or a pref pointing elsewhere, proves nothing', rules: [{ pref: 500, table: 5 }, { pref: 2003, table: 7 }, { pref: 3003 }], owned: [1], want: [] },
  { name: 'main/default/local and rt_table_lookup tables are never claimed', rules: [{ pref: 1254, table: 254 }, { pref: 2253, table: 253 }, { pref: 2010, table: 10 }], owned: [], lookup: [10], want: [] },
];
for (const c of staleCases) {
  test(`staleMwanTables: ${c.name}`, () => {
    assert.deepEqual(staleMwanTables(c.rules, new Set(c.owned), new Set(c.lookup ?? [])), c.want);
  });
}

test('parseIpRules reads `ip -j rule list` (named and numbered tables, actions without a table)', () => {
  const json = JSON.stringify([
    { priority: 0, src: 'all', table: 'local' },
    { priority: 1002, src: 'all', iif: 'wan1', table: '2' },
    { priority: 3002, src: 'all', fwmark: '0x200/0x3f00', action: 'unreachable' },
    { priority: 32766, src: 'all', table: 'main' },
  ]);
  assert.deepEqual(parseIpRules(json), [{ pref: 0, table: 255 }, { pref: 1002, table: 2 }, { pref: 3002 }, { pref: 32766, table: 254 }]);
  assert.throws(() => parseIpRules('{}'), /not a list/);
});
