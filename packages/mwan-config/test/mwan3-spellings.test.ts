import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../src/index.js';
import { netmaskLength, normalizePrefix } from '../src/normalize.js';

// What iptables and mwan3 accepted and mwan reads into one canonical form, and the mwan3
// spellings mwan deliberately rejects (each with a code, its file:line and a hint).

const HEAD = [
  "config globals 'globals'", //      1
  "\toption logging '1'", //          2
  "config interface 'wan'", //        3
  "\toption enabled '1'", //          4
  "config member 'm'", //             5
  "\toption interface 'wan'", //      6
  "config policy 'p'", //             7
  "\tlist use_member 'm'", //         8
  "config rule 'r'", //               9
  "\toption use_policy 'p'", //      10
  "\toption logging '1'", //         11
];
/** The base config with lines appended to the rule (from line 12 on) and globals lines at line 3. */
function cfg(rule: string[] = [], globals: string[] = []): string {
  return [...HEAD.slice(0, 2), ...globals, ...HEAD.slice(2), ...rule].join('\n') + '\n';
}

const NFT_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

test("loglevel: mwan3's `error`/`warning` load as nft's `err`/`warn`; the model only holds nft level names", () => {
  const mwan3Levels: [string, string][] = [
    ['emerg', 'emerg'], ['alert', 'alert'], ['crit', 'crit'], ['error', 'err'], ['warning', 'warn'],
    ['notice', 'notice'], ['info', 'info'], ['debug', 'debug'], ['err', 'err'], ['warn', 'warn'],
  ];
  for (const [written, loaded] of mwan3Levels) {
    const r = loadConfigText(cfg([], [`\toption loglevel '${written}'`]), '/etc/config/mwan');
    assert.deepEqual(r.errors, [], written);
    assert.deepEqual(r.warnings, [], written);
    assert.equal(r.config?.globals.loglevel, loaded, written);
    assert.ok(NFT_LEVELS.includes(r.config.globals.loglevel), `${written} → a level nft knows`);
  }
  assert.equal(loadConfigText(cfg(), 'f').config?.globals.loglevel, 'notice', 'default');
});

test('loglevel: an unknown level is ERR_MWAN_ENUM at its file:line, naming the accepted levels', () => {
  for (const bad of ['loud', 'Warning', 'audit', 'constructor']) {
    const r = loadConfigText(cfg([], [`\toption loglevel '${bad}'`]), '/etc/config/mwan');
    assert.equal(r.config, null, bad);
    assert.deepEqual(r.errors.map((e) => [e.file, e.line, e.code, e.field]), [['/etc/config/mwan', 3, 'ERR_MWAN_ENUM', 'globals.loglevel']], bad);
    assert.match(r.errors[0]?.message ?? '', /\berr\b.*\bwarn\b.*\(or error, warning\)/, bad);
  }
});

test("proto: names are case-insensitive as iptables read them and stored lower-case", () => {
  const cases: [string, string][] = [['TCP', 'tcp'], ['Udp', 'udp'], ['ICMP', 'icmp'], ['IPv6-ICMP', 'ipv6-icmp'], ['ALL', 'all'], ['17', '17']];
  for (const [written, loaded] of cases) {
    const r = loadConfigText(cfg([`\toption proto '${written}'`]), 'f');
    assert.deepEqual(r.errors, [], written);
    assert.equal(r.config?.rules[0]?.proto, loaded, written);
  }
  // ports with `TCP` are tcp ports: no "ports ignored" warning, the port range is kept
  const r = loadConfigText(cfg(["\toption proto 'TCP'", "\toption dest_port '443'"]), 'f');
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.config?.rules[0]?.destPort, [{ from: 443, to: 443 }]);
  const bad = loadConfigText(cfg(["\toption proto 'TCPX'"]), 'f');
  assert.deepEqual(bad.errors.map((e) => [e.line, e.code, e.field]), [[12, 'ERR_MWAN_FORMAT', 'r.proto']]);
});

test('src_ip/dest_ip: a contiguous IPv4 dotted netmask is stored as its prefix length', () => {
  const r = loadConfigText(
    cfg([
      "\toption src_ip '192.168.1.0/255.255.255.0'",
      "\toption dest_ip '10.0.0.0/255.0.0.0,172.16.0.0/255.240.0.0, 198.51.100.7/255.255.255.255'",
      "\tlist dest_ip '0.0.0.0/0.0.0.0'",
    ]),
    'f',
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.config?.rules[0]?.srcIp, ['192.168.1.0/24']);
  assert.deepEqual(r.config?.rules[0]?.destIp, ['10.0.0.0/8', '172.16.0.0/12', '198.51.100.7/32', '0.0.0.0/0']);
});

test('src_ip/dest_ip: a non-contiguous netmask is ERR_MWAN_FORMAT at the line of that item', () => {
  const r = loadConfigText(cfg(["\tlist dest_ip '10.0.0.0/8'", "\tlist dest_ip '10.0.0.0/255.0.255.0'", "\toption src_ip '192.0.2.0/0.0.0.255'"]), '/etc/config/mwan');
  assert.equal(r.config, null);
  assert.deepEqual(r.errors.map((e) => [e.file, e.line, e.code, e.field]), [
    ['/etc/config/mwan', 13, 'ERR_MWAN_FORMAT', 'r.dest_ip'],
    ['/etc/config/mwan', 14, 'ERR_MWAN_FORMAT', 'r.src_ip'],
  ]);
  assert.match(r.errors[0]?.message ?? '', /non-contiguous netmask 255\.0\.255\.0/);
});

test('netmaskLength: every contiguous mask maps to its length, any mask with holes to null', () => {
  for (let len = 0; len <= 32; len++) {
    const bits = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const mask = [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
    assert.equal(netmaskLength(mask), len, mask);
  }
  for (const m of ['255.0.255.0', '0.0.0.1', '255.255.255.253', '254.255.255.0', '128.0.0.1', '256.0.0.0', '24']) assert.equal(netmaskLength(m), null, m);
  assert.equal(normalizePrefix('2001:db8::/64'), '2001:db8::/64');
  assert.equal(normalizePrefix('192.0.2.1'), '192.0.2.1');
  assert.equal(normalizePrefix('192.0.2.0/24'), '192.0.2.0/24');
});

test('deliberate differences from mwan3 are errors at file:line with a hint: host, service and table names', () => {
  const cases: [string[], string[], [number, string, string], RegExp][] = [
    [["\toption dest_ip 'example.com'"], [], [12, 'ERR_MWAN_FORMAT', 'r.dest_ip'], /host names are not resolved.*ipset.*nftset=/],
    [["\toption src_ip '192.0.2.1,myhost'"], [], [12, 'ERR_MWAN_FORMAT', 'r.src_ip'], /host names are not resolved/],
    [["\toption proto 'tcp'", "\toption dest_port 'https'"], [], [13, 'ERR_MWAN_FORMAT', 'r.dest_port'], /service names are not looked up, write the port number/],
    [["\toption proto 'tcp'", "\toption src_port '1000-http'"], [], [13, 'ERR_MWAN_FORMAT', 'r.src_port'], /service names are not looked up/],
    [[], ["\tlist rt_table_lookup 'vpn'"], [3, 'ERR_MWAN_TYPE', 'globals.rt_table_lookup'], /routing tables are given by number/],
  ];
  for (const [rule, globals, expected, hint] of cases) {
    const r = loadConfigText(cfg(rule, globals), 'f');
    assert.equal(r.config, null, rule.join());
    assert.deepEqual(r.errors.map((e) => [e.line, e.code, e.field]), [expected], rule.join());
    assert.match(r.errors[0]?.message ?? '', hint);
  }
  // an address that is merely wrong gets no name hint
  const wrong = loadConfigText(cfg(["\toption dest_ip '300.0.0.1'"]), 'f');
  assert.doesNotMatch(wrong.errors[0]?.message ?? '', /host names/);
});

test('deliberate differences from mwan3: zero weight/reliability/sticky timeout and metric above 1000 are ERR_MWAN_RANGE', () => {
  const text = [
    "config interface 'wan'", //        1
    "\toption reliability '0'", //      2
    "config member 'm'", //             3
    "\toption interface 'wan'", //      4
    "\toption weight '0'", //           5
    "\toption metric '1001'", //        6
    "config policy 'p'", //             7
    "\tlist use_member 'm'", //         8
    "config rule 'r'", //               9
    "\toption use_policy 'p'", //      10
    "\toption sticky '1'", //          11
    "\toption timeout '0'", //         12
  ].join('\n');
  const r = loadConfigText(text, 'f');
  assert.deepEqual(r.errors.map((e) => [e.line, e.code, e.field]), [
    [2, 'ERR_MWAN_RANGE', 'wan.reliability'],
    [5, 'ERR_MWAN_RANGE', 'm.weight'],
    [6, 'ERR_MWAN_RANGE', 'm.metric'],
    [12, 'ERR_MWAN_RANGE', 'r.timeout'],
  ]);
});
