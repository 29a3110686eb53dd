import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigText } from 'mwan-config';
import { Lab, canUseNetns, run, waitUntil } from 'netns-kit';
import { ExitCode, type CliContext } from '../src/commands/index.js';
import { cgroup2Mounts, planUse } from '../src/commands/use-plan.js';
import { parseUseArgs, runUse, useCommand, wrapperArgv, type UseChild, type UseHost } from '../src/commands/use.js';
import { runMwandCommand } from '../src/commands/index.js';
import { mwandCommandDef } from '../src/commands/entry.js';
import { COMMANDS, dispatch } from '../src/index.js';

const CONFIG = `
config globals 'globals'
	option mmx_mask '0x3F00'

config interface 'wana'
	option enabled '1'
	option family 'ipv4'

config interface 'wanb'
	option enabled '1'
	option family 'ipv4'

config interface 'wanc'
	option enabled '0'
	option family 'ipv4'
`;

const MOUNTINFO_HYBRID = [
  '25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw',
  '27 25 0:24 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
].join('\n');
const MOUNTINFO_UNIFIED = '30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate';

const load = loadConfigText(CONFIG, '/etc/config/mwan');

function ctxOf(): CliContext & { err: string[] } {
  const err: string[] = [];
  return { socket: '/nonexistent', configDir: '/etc/config', json: false, stdout: { write: () => {} }, stderr: { write: (s: string) => err.push(s) }, err };
}

test('plan: wanb (2nd interface) is mark 0x200 in mask 0x3f00, a level-2 cgroup nft can name, a table of its own', () => {
  const p = planUse({ load, iface: 'wanb', pid: 4242, mounts: cgroup2Mounts(MOUNTINFO_UNIFIED) });
  assert.equal(p.mark, 0x200);
  assert.equal(p.table, 2);
  assert.equal(p.cgroupDir, '/sys/fs/cgroup/mwan-use/4242');
  assert.equal(p.nftCgroupPath, 'mwan-use/4242');
  assert.equal(p.nftTable, 'mwan_use_4242');
  assert.match(p.nftAdd, /type route hook output priority mangle - 1;/);
  assert.match(p.nftAdd, /socket cgroupv2 level 2 "mwan-use\/4242" meta mark set meta mark & 0xffffc0ff \| 0x200\n/);
  assert.equal(p.nftDelete, 'delete table inet mwan_use_4242\n');
  // a hybrid host: cgroup2 below /sys/fs/cgroup, still level 2 in its hierarchy
  const h = planUse({ load, iface: 'wana', pid: 7, mounts: cgroup2Mounts(MOUNTINFO_HYBRID) });
  assert.equal(h.cgroupDir, '/sys/fs/cgroup/unified/mwan-use/7');
  assert.equal(h.nftCgroupPath, 'unified/mwan-use/7');
  assert.equal(h.mark, 0x100);
});

test('plan: unknown or disabled interface → exit 1 naming it; no cgroup v2 or one nft cannot name → exit 4', () => {
  const mounts = cgroup2Mounts(MOUNTINFO_UNIFIED);
  assert.throws(() => planUse({ load, iface: 'nope', pid: 1, mounts }), (e: any) => e.exitCode === ExitCode.FAILED && /interface "nope" is not configured in \/etc\/config\/mwan/.test(e.message));
  assert.throws(() => planUse({ load, iface: 'wanc', pid: 1, mounts }), (e: any) => e.exitCode === ExitCode.FAILED && /"wanc" is disabled \(\/etc\/config\/mwan:\d+/.test(e.message));
  const bad = loadConfigText("config interface 'wana'\n\toption enabled 'maybe'\n", '/etc/config/mwan');
  assert.throws(() => planUse({ load: bad, iface: 'wana', pid: 1, mounts }), (e: any) => e.exitCode === ExitCode.FAILED && /\/etc\/config\/mwan:2/.test(e.message));
  assert.throws(() => planUse({ load, iface: 'wana', pid: 1, mounts: cgroup2Mounts(MOUNTINFO_HYBRID.split('\n')[0]!) }), (e: any) => e.exitCode === ExitCode.NOT_IMPLEMENTED && /cgroup v2 is not mounted/.test(e.message));
  const elsewhere = cgroup2Mounts('40 1 0:30 / /mnt/cg rw - cgroup2 none rw');
  assert.throws(() => planUse({ load, iface: 'wana', pid: 1, mounts: elsewhere }), (e: any) => e.exitCode === ExitCode.NOT_IMPLEMENTED && /mounted at \/mnt\/cg/.test(e.message));
});

test('args: -- optional, command required; the wrapper passes the command as argv, never as shell text', () => {
  assert.deepEqual(parseUseArgs(['wanb', '--', 'ping', '-c1', 'x']), { iface: 'wanb', cmd: ['ping', '-c1', 'x'] });
  assert.deepEqual(parseUseArgs(['wanb', 'curl', 'x']), { iface: 'wanb', cmd: ['curl', 'x'] });
  assert.deepEqual(parseUseArgs(['wanb', '--', '--', 'x']), { iface: 'wanb', cmd: ['--', 'x'] }, 'only one -- is ours');
  assert.throws(() => parseUseArgs(['wanb', '--']), (e: any) => e.exitCode === ExitCode.USAGE);
  assert.throws(() => parseUseArgs([]), (e: any) => e.exitCode === ExitCode.USAGE);
  assert.throws(() => parseUseArgs(['-x', 'ping']), (e: any) => e.exitCode === ExitCode.USAGE && /unknown option '-x'/.test(e.message));
  const argv = wrapperArgv('/sys/fs/cgroup/mwan-use/9', ['echo', '$(id); rm -rf /']);
  assert.deepEqual(argv.slice(3), ['mwan-use', '/sys/fs/cgroup/mwan-use/9/cgroup.procs', 'echo', '$(id); rm -rf /']);
  const r = run([...argv.slice(0, 3), 'mwan-use', '/dev/null', 'echo', '$(id); rm -rf /']);
  assert.equal(r.stdout, '$(id); rm -rf /\n');
});

/** A recording host: the flow's order of effects, the child's fate chosen by the test. */
function fakeHost(opts: { nftAddFails?: boolean; exit?: { code: number | null; signal: NodeJS.Signals | null } }) {
  const log: string[] = [];
  /** the command of each spawn, as argv (after the wrapper), and each config dir loaded */
  const spawned: string[][] = [];
  const configDirs: string[] = [];
  let signalHandler: ((s: NodeJS.Signals) => void) | undefined;
  let finish!: (r: { code: number | null; signal: NodeJS.Signals | null }) => void;
  const host: UseHost = {
    pid: 99,
    readMountinfo: () => MOUNTINFO_UNIFIED,
    loadConfig: (dir) => { configDirs.push(dir); return load; },
    createCgroup: (d) => log.push(`mkdir ${d}`),
    removeCgroup: async (d) => { log.push(`rmdir ${d}`); },
    killCgroup: (d) => log.push(`kill-cgroup ${d}`),
    sweepStale: (d) => log.push(`sweep ${d}`),
    nft: (input) => {
      log.push(`nft ${input.split('\n')[0]}`);
      return opts.nftAddFails && input.startsWith('table') ? { code: 1, stderr: 'Error: syntax error, unexpected cgroupv2' } : { code: 0, stderr: '' };
    },
    spawn: (argv) => {
      log.push(`spawn ${argv.slice(5).join(' ')}`);
      spawned.push(argv.slice(5));
      const child: UseChild = { pid: 1234, kill: (s) => log.push(`kill ${s}`), exited: new Promise((r) => { finish = r; }) };
      if (opts.exit) queueMicrotask(() => finish(opts.exit!));
      return child;
    },
    onSignal: (h) => { signalHandler = h; log.push('signals on'); return () => { signalHandler = undefined; log.push('signals off'); }; },
  };
  return { host, log, spawned, configDirs, signal: (s: NodeJS.Signals) => signalHandler?.(s), finish: (r: { code: number | null; signal: NodeJS.Signals | null }) => finish(r) };
}

test('flow: cgroup, table, command, then table and cgroup removed; the command\'s exit code is ours', async () => {
  const f = fakeHost({ exit: { code: 3, signal: null } });
  assert.equal(await runUse('wanb', ['ping', '-c1', '192.0.2.1'], ctxOf(), f.host), 3);
  assert.deepEqual(f.log, [
    'sweep /sys/fs/cgroup/mwan-use', 'mkdir /sys/fs/cgroup/mwan-use/99', 'nft table inet mwan_use_99 {', 'spawn ping -c1 192.0.2.1', 'signals on', 'signals off',
    'nft delete table inet mwan_use_99', 'rmdir /sys/fs/cgroup/mwan-use/99',
  ]);
  const killed = fakeHost({ exit: { code: null, signal: 'SIGTERM' } });
  assert.equal(await runUse('wanb', ['sleep', '9'], ctxOf(), killed.host), 128 + 15);
});

test('flow: SIGINT is passed to the command, a second one kills its cgroup; cleanup still runs', async () => {
  const f = fakeHost({});
  const running = runUse('wanb', ['sleep', '9'], ctxOf(), f.host);
  await waitUntil(() => f.log.includes('signals on'), 1000, 1);
  f.signal('SIGINT');
  f.signal('SIGINT');
  f.finish({ code: null, signal: 'SIGKILL' });
  assert.equal(await running, 128 + 9);
  assert.deepEqual(f.log.slice(4), ['signals on', 'kill SIGINT', 'kill-cgroup /sys/fs/cgroup/mwan-use/99', 'signals off', 'nft delete table inet mwan_use_99', 'rmdir /sys/fs/cgroup/mwan-use/99']);
});

test('flow: nft without socket cgroupv2 → exit 4 naming it, the cgroup removed, nothing run', async () => {
  const f = fakeHost({ nftAddFails: true });
  const ctx = ctxOf();
  const code = await runMwandCommand(useCommand(f.host), ['wanb', '--', 'true'], ctx);
  assert.equal(code, ExitCode.NOT_IMPLEMENTED);
  assert.match(ctx.err.join(''), /^mwan use: nft cannot add .*socket cgroupv2.*kmod-nft-socket.*unexpected cgroupv2/);
  assert.deepEqual(f.log, ['sweep /sys/fs/cgroup/mwan-use', 'mkdir /sys/fs/cgroup/mwan-use/99', 'nft table inet mwan_use_99 {', 'rmdir /sys/fs/cgroup/mwan-use/99']);
});

/** `mwan ARGV...` through the dispatcher, with `use` running on a recording host. */
async function dispatchUse(argv: string[], f: ReturnType<typeof fakeHost>): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await dispatch(argv, { stdout: () => {}, stderr: (s) => (err += s) }, { ...COMMANDS, use: mwandCommandDef(useCommand(f.host)) });
  return { code, err };
}

test('mwan use IFACE CMD...: everything after IFACE is the command, its -c/-s/--json included (mwan3: mwan3 use wanb iperf3 -4 -c HOST -R)', async () => {
  const cases: [string[], string[], string][] = [
    [['use', 'wanb', 'ping', '-c', '1', '192.0.2.1'], ['ping', '-c', '1', '192.0.2.1'], '/etc/config'],
    [['use', 'wanb', 'iperf3', '-s'], ['iperf3', '-s'], '/etc/config'],
    [['use', 'wanb', 'iperf3', '-4', '-c', '192.0.2.7', '-R'], ['iperf3', '-4', '-c', '192.0.2.7', '-R'], '/etc/config'],
    [['use', 'wanb', '--', 'cmd', '-s'], ['cmd', '-s'], '/etc/config'],
    [['use', 'wanb', '--', 'cmd', '--json', '-c'], ['cmd', '--json', '-c'], '/etc/config'],
    [['use', 'wanb', 'sh', '-c', 'echo "$0"', '--', '-s'], ['sh', '-c', 'echo "$0"', '--', '-s'], '/etc/config'],
    // global flags before IFACE (or before `use`) are mwan's
    [['use', '-c', '/cfg', '--json', 'wanb', 'ping', '-c', '1', '192.0.2.1'], ['ping', '-c', '1', '192.0.2.1'], '/cfg'],
    [['-c', '/cfg', 'use', 'wanb', '--', 'ping', '-s', '56', '192.0.2.1'], ['ping', '-s', '56', '192.0.2.1'], '/cfg'],
  ];
  for (const [argv, cmd, dir] of cases) {
    const f = fakeHost({ exit: { code: 0, signal: null } });
    const r = await dispatchUse(argv, f);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.err}`);
    assert.deepEqual(f.spawned, [cmd], argv.join(' '));
    assert.deepEqual(f.configDirs, [dir], argv.join(' '));
  }
});

test('mwan use without IFACE or without a command: exit 64 with the usage, nothing created or run', async () => {
  for (const argv of [['use'], ['use', 'wanb'], ['use', 'wanb', '--'], ['use', '-c', '/cfg'], ['use', '--json'], ['use', '--', 'ping', 'x'], ['use', '-x', 'ping'], ['-c', '/cfg', 'use']]) {
    const f = fakeHost({ exit: { code: 0, signal: null } });
    const r = await dispatchUse(argv, f);
    assert.equal(r.code, ExitCode.USAGE, argv.join(' '));
    assert.match(r.err, /^mwan use: .*usage: mwan use \[-c DIR\] <iface> \[--\] <command>/, argv.join(' '));
    assert.deepEqual(f.log, [], argv.join(' '));
  }
  // a flag of mwan's own before IFACE still needs its value
  const f = fakeHost({});
  const r = await dispatchUse(['use', '-c'], f);
  assert.equal(r.code, ExitCode.USAGE);
  assert.match(r.err, /^mwan use: -c needs a value/);
});

test('mwan use with the real host: -c after IFACE is not read as the config dir (no "cannot read 1/mwan")', async (t) => {
  // an interface that is not configured: planning fails before any cgroup, table or process
  const dir = mkdtempSync(join(tmpdir(), 'mwan-use-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mwan'), CONFIG);
  let err = '';
  const code = await dispatch(['-c', dir, 'use', 'wanz', 'ping', '-c', '1', '192.0.2.1'], { stdout: () => {}, stderr: (s) => (err += s) });
  assert.equal(code, ExitCode.FAILED);
  assert.match(err, new RegExp(`^mwan use: interface "wanz" is not configured in ${dir}/mwan\n$`));
});

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/mwan.js');

function cgroup2Root(): string | undefined {
  return cgroup2Mounts(run(['cat', '/proc/self/mountinfo']).stdout).find((m) => m.root === '/' && m.mountPoint.startsWith('/sys/fs/cgroup'))?.mountPoint;
}

/** Runs `mwan ...` in the router's network namespace but the host's mount namespace (as on a router: /sys/fs/cgroup visible). */
function mwanIn(nsName: string, args: string[]): Promise<{ code: number | null; pid: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('nsenter', [`--net=/run/netns/${nsName}`, process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    c.on('exit', (code) => { clearTimeout(timer); resolve({ code, pid: c.pid!, stdout, stderr }); });
  });
}

test('netns: mwan use wanb ping leaves through wanb although the default route is wana; no cgroup or table left', { skip: (!canUseNetns() && 'needs root') || (!cgroup2Root() && 'no cgroup v2') }, async (t: TestContext) => {
  const lab = new Lab('use');
  t.after(() => lab.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'mwan-use-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mwan'), CONFIG);

  const router = lab.netns('r');
  const far = lab.netns('far');
  lab.link(router, 'wa', far, 'fa', { a: ['10.77.1.1/24', '2001:db8:771::1/64'], b: ['10.77.1.2/24', '2001:db8:771::2/64'] });
  lab.link(router, 'wb', far, 'fb', { a: ['10.77.2.1/24', '2001:db8:772::1/64'], b: ['10.77.2.2/24', '2001:db8:772::2/64'] });
  far.ip('addr', 'add', '203.0.113.9/32', 'dev', 'lo');
  far.ip('addr', 'add', '2001:db8:ff::9/128', 'dev', 'lo');
  far.ip('-6', 'route', 'add', '2001:db8:770::/44', 'via', '2001:db8:771::1');
  router.ip('-6', 'route', 'add', 'default', 'via', '2001:db8:771::2');
  router.ip('-6', 'route', 'add', 'default', 'via', '2001:db8:772::2', 'table', '2');
  router.ip('-6', 'rule', 'add', 'pref', '2002', 'fwmark', '0x200/0x3f00', 'lookup', '2');
  far.ip('route', 'add', '10.77.0.0/16', 'via', '10.77.1.1'); // replies: any router address via wa
  // mwan's routing for wana (table 1, mark 0x100) and wanb (table 2, mark 0x200), default via wana
  router.ip('route', 'add', 'default', 'via', '10.77.1.2');
  router.ip('route', 'add', 'default', 'via', '10.77.1.2', 'table', '1');
  router.ip('route', 'add', 'default', 'via', '10.77.2.2', 'table', '2');
  router.ip('rule', 'add', 'pref', '2001', 'fwmark', '0x100/0x3f00', 'lookup', '1');
  router.ip('rule', 'add', 'pref', '2002', 'fwmark', '0x200/0x3f00', 'lookup', '2');
  // the far side counts echo requests per arrival link
  far.nft('table inet count {\n\tcounter via_a {}\n\tcounter via_b {}\n\tcounter via_a6 {}\n\tcounter via_b6 {}\n\tchain in {\n\t\ttype filter hook prerouting priority 0;\n\t\ticmp type echo-request iifname "fa" counter name "via_a"\n\t\ticmp type echo-request iifname "fb" counter name "via_b"\n\t\ticmpv6 type echo-request iifname "fa" counter name "via_a6"\n\t\ticmpv6 type echo-request iifname "fb" counter name "via_b6"\n\t}\n}\n');
  const count = (name: string) => Number(/packets (\d+)/.exec(far.run(['nft', 'list', 'counter', 'inet', 'count', name]).stdout)?.[1]);

  // without mwan use: through wana
  router.run(['ping', '-c1', '-W2', '203.0.113.9']);
  assert.deepEqual([count('via_a'), count('via_b')], [1, 0]);

  // as mwan3's wiki writes it: no `--`, the command's -c is its own
  const r = await mwanIn(router.name, ['use', '-c', dir, 'wanb', 'ping', '-c', '2', '-i', '0.2', '-W', '2', '203.0.113.9']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 received/);
  assert.deepEqual([count('via_a'), count('via_b')], [1, 2]);

  // IPv6: the same table (inet) marks it, the -6 fwmark rule takes it to wanb
  // (neighbours resolved first: a reply waiting for neighbour discovery took 1 s on a loaded host)
  router.run(['ping', '-6', '-c1', '-W3', '2001:db8:771::2']);
  router.run(['ping', '-6', '-c1', '-W3', '2001:db8:772::2']);
  far.run(['ping', '-6', '-c1', '-W3', '2001:db8:771::1']);
  const before6 = [count('via_a6'), count('via_b6')];
  const r6 = await mwanIn(router.name, ['use', '-c', dir, 'wanb', '--', 'ping', '-6', '-c', '1', '-W', '3', '2001:db8:ff::9']);
  assert.equal(r6.code, 0, r6.stdout + r6.stderr);
  assert.deepEqual([count('via_a6'), count('via_b6')], [before6[0], before6[1]! + 1]);

  // the command's exit code is passed through (no reply: exit 1 from ping), and a bad one too
  const noReply = await mwanIn(router.name, ['use', '-c', dir, 'wanb', '--', 'ping', '-c1', '-W1', '198.51.100.77']);
  assert.equal(noReply.code, 1);
  assert.equal(count('via_b'), 3, 'the unanswered ping went out through wanb too');
  const missing = await mwanIn(router.name, ['use', '-c', dir, 'wanb', '--', 'sh', '-c', 'exit 7']);
  assert.equal(missing.code, 7);

  // unknown and disabled interfaces: exit 1, nothing created
  const unknown = await mwanIn(router.name, ['use', '-c', dir, 'wanz', '--', 'true']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /interface "wanz" is not configured/);
  const disabled = await mwanIn(router.name, ['use', '-c', dir, 'wanc', '--', 'true']);
  assert.equal(disabled.code, 1);
  assert.match(disabled.stderr, /"wanc" is disabled/);

  // nothing left: no mwan_use table in the router, no cgroup of these runs
  assert.doesNotMatch(router.run(['nft', 'list', 'tables']).stdout, /mwan_use/);
  const root = cgroup2Root()!;
  for (const done of [r, r6, noReply, missing, unknown, disabled]) assert.equal(existsSync(join(root, 'mwan-use', String(done.pid))), false, `cgroup mwan-use/${done.pid} left behind`);
});

test('netns: SIGTERM to mwan use ends the command and its children, removes table and cgroup, exits 128+15', { skip: (!canUseNetns() && 'needs root') || (!cgroup2Root() && 'no cgroup v2') }, async (t: TestContext) => {
  const lab = new Lab('usesig');
  t.after(() => lab.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'mwan-use-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mwan'), CONFIG);
  const router = lab.netns('r');
  const c = spawn('nsenter', [`--net=/run/netns/${router.name}`, process.execPath, BIN, 'use', '-c', dir, 'wana', '--', 'sh', '-c', 'sleep 30 & sleep 30; wait'], { stdio: 'ignore' });
  lab.adopt(c);
  const cg = join(cgroup2Root()!, 'mwan-use', String(c.pid));
  // nsenter execs node, so the mwan process has nsenter's pid
  await waitUntil(() => existsSync(join(cg, 'cgroup.procs')) && run(['cat', join(cg, 'cgroup.procs')]).stdout.trim().split('\n').length >= 3, 8000);
  assert.match(router.run(['nft', 'list', 'tables']).stdout, new RegExp(`inet mwan_use_${c.pid}`));
  const exited = new Promise<number | null>((res) => c.once('exit', (code) => res(code)));
  c.kill('SIGTERM');
  assert.equal(await exited, 128 + 15);
  assert.equal(existsSync(cg), false, 'cgroup removed although the command had a background child');
  assert.doesNotMatch(router.run(['nft', 'list', 'tables']).stdout, /mwan_use/);
});

test('netns: what a kill -9 of mwan use left (table, cgroup) is swept by the next run', { skip: (!canUseNetns() && 'needs root') || (!cgroup2Root() && 'no cgroup v2') }, async (t: TestContext) => {
  const lab = new Lab('usegc');
  t.after(() => lab.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'mwan-use-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mwan'), CONFIG);
  const router = lab.netns('r');
  const c = lab.adopt(spawn('nsenter', [`--net=/run/netns/${router.name}`, process.execPath, BIN, 'use', '-c', dir, 'wana', '--', 'sleep', '30'], { stdio: 'ignore' }));
  const cg = join(cgroup2Root()!, 'mwan-use', String(c.pid));
  const procs = () => (existsSync(join(cg, 'cgroup.procs')) ? run(['cat', join(cg, 'cgroup.procs')]).stdout.trim().split('\n').filter(Boolean).map(Number) : []);
  await waitUntil(() => procs().length === 1, 8000);
  const exited = new Promise((res) => c.once('exit', res));
  c.kill('SIGKILL');
  await exited;
  for (const pid of procs()) process.kill(pid, 'SIGKILL'); // the orphaned sleep
  await waitUntil(() => procs().length === 0, 3000);
  assert.equal(existsSync(cg), true);
  assert.match(router.run(['nft', 'list', 'tables']).stdout, new RegExp(`inet mwan_use_${c.pid}\\n`));

  const next = await mwanIn(router.name, ['use', '-c', dir, 'wana', '--', 'true']);
  assert.equal(next.code, 0, next.stderr);
  assert.equal(existsSync(cg), false, 'stale cgroup swept');
  assert.doesNotMatch(router.run(['nft', 'list', 'tables']).stdout, /mwan_use/);
});
