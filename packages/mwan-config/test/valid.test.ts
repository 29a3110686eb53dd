import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, loadConfig, loadConfigOrThrow, loadConfigText, ConfigError, trackerSettings, interfaceRoutingOf, formatIssue } from '../src/index.js';

const here = fileURLToPath(new URL('.', import.meta.url)); // packages/mwan-config/dist/test/
const fixtures = join(here, '..', '..', 'test', 'fixtures');
const repoConfig = join(here, '..', '..', '..', '..', 'config');

function fixture(name: string): string {
  return readFileSync(join(fixtures, name), 'utf8');
}

test("mwan3's shipped default config loads unchanged, with mwan3's defaults", () => {
  const r = loadConfigText(fixture('mwan3-default.uci'), '/etc/config/mwan');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  const c = r.config;
  assert.ok(c);
  assert.deepEqual(c.interfaces.map((i) => [i.name, i.id, i.enabled, i.family, i.reliability]), [
    ['wan', 1, true, 'ipv4', 2],
    ['wan6', 2, false, 'ipv6', 2],
    ['wanb', 3, false, 'ipv4', 1],
    ['wanb6', 4, false, 'ipv6', 1],
  ]);
  const wan = c.interfaces[0];
  assert.ok(wan);
  assert.deepEqual(
    { ...trackerSettings(wan), trackIp: undefined },
    {
      trackIp: undefined,
      trackMethod: 'ping',
      httpingSsl: false,
      reliability: 2,
      count: 1,
      timeout: 4,
      interval: 10,
      failureInterval: 10,
      recoveryInterval: 10,
      keepFailureInterval: false,
      down: 5,
      up: 5,
      size: 56,
      maxTtl: 60,
      checkQuality: false,
      failureLatency: 1000,
      recoveryLatency: 500,
      failureLoss: 40,
      recoveryLoss: 10,
      initialState: 'online',
    },
  );
  assert.equal(c.globals.mmxMask, 0x3f00);
  assert.equal(c.globals.loglevel, 'notice');
  assert.equal(c.members.length, 10);
  assert.deepEqual(c.members[0], { interface: 'wan', metric: 1, weight: 3, name: 'wan_m1_w3', source: { file: '/etc/config/mwan', line: 43 } });
  assert.deepEqual(c.policies.map((p) => [p.name, p.lastResort, p.balance, p.useMember.length]), [
    ['wan_only', 'unreachable', 'weighted', 2],
    ['wanb_only', 'unreachable', 'weighted', 2],
    ['balanced', 'unreachable', 'weighted', 4],
    ['wan_wanb', 'unreachable', 'weighted', 4],
    ['wanb_wan', 'unreachable', 'weighted', 4],
  ]);
  const https = c.rules[0];
  assert.ok(https);
  assert.deepEqual(
    [https.name, https.sticky, https.timeout, https.proto, https.destPort, https.family, https.usePolicy],
    ['https', true, 600, 'tcp', [{ from: 443, to: 443 }], 'any', 'balanced'],
  );
  assert.deepEqual(c.rules.map((r) => r.destIp), [[], ['0.0.0.0/0'], ['::/0']]);
  assert.deepEqual(interfaceRoutingOf(c, 'wan6'), { id: 2, table: 2, mark: 0x200, mask: 0x3f00, prefIif: 1002, prefFwmark: 2002, prefUnreachable: 3002 });
});

test('the wiki examples (DNS/mail/multi-ip/ipset/privoxy/iperf3 rules, package mwan3 line) load unchanged', () => {
  const r = loadConfigText(fixture('wiki-examples.uci'), 'wiki');
  assert.deepEqual(r.errors, []);
  // the wiki's own examples break mwan3's 15-character limit: mwan3 would skip them, mwan warns
  assert.deepEqual(r.warnings.map((w) => [w.line, w.code, w.field]), [
    [58, 'WARN_MWAN_NAME_LENGTH', 'wan_wanb_loadbalanced'],
    [67, 'WARN_MWAN_NAME_LENGTH', 'example_mail_wan'],
    [84, 'WARN_MWAN_NAME_LENGTH', 'mailserver_uses_wanb_only'],
  ]);
  const c = r.config;
  assert.ok(c);
  const byName = new Map(c.rules.map((x) => [x.name, x]));
  assert.deepEqual(byName.get('example_dns_wan')?.destIp, ['194.168.4.100', '194.168.8.100']);
  assert.deepEqual(byName.get('multi_ip_rule')?.destIp, ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4']);
  assert.deepEqual(byName.get('youtube')?.destPort, [{ from: 80, to: 80 }, { from: 443, to: 443 }]);
  assert.equal(byName.get('youtube')?.ipset, 'youtube');
  assert.equal(byName.get('rule2')?.usePolicy, 'default');
  assert.deepEqual(c.interfaces[0]?.flushConntrack, ['ifup']);
});

test('legacy globals options are warnings, not failures', () => {
  const r = loadConfigText(fixture('legacy-globals.uci'), 'legacy');
  assert.deepEqual(r.errors, []);
  assert.ok(r.config);
  assert.deepEqual(r.warnings.map((w) => [w.line, w.code, w.field]), [
    [3, 'WARN_MWAN_DEPRECATED_OPTION', 'globals.local_source'],
    [5, 'WARN_MWAN_DEPRECATED_OPTION', 'globals.rtmon_interval'],
  ]);
});

test('config/mwan shipped with mwan validates, and every tracked target is what mwan3 ships', () => {
  const r = loadConfig(repoConfig);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.config?.interfaces.length, 4);
  assert.equal(r.config?.rules.length, 3);
});

test('config/mwan.schema.json is the schema the validator uses', () => {
  const onDisk = JSON.parse(readFileSync(join(repoConfig, 'mwan.schema.json'), 'utf8'));
  assert.deepEqual(onDisk, buildSchema());
});

const W = (body: string): string =>
  "config interface 'wan'\n\tlist track_ip '192.0.2.1'\n\nconfig member 'm'\n\toption interface 'wan'\n\nconfig policy 'p'\n\tlist use_member 'm'\n\n" + body;

test('suspicious but mwan3-valid configs load with warnings at file:line', () => {
  const cases: [string, [number, string][]][] = [
    ["config rule 'r'\n\toption use_policy 'p'\n\toption colour 'blue'\n", [[12, 'WARN_MWAN_UNKNOWN_OPTION']]],
    ["config fancy 'x'\n", [[10, 'WARN_MWAN_UNKNOWN_SECTION']]],
    ["config rule 'r'\n\toption use_policy 'p'\n\toption dest_port '80'\n", [[12, 'WARN_MWAN_PORTS_IGNORED']]],
    ["config rule 'r'\n\toption use_policy 'p'\n\toption timeout '30'\n", [[12, 'WARN_MWAN_TIMEOUT_WITHOUT_STICKY']]],
    ["config rule 'r'\n\toption use_policy 'p'\n\toption family 'ipv6'\n\toption dest_ip '10.0.0.0/8'\n", [[13, 'WARN_MWAN_FAMILY_MISMATCH']]],
    ["config member 'm2'\n\toption interface 'wan'\n\toption metric '300'\n", [[12, 'WARN_MWAN_METRIC']]],
    ["config policy 'empty'\n", [[10, 'WARN_MWAN_EMPTY_POLICY']]],
    ["config policy 'p2'\n\tlist use_member 'm'\n\tlist use_member 'm'\n", [[12, 'WARN_MWAN_DUPLICATE_MEMBER']]],
    ["config interface 'w2'\n\tlist track_ip '192.0.2.2'\n\toption reliability '2'\n", [[12, 'WARN_MWAN_RELIABILITY']]],
    ["config interface 'w2'\n\tlist flush_conntrack 'always'\n", [[11, 'WARN_MWAN_FLUSH_LEGACY']]],
    ["config interface 'w2'\n\toption recovery_loss '50'\n", [[11, 'WARN_MWAN_QUALITY_THRESHOLDS']]],
    ["config globals 'g'\n\toption logging '1'\n", [[10, 'WARN_MWAN_GLOBALS_NAME']]],
    ['config member\n\toption interface \'wan\'\n', [[10, 'WARN_MWAN_ANONYMOUS']]],
    ["config rule 'a_rule_name_over_15'\n\toption use_policy 'p'\n", [[10, 'WARN_MWAN_NAME_LENGTH']]],
  ];
  for (const [body, expected] of cases) {
    const r = loadConfigText(W(body), 'f');
    assert.deepEqual(r.errors, [], body);
    assert.ok(r.config, body);
    assert.deepEqual(r.warnings.map((w) => [w.line, w.code]), expected, body);
  }
});

test('legacy flush_conntrack values map like mwan3 (always = ifup+ifdown, never = none)', () => {
  const c = loadConfigText(W("config interface 'w2'\n\tlist flush_conntrack 'always'\n\nconfig interface 'w3'\n\tlist flush_conntrack 'never'\n"), 'f').config;
  assert.deepEqual(c?.interfaces.map((i) => i.flushConntrack), [[], ['ifup', 'ifdown'], []]);
});

test('mwan extensions: fractional intervals, balance modes, list form of dest_ip', () => {
  const c = loadConfigText(
    "config interface 'wan'\n\toption interval '0.2'\n\toption timeout '0.5'\n\toption failure_interval '0.1'\n" +
      "config member 'm'\n\toption interface 'wan'\nconfig policy 'p'\n\tlist use_member 'm'\n\toption balance 'src_hash'\n" +
      "config rule 'r'\n\tlist dest_ip '192.0.2.0/24'\n\tlist dest_ip '198.51.100.0/24,203.0.113.1'\n\toption use_policy 'p'\n",
    'f',
  ).config;
  assert.ok(c);
  assert.deepEqual([c.interfaces[0]?.interval, c.interfaces[0]?.timeout, c.interfaces[0]?.failureInterval, c.interfaces[0]?.recoveryInterval], [0.2, 0.5, 0.1, 0.2]);
  assert.equal(c.policies[0]?.balance, 'src_hash');
  assert.deepEqual(c.rules[0]?.destIp, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.1']);
});

test('loadConfig reads <dir>/mwan; a missing file is one ERR_MWAN_NO_CONFIG; loadConfigOrThrow throws ConfigError', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = loadConfig(dir);
  assert.deepEqual(missing.errors.map((e) => [e.code, e.file]), [['ERR_MWAN_NO_CONFIG', join(dir, 'mwan')]]);
  copyFileSync(join(fixtures, 'mwan3-default.uci'), join(dir, 'mwan'));
  assert.equal(loadConfigOrThrow(dir).config.interfaces.length, 4);
  writeFileSync(join(dir, 'mwan'), "config member 'm'\n\toption interface 'nope'\n");
  assert.throws(
    () => loadConfigOrThrow(dir),
    (e: unknown) => e instanceof ConfigError && e.code === 'ERR_MWAN_CONFIG' && e.errors[0]?.code === 'ERR_MWAN_UNKNOWN_INTERFACE' && e.message === `${join(dir, 'mwan')}:2: ERR_MWAN_UNKNOWN_INTERFACE: ${e.errors[0]?.message}`,
  );
  assert.equal(formatIssue({ severity: 'error', code: 'X', file: 'f', line: 3, field: null, message: 'm' }), 'f:3: X: m');
});

test('rules may share one ipset; a name ending in _v6 is fine while no rule uses its base name', () => {
  const r = loadConfigText(
    W("config rule 'a'\n\toption ipset 'vpn'\n\toption use_policy 'p'\n\nconfig rule 'b'\n\toption ipset 'vpn'\n\toption use_policy 'p'\n\nconfig rule 'c'\n\toption ipset 'other_v6'\n\toption use_policy 'p'\n"),
    'f',
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.config?.rules.map((x) => x.ipset), ['vpn', 'vpn', 'other_v6']);
});
