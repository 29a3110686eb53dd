import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, dispatch } from '../src/index.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await dispatch(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test('unknown or missing command: usage on stderr, exit 64 (wrong command line); help: stdout, 0', async () => {
  const r = await run(['frobnicate']);
  assert.equal(r.code, 64);
  assert.equal(r.out, '');
  assert.match(r.err, /^mwan: unknown command 'frobnicate'\nUsage: mwan <command>/);
  assert.match(r.err, /\n {2}check \[-c DIR\] \[--json\]/);
  const none = await run([]);
  assert.equal(none.code, 64);
  assert.match(none.err, /^Usage: mwan/);
  // names inherited from Object.prototype are not commands
  assert.equal((await run(['toString'])).code, 64);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: mwan/);
  assert.equal(help.err, '');
});

test('-s / -c without a value: exit 64 naming the flag, never 2 (= cannot reach ubus)', async () => {
  for (const argv of [['check', '-c'], ['check', '-c', ''], ['status', '-s'], ['-c'], ['plan', '-c'], ['explain', '10.0.0.1', '192.0.2.1', '-s']]) {
    const r = await run(argv);
    assert.equal(r.code, 64, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, /-[sc] needs a value/, argv.join(' '));
  }
  const r = await run(['check', '-c']);
  assert.equal(r.err, "mwan check: -c needs a value (the UCI config directory)\n");
  // check's own usage errors (its code 2) are a wrong command line too
  assert.equal((await run(['check', '--bogus'])).code, 64);
});

test('explain checks SRC, DST, PROTO and PORT before contacting mwand: exit 64 naming the field', async () => {
  // no socket exists at -s: a check that reached the bus would exit 2
  const sock = ['-s', '/nonexistent/ubus.sock'];
  const cases: [string[], string][] = [
    [['1.2.3.x', '192.0.2.1'], "mwan explain: SRC '1.2.3.x' is not an IP address\n"],
    [['10.0.0.1', 'example'], "mwan explain: DST 'example' is not an IP address\n"],
    [['10.0.0.1', '2001:db8::1'], "mwan explain: SRC '10.0.0.1' and DST '2001:db8::1' are of different families (IPv4 and IPv6)\n"],
    [['10.0.0.1', '192.0.2.1', 'tcpp'], "mwan explain: PROTO 'tcpp' is not a protocol (all, icmp, igmp, tcp, udp, gre, esp, ah, icmpv6, ipv6-icmp, sctp or a number 0-255)\n"],
    [['10.0.0.1', '192.0.2.1', '300'], "mwan explain: PROTO '300' is not a protocol (all, icmp, igmp, tcp, udp, gre, esp, ah, icmpv6, ipv6-icmp, sctp or a number 0-255)\n"],
    [['10.0.0.1', '192.0.2.1', 'tcp', '70000'], "mwan explain: PORT '70000' is not a number 0-65535\n"],
    [['10.0.0.1'], 'mwan explain: SRC and DST are required; usage: mwan explain SRC DST [PROTO [PORT]] [--in IFACE]\n'],
    [['10.0.0.1', '192.0.2.1', '--in'], 'mwan explain: --in needs a value (the netifd interface the flow arrives on, e.g. lan); usage: mwan explain SRC DST [PROTO [PORT]] [--in IFACE]\n'],
    [['10.0.0.1', '192.0.2.1', '--in', ''], 'mwan explain: --in needs a value (the netifd interface the flow arrives on, e.g. lan); usage: mwan explain SRC DST [PROTO [PORT]] [--in IFACE]\n'],
    [['10.0.0.1', '192.0.2.1', '--in', 'br-lan'], "mwan explain: --in 'br-lan' is not a netifd interface name (1-64 letters, digits, _)\n"],
    [['--in', 'lan;x', '10.0.0.1', '192.0.2.1'], "mwan explain: --in 'lan;x' is not a netifd interface name (1-64 letters, digits, _)\n"],
    [['10.0.0.1', '192.0.2.1', '--in', 'lan', '--in', 'guest'], 'mwan explain: --in given twice; usage: mwan explain SRC DST [PROTO [PORT]] [--in IFACE]\n'],
    [['10.0.0.1', '--in', 'lan'], 'mwan explain: SRC and DST are required; usage: mwan explain SRC DST [PROTO [PORT]] [--in IFACE]\n'],
  ];
  for (const [args, msg] of cases) {
    const r = await run(['explain', ...sock, ...args]);
    assert.equal(r.code, 64, args.join(' '));
    assert.equal(r.err, msg);
  }
  // valid arguments do reach for the bus (and find none here)
  assert.equal((await run(['explain', ...sock, '2001:db8::2', '2001:db8::1', 'TCP', '443'])).code, 2);
  assert.equal((await run(['explain', ...sock, '--in', 'lan', '2001:db8::2', '2001:db8::1'])).code, 2);
});

test('mwan check is dispatched with its arguments', async (t) => {
  assert.ok(COMMANDS.check);
  const d = mkdtempSync(join(tmpdir(), 'mwan-cli-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  writeFileSync(join(d, 'mwan'), "config member 'm'\n\toption interface 'nope'\n");
  const r = await run(['check', '-c', d]);
  assert.equal(r.code, 1);
  assert.match(r.out, /mwan:2: ERR_MWAN_UNKNOWN_INTERFACE: /);
});

test('global flags may stand before the command, as with `ubus -s SOCK list`', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'mwan-cli-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  writeFileSync(join(d, 'mwan'), "config member 'm'\n\toption interface 'nope'\n");
  const r = await run(['-c', d, '--json', 'check']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.out);
  assert.ok(JSON.stringify(j).includes('ERR_MWAN_UNKNOWN_INTERFACE'), r.out);
  // a socket that does not exist: the status command reports the broker as unreachable
  const s = await run(['-s', join(d, 'nope.sock'), 'status']);
  assert.notEqual(s.code, 0);
  assert.doesNotMatch(s.err, /unknown command/);
});

test('check and plan take the global -s like every command (they do not use the bus: it is ignored)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-cli-s-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mwan'), "config interface 'wan'\n\toption enabled '1'\nconfig member 'wan_m1'\n\toption interface 'wan'\nconfig policy 'only'\n\tlist use_member 'wan_m1'\n");
  for (const argv of [['-s', '/nonexistent.sock', 'check', '-c', dir], ['check', '-s', '/nonexistent.sock', '-c', dir]]) {
    const r = await run(argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.err}`);
  }
  const p = await run(['-s', '/nonexistent.sock', 'plan', '-c', dir]);
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /table inet mwan \{/);
  // a broken config is still an error with its line, -s or not
  writeFileSync(join(dir, 'mwan'), "config member 'm'\n\toption interface 'nosuch'\n");
  const bad = await run(['-s', '/nonexistent.sock', 'check', '-c', dir]);
  assert.equal(bad.code, 1);
  assert.match(bad.out + bad.err, /mwan:2:/);
});
