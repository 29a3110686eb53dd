import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canUseNetns, Lab } from 'netns-kit';
import type { LoadResult, MwanConfig } from 'mwan-config';
import { runPlan } from '../src/index.js';

const src = { file: '/etc/config/mwan', line: 1 };
const model: MwanConfig = {
  globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [], sourceRouting: false, source: null },
  interfaces: (['wan', 'wanb'] as const).map((name, i) => ({
    name, id: i + 1, enabled: true, family: 'ipv4' as const, flushConntrack: [], source: src,
    trackIp: [], trackMethod: 'ping' as const, httpingSsl: false, reliability: 1, count: 1, timeout: 4, interval: 10, failureInterval: 10,
    recoveryInterval: 10, keepFailureInterval: false, down: 5, up: 5, size: 56, maxTtl: 60, checkQuality: false,
    failureLatency: 1000, recoveryLatency: 500, failureLoss: 40, recoveryLoss: 10, initialState: 'online' as const,
  })),
  members: [{ name: 'wan_m1', interface: 'wan', metric: 1, weight: 3, source: src }, { name: 'wanb_m1', interface: 'wanb', metric: 1, weight: 1, source: src }],
  policies: [{ name: 'balanced', useMember: ['wan_m1', 'wanb_m1'], lastResort: 'unreachable', balance: 'weighted', source: src }],
  rules: [{
    name: 'https', usePolicy: 'balanced', family: 'any', proto: 'tcp', srcIp: [], destIp: [], srcPort: [], destPort: [{ from: 443, to: 443 }],
    srcIface: null, ipset: null, sticky: true, timeout: 600, logging: false, source: src,
  }],
};
const ok = (): LoadResult => ({ config: model, errors: [], warnings: [] });

function io(load: () => LoadResult) {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, loadConfig: load } };
}

test('mwan plan prints the nft table, mwan3-style ip rules and WAN routes from config + state', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const stateFile = join(dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify({ wans: { wan: { status: 'online', device: 'eth1', gateway: '192.0.2.1' }, wanb: { status: 'offline', device: 'eth2' } } }));
  const { out, io: pio } = io(ok);
  assert.equal(await runPlan(['-c', dir, '--state', stateFile], pio), 0);
  assert.match(out.stdout, /table inet mwan \{/);
  assert.match(out.stdout, /chain policy_balanced_v4 \{\n\t\tmeta oifname eth2 goto set_default\n\t\tgoto mark_wan\n/, 'wanb offline: all to wan');
  assert.match(out.stdout, /ip -4 rule add pref 2001 fwmark 0x100\/0x3f00 lookup 1/);
  assert.match(out.stdout, /ip -4 route replace default via 192.0.2.1 dev eth1 table 1/);
});

test('mwan plan: a bad state file or a config error exits 1 naming where; bad flags exit 64', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ wans: { wan: { status: 'sideways' } } }));
  let r = io(ok);
  assert.equal(await runPlan(['--state', bad], r.io), 1);
  assert.match(r.out.stderr, /bad\.json: wans\.wan\.status: "sideways"/);
  r = io(() => ({ config: null, errors: [{ severity: 'error', code: 'ERR_X', file: '/c/mwan', line: 7, field: 'r.use_policy', message: 'unknown policy' }], warnings: [] }));
  assert.equal(await runPlan(['-c', '/c'], r.io), 1);
  assert.match(r.out.stderr, /^\/c\/mwan:7: unknown policy/);
  r = io(ok);
  assert.equal(await runPlan(['--bogus'], r.io), 64);
});

test('the printed table is valid nft input (checked by nft -c in a private namespace)', { skip: !canUseNetns() && 'needs root' }, async (t) => {
  const lab = new Lab('pc');
  t.after(() => lab.destroy());
  const ns = lab.netns('a');
  const { out, io: pio } = io(ok);
  assert.equal(await runPlan([], pio), 0);
  const table = out.stdout.slice(out.stdout.indexOf('table inet mwan'), out.stdout.indexOf('# ip rules'));
  const res = ns.run(['nft', '-c', '-f', '-'], { input: table, allowFail: true });
  assert.equal(res.code, 0, res.stderr);
});

test('mwan plan --state: a device or gateway that would reach ip/nft unvalidated is an error naming the file and field (exit 1, nothing printed)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const st = join(dir, 'st.json');
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ device: 'eth1; rm -rf /', gateway: '1.2.3.4 dev x' }, /st\.json: wans\.wan\.device: "eth1; rm -rf \/" is not a valid interface name/],
    [{ device: 'eth1', gateway: '1.2.3.4 dev x' }, /st\.json: wans\.wan\.gateway: "1\.2\.3\.4 dev x" is not an IP address/],
    [{ device: 'eth1', gateway: '2001:db8::1' }, /st\.json: wans\.wan\.gateway: wan 'wan': gateway "2001:db8::1" is not an IPv4 address/],
    [{ device: 'eth1', lossPct: 250 }, /st\.json: wans\.wan\.lossPct: 250/],
    [{ device: 'eth1', latencyMs: 'fast' }, /st\.json: wans\.wan\.latencyMs: "fast"/],
    [{ device: 'eth1', addresses: ['192.0.2.2/40'] }, /st\.json: wans\.wan\.addresses/],
    [{ device: 'eth1', up: 'yes' }, /st\.json: wans\.wan\.up/],
  ];
  for (const [wan, msg] of cases) {
    writeFileSync(st, JSON.stringify({ wans: { wan: { status: 'online', ...wan } } }));
    const r = io(ok);
    assert.equal(await runPlan(['--state', st], r.io), 1, JSON.stringify(wan));
    assert.match(r.out.stderr, msg);
    assert.equal(r.out.stdout, '', 'no plan printed');
  }
});

test('mwan plan: a src_iface outside the mwan config (lan) takes its device from the state file, or its own name without one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lanRule = (): LoadResult => ({ ...ok(), config: { ...model, rules: [{ ...model.rules[0]!, name: 'from_lan', srcIface: 'lan' }] } });
  let r = io(lanRule);
  assert.equal(await runPlan([], r.io), 0);
  assert.match(r.out.stdout, /chain rules_v4 \{\n\t\tmeta iifname lan meta l4proto tcp tcp dport 443 counter goto sticky_from_lan_v4/);
  const st = join(dir, 'st.json');
  writeFileSync(st, JSON.stringify({ wans: { wan: { status: 'online', device: 'eth1' } }, devices: { lan: 'br-lan' } }));
  r = io(lanRule);
  assert.equal(await runPlan(['--state', st], r.io), 0);
  assert.match(r.out.stdout, /meta iifname br-lan meta l4proto tcp/);
  writeFileSync(st, JSON.stringify({ wans: {}, devices: { lan: 'br-lan x' } }));
  r = io(lanRule);
  assert.equal(await runPlan(['--state', st], r.io), 1);
  assert.match(r.out.stderr, /st\.json: devices\.lan: "br-lan x" is not a valid interface name/);
  assert.equal(r.out.stdout, '');
});

test('mwan3\'s log levels (warning, error) from a real config file plan into a ruleset nft accepts', { skip: !canUseNetns() && 'needs root' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lab = new Lab('pl');
  t.after(() => lab.destroy());
  const ns = lab.netns('a');
  for (const level of ['warning', 'error']) {
    writeFileSync(join(dir, 'mwan'), [
      'config globals \'globals\'', '\toption logging \'1\'', `\toption loglevel '${level}'`,
      'config interface \'wan\'', '\toption enabled \'1\'',
      'config member \'wan_m1\'', '\toption interface \'wan\'',
      'config policy \'only\'', '\tlist use_member \'wan_m1\'',
      'config rule \'logged\'', '\toption dest_ip \'0.0.0.0/0\'', '\toption logging \'1\'', '\toption use_policy \'only\'', '',
    ].join('\n'));
    const out = { stdout: '', stderr: '' };
    assert.equal(await runPlan(['-c', dir], { stdout: (s: string) => (out.stdout += s), stderr: (s: string) => (out.stderr += s) }), 0, out.stderr);
    const table = out.stdout.slice(out.stdout.indexOf('table inet mwan'), out.stdout.indexOf('# ip rules'));
    assert.match(table, new RegExp(`log prefix "MWAN\\(logged\\) " level ${level === 'warning' ? 'warn' : 'err'}`));
    const res = ns.run(['nft', '-c', '-f', '-'], { input: table, allowFail: true });
    assert.equal(res.code, 0, `${level}: ${res.stderr}`);
  }
});
