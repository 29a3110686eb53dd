import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../src/index.js';

// A valid base; each case edits some lines (by 1-based number) and/or appends lines, then
// expects exactly these errors as [line, code] (sorted by line).
const BASE = [
  "config globals 'globals'", //       1
  "\toption mmx_mask '0x3F00'", //     2
  '', //                               3
  "config interface 'wan'", //         4
  "\toption enabled '1'", //           5
  "\tlist track_ip '192.0.2.1'", //    6
  "\toption family 'ipv4'", //         7
  '', //                               8
  "config interface 'wanb'", //        9
  "\toption enabled '1'", //          10
  "\tlist track_ip '198.51.100.1'", // 11
  '', //                              12
  "config member 'wan_m1'", //        13
  "\toption interface 'wan'", //      14
  '', //                              15
  "config member 'wanb_m1'", //       16
  "\toption interface 'wanb'", //     17
  '', //                              18
  "config policy 'balanced'", //      19
  "\tlist use_member 'wan_m1'", //    20
  "\tlist use_member 'wanb_m1'", //   21
  '', //                              22
  "config rule 'default_rule'", //    23
  "\toption dest_ip '0.0.0.0/0'", //  24
  "\toption use_policy 'balanced'", //25
];

function build(edit: Record<number, string> = {}, append: string[] = []): string {
  const lines = BASE.map((l, i) => edit[i + 1] ?? l);
  return [...lines, ...append].join('\n') + '\n';
}

interface Case {
  name: string;
  edit?: Record<number, string>;
  append?: string[];
  errors: [number, string][];
}

const I = (opt: string): Record<number, string> => ({ 7: `\toption ${opt}` });
const R = (opt: string): Record<number, string> => ({ 24: `\toption ${opt}` });
const G = (opt: string): Record<number, string> => ({ 3: `\toption ${opt}` });

const CASES: Case[] = [
  // globals
  { name: 'mmx_mask not a number', edit: { 2: "\toption mmx_mask 'zz'" }, errors: [[2, 'ERR_MWAN_TYPE']] },
  { name: 'mmx_mask zero', edit: { 2: "\toption mmx_mask '0'" }, errors: [[2, 'ERR_MWAN_RANGE']] },
  { name: 'mmx_mask above 32 bits', edit: { 2: "\toption mmx_mask '0x1FFFFFFFF'" }, errors: [[2, 'ERR_MWAN_RANGE']] },
  { name: 'mmx_mask too few bits for any interface', edit: { 2: "\toption mmx_mask '0x3'" }, errors: [[2, 'ERR_MWAN_MASK_TOO_SMALL']] },
  {
    name: 'more interfaces than the mask allows (3 bits → 4)',
    edit: { 2: "\toption mmx_mask '0x700'" },
    append: ['', "config interface 'w3'", '', "config interface 'w4'", '', "config interface 'w5'"],
    errors: [[31, 'ERR_MWAN_TOO_MANY_INTERFACES']],
  },
  { name: 'globals logging not boolean', edit: G("logging 'sometimes'"), errors: [[3, 'ERR_MWAN_TYPE']] },
  { name: 'globals loglevel unknown', edit: G("loglevel 'loud'"), errors: [[3, 'ERR_MWAN_ENUM']] },
  { name: 'globals loglevel in upper case (nft and mwan3 know lower case only)', edit: G("loglevel 'WARNING'"), errors: [[3, 'ERR_MWAN_ENUM']] },
  { name: 'rt_table_lookup not a number', edit: G("rt_table_lookup 'main'"), errors: [[3, 'ERR_MWAN_TYPE']] },
  { name: 'rt_table_lookup zero', edit: { 3: "\tlist rt_table_lookup '100'\n\tlist rt_table_lookup '0'" }, errors: [[4, 'ERR_MWAN_RANGE']] },
  { name: 'source_routing not boolean', edit: G("source_routing 'x'"), errors: [[3, 'ERR_MWAN_TYPE']] },
  // interface
  { name: 'enabled not boolean', edit: { 5: "\toption enabled 'maybe'" }, errors: [[5, 'ERR_MWAN_TYPE']] },
  { name: 'track_ip not an address', edit: { 6: "\tlist track_ip 'not-an-ip'" }, errors: [[6, 'ERR_MWAN_FORMAT']] },
  { name: 'track_ip host name', edit: { 6: "\tlist track_ip 'example.com'" }, errors: [[6, 'ERR_MWAN_FORMAT']] },
  { name: 'track_ip of the other family', edit: { 6: "\tlist track_ip '2001:db8::1'" }, errors: [[6, 'ERR_MWAN_FAMILY_MISMATCH']] },
  { name: 'second track_ip bad, on its own line', edit: { 6: "\tlist track_ip '192.0.2.1'\n\tlist track_ip '192.0.2.300'" }, errors: [[7, 'ERR_MWAN_FORMAT']] },
  { name: 'family unknown', edit: { 7: "\toption family 'ipv5'" }, errors: [[7, 'ERR_MWAN_ENUM']] },
  { name: 'family given as a list', edit: { 7: "\tlist family 'ipv4'" }, errors: [[7, 'ERR_MWAN_NOT_A_LIST']] },
  { name: 'reliability zero', edit: I("reliability '0'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'reliability not a number', edit: I("reliability 'two'"), errors: [[7, 'ERR_MWAN_TYPE']] },
  { name: 'count zero', edit: I("count '0'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'timeout zero', edit: I("timeout '0'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'timeout negative', edit: I("timeout '-1'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'interval text', edit: I("interval 'fast'"), errors: [[7, 'ERR_MWAN_TYPE']] },
  { name: 'failure_interval zero', edit: I("failure_interval '0'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'recovery_interval with unit', edit: I("recovery_interval '5s'"), errors: [[7, 'ERR_MWAN_TYPE']] },
  { name: 'down zero', edit: I("down '0'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'up above 1000', edit: I("up '1001'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'size above 65507', edit: I("size '70000'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'max_ttl above 255', edit: I("max_ttl '256'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'track_method unknown', edit: I("track_method 'curl'"), errors: [[7, 'ERR_MWAN_ENUM']] },
  { name: 'failure_loss above 100', edit: I("failure_loss '101'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'recovery_latency negative', edit: I("recovery_latency '-5'"), errors: [[7, 'ERR_MWAN_RANGE']] },
  { name: 'initial_state unknown', edit: I("initial_state 'maybe'"), errors: [[7, 'ERR_MWAN_ENUM']] },
  { name: 'flush_conntrack unknown event', edit: { 7: "\tlist flush_conntrack 'sometimes'" }, errors: [[7, 'ERR_MWAN_ENUM']] },
  { name: 'httping_ssl not boolean', edit: I("httping_ssl '2'"), errors: [[7, 'ERR_MWAN_TYPE']] },
  {
    name: 'arping on an ipv6 interface',
    edit: { 6: "\tlist track_ip '2001:db8::1'", 7: "\toption family 'ipv6'\n\toption track_method 'arping'" },
    errors: [[8, 'ERR_MWAN_TRACK_METHOD_FAMILY']],
  },
  { name: 'anonymous interface section', append: ['', 'config interface', "\toption enabled '0'"], errors: [[27, 'ERR_MWAN_ANONYMOUS_INTERFACE']] },
  // member
  { name: 'member of a missing interface', edit: { 14: "\toption interface 'wanc'" }, errors: [[14, 'ERR_MWAN_UNKNOWN_INTERFACE']] },
  { name: 'member without interface', edit: { 14: '\t# no interface' }, errors: [[13, 'ERR_MWAN_REQUIRED']] },
  { name: 'member interface with bad characters', edit: { 14: "\toption interface 'wan-x'" }, errors: [[14, 'ERR_MWAN_NAME'], [14, 'ERR_MWAN_UNKNOWN_INTERFACE']] },
  { name: 'metric not a number', edit: { 15: "\toption metric 'abc'" }, errors: [[15, 'ERR_MWAN_TYPE']] },
  { name: 'metric negative', edit: { 15: "\toption metric '-1'" }, errors: [[15, 'ERR_MWAN_RANGE']] },
  { name: 'weight zero', edit: { 15: "\toption weight '0'" }, errors: [[15, 'ERR_MWAN_RANGE']] },
  { name: 'metric above 1000', edit: { 15: "\toption metric '1001'" }, errors: [[15, 'ERR_MWAN_RANGE']] },
  { name: 'weight above 1000', edit: { 15: "\toption weight '1001'" }, errors: [[15, 'ERR_MWAN_RANGE']] },
  { name: 'weight fractional', edit: { 15: "\toption weight '1.5'" }, errors: [[15, 'ERR_MWAN_TYPE']] },
  // policy
  { name: 'policy uses a missing member', edit: { 20: "\tlist use_member 'nope'" }, errors: [[20, 'ERR_MWAN_UNKNOWN_MEMBER']] },
  { name: 'policy last_resort unknown', edit: { 22: "\toption last_resort 'drop'" }, errors: [[22, 'ERR_MWAN_ENUM']] },
  { name: 'policy balance unknown', edit: { 22: "\toption balance 'fastest'" }, errors: [[22, 'ERR_MWAN_ENUM']] },
  { name: 'policy named like a built-in target', edit: { 19: "config policy 'blackhole'", 25: "\toption use_policy 'blackhole'" }, errors: [[19, 'ERR_MWAN_RESERVED_NAME']] },
  // rule
  { name: 'rule uses a missing policy', edit: { 25: "\toption use_policy 'nope'" }, errors: [[25, 'ERR_MWAN_UNKNOWN_POLICY']] },
  { name: 'rule without use_policy', edit: { 25: '' }, errors: [[23, 'ERR_MWAN_REQUIRED']] },
  { name: 'dest_ip octet above 255', edit: R("dest_ip '300.0.0.1'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'dest_ip prefix too long', edit: R("dest_ip '10.0.0.0/33'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'dest_ip non-contiguous dotted netmask', edit: R("dest_ip '10.0.0.0/255.0.255.0'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'dest_ip dotted netmask on an IPv6 address', edit: R("dest_ip '2001:db8::/255.255.0.0'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'dest_ip host name', edit: R("dest_ip 'example.com'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'dest_ip trailing comma', edit: R("dest_ip '10.0.0.1,'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'src_ip an interface name', edit: R("src_ip 'lan'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'dest_port above 65535', edit: { 24: "\toption proto 'tcp'\n\toption dest_port '70000'" }, errors: [[25, 'ERR_MWAN_FORMAT']] },
  { name: 'dest_port range reversed', edit: { 24: "\toption proto 'udp'\n\toption dest_port '2000-1000'" }, errors: [[25, 'ERR_MWAN_FORMAT']] },
  { name: 'src_port service name', edit: { 24: "\toption proto 'tcp'\n\toption src_port 'http'" }, errors: [[25, 'ERR_MWAN_FORMAT']] },
  { name: 'proto unknown name', edit: R("proto 'tcpx'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'proto number above 255', edit: R("proto '256'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'proto unknown name in upper case', edit: R("proto 'TCPX'"), errors: [[24, 'ERR_MWAN_FORMAT']] },
  { name: 'rule family unknown', edit: R("family 'both'"), errors: [[24, 'ERR_MWAN_ENUM']] },
  { name: 'sticky not boolean', edit: R("sticky 'yes please'"), errors: [[24, 'ERR_MWAN_TYPE']] },
  { name: 'sticky timeout zero', edit: { 24: "\toption sticky '1'\n\toption timeout '0'" }, errors: [[25, 'ERR_MWAN_RANGE']] },
  { name: 'ipset with a dash', edit: R("ipset 'bad-name'"), errors: [[24, 'ERR_MWAN_NAME']] },
  { name: 'ipset naming a set mwan owns', edit: R("ipset 'connected_v4'"), errors: [[24, 'ERR_MWAN_RESERVED_SET']] },
  { name: 'ipset naming a verdict map mwan owns', edit: R("ipset 'src_wan_v4'"), errors: [[24, 'ERR_MWAN_RESERVED_SET']] },
  { name: "ipset whose IPv6 set (<name>_v6) is one mwan owns", edit: R("ipset 'connected'"), errors: [[24, 'ERR_MWAN_RESERVED_SET']] },
  {
    name: "one rule's ipset is another rule's IPv6 set (<name>_v6)",
    append: ['', "config rule 'vpn6'", "\toption ipset 'vpn_v6'", "\toption use_policy 'balanced'", '', "config rule 'vpn'", "\toption ipset 'vpn'", "\toption use_policy 'balanced'"],
    errors: [[28, 'ERR_MWAN_SET_CLASH']],
  },
  { name: 'rule keep-alive flag unknown type', edit: R("sticky '2'"), errors: [[24, 'ERR_MWAN_TYPE']] },
  { name: 'member metric with unit', edit: { 15: "\toption metric '10ms'" }, errors: [[15, 'ERR_MWAN_TYPE']] },
  { name: 'rule logging not boolean', edit: R("logging 'x'"), errors: [[24, 'ERR_MWAN_TYPE']] },
  { name: 'src_iface with bad characters', edit: R("src_iface 'br-lan'"), errors: [[24, 'ERR_MWAN_NAME']] },
  {
    name: 'only ipv4 sources and only ipv6 destinations',
    edit: { 24: "\toption src_ip '192.168.1.0/24'\n\toption dest_ip '2001:db8::/32'" },
    errors: [[25, 'ERR_MWAN_FAMILY_CONFLICT']],
  },
  // names and structure
  { name: 'member defined twice', append: ['', "config member 'wan_m1'", "\toption interface 'wan'"], errors: [[27, 'ERR_MWAN_DUPLICATE_NAME']] },
  { name: 'a rule named like an interface (uci: different type)', append: ['', "config rule 'wan'", "\toption use_policy 'balanced'"], errors: [[27, 'ERR_UCI_PARSE']] },
  // syntax: every bad line reported, not only the first
  { name: 'two syntax errors', edit: { 3: 'garbage here', 8: 'bogus again' }, errors: [[3, 'ERR_UCI_PARSE'], [8, 'ERR_UCI_PARSE']] },
  { name: 'unterminated quote swallows the rest of the file', edit: { 21: "\tlist use_member 'wanb_m1" }, errors: [[25, 'ERR_UCI_PARSE']] },
  { name: 'invalid option name', edit: { 7: "\toption fam.ily 'ipv4'" }, errors: [[7, 'ERR_UCI_PARSE']] },
  {
    name: 'several semantic errors at once',
    edit: { 5: "\toption enabled 'x'", 14: "\toption interface 'wanc'", 25: "\toption use_policy 'nope'" },
    errors: [
      [5, 'ERR_MWAN_TYPE'],
      [14, 'ERR_MWAN_UNKNOWN_INTERFACE'],
      [25, 'ERR_MWAN_UNKNOWN_POLICY'],
    ],
  },
];

test(`at least 50 distinct malformed configs are listed (${CASES.length})`, () => {
  assert.ok(CASES.length >= 50);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
});

test('the base config is valid', () => {
  const r = loadConfigText(build(), '/etc/config/mwan');
  assert.deepEqual(r.errors, []);
  assert.ok(r.config);
});

for (const c of CASES) {
  test(`rejects: ${c.name}`, () => {
    const r = loadConfigText(build(c.edit, c.append), '/etc/config/mwan');
    assert.equal(r.config, null, 'a config with errors yields no model');
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.code]),
      c.errors,
      r.errors.map((e) => `${e.line}: ${e.code}: ${e.message}`).join('\n'),
    );
    for (const e of r.errors) {
      assert.equal(e.file, '/etc/config/mwan');
      assert.equal(e.severity, 'error');
      assert.ok(e.message.length > 0);
    }
  });
}
