/**
 * mwand's lifecycle as a router sees it, in a network namespace with ubusd-ts and procd-ts:
 * init/mwan start|reload|restart|stop through init/rc-runner and a real mwand. SIGTERM (procd
 * replacing or restarting the instance, an upgrade) leaves the kernel ruleset in place; only an
 * explicit stop removes it (stop_service → `ubus call mwan teardown`). A rejected config makes
 * `/etc/init.d/mwan reload` fail and print the errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, canUseNetns, waitUntil, type Netns } from 'netns-kit';
import { bin, root } from './netns-system.js';


const CONFIG = `config globals 'globals'
	option mmx_mask '0x3F00'

config interface 'wan'
	option enabled '1'
	option family 'ipv4'

config member 'wan_m1'
	option interface 'wan'

config policy 'wan_only'
	list use_member 'wan_m1'

config rule 'default_rule'
	option dest_ip '0.0.0.0/0'
	option use_policy 'wan_only'
`;

interface Rig {
  router: Netns;
  dir: string;
  cfgDir: string;
  rc(action: string): { code: number; stderr: string };
  ubus(...args: string[]): { code: number; stdout: string };
  tableHandle(): string | undefined;
  mwanRules(): string[];
  mwandPid(): number | undefined;
}

async function setup(t: { after(fn: () => unknown): void }, tag: string): Promise<Rig> {
  const lab = new Lab(tag);
  t.after(() => lab.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'mwand-life-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const router = lab.netns('router');
  router.ip('link', 'set', 'lo', 'up');
  const sock = join(dir, 'ubus.sock');
  const cfgDir = join(dir, 'config');
  mkdirSync(cfgDir);
  writeFileSync(join(cfgDir, 'mwan'), CONFIG);
  // what /usr/sbin/mwand and /usr/sbin/mwan-rtmon are on a router
  const mwand = join(dir, 'mwand');
  writeFileSync(mwand, `#!/bin/sh\nexec "${process.execPath}" "${bin('mwand', 'mwand')}" "$@" --hook "${join(dir, 'none')}" --hook-fallback "${join(dir, 'none')}" --track-command /bin/false\n`);
  const rtmon = join(dir, 'rtmon');
  writeFileSync(rtmon, '#!/bin/sh\nexec sleep 1000\n');
  chmodSync(mwand, 0o755);
  chmodSync(rtmon, 0o755);
  const log: string[] = [];
  const start = (argv: string[]) => {
    const c = lab.spawn(router, [process.execPath, ...argv]);
    c.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  };
  start([bin('ubus-ts', 'ubusd-ts'), '-s', sock]);
  await waitUntil(() => existsSync(sock), 5000);
  start([bin('procd-js', 'procd-ts'), '-s', sock]);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NODE: process.execPath,
    UBUS_SOCKET: sock,
    MWAN_CONFIG_DIR: cfgDir,
    MWAND_BIN: mwand,
    MWAN_RTMON_BIN: rtmon,
    RC_RUNNER_PASSENV: 'MWAN_CONFIG_DIR MWAND_BIN MWAN_RTMON_BIN',
  };
  const ubus = (...args: string[]) => {
    const r = router.run([process.execPath, bin('ubus-ts', 'ubus-ts'), '-s', sock, '-S', ...args], { allowFail: true });
    return { code: r.code, stdout: r.stdout };
  };
  assert.equal(ubus('-t', '10', 'wait_for', 'service').code, 0, log.join(''));
  return {
    router,
    dir,
    cfgDir,
    rc: (action) => {
      const r = router.run(['/bin/sh', join(root, 'init', 'rc-runner'), join(root, 'init', 'mwan'), action], { allowFail: true, env });
      return { code: r.code, stderr: r.stderr };
    },
    ubus,
    tableHandle: () => /table inet mwan \{ # handle (\d+)/.exec(router.run(['nft', '-a', 'list', 'table', 'inet', 'mwan'], { allowFail: true }).stdout)?.[1],
    mwanRules: () => router.run(['ip', '-4', 'rule', 'show']).stdout.split('\n').filter((l) => /^[123]0\d\d:/.test(l)),
    mwandPid: () => {
      const r = ubus('call', 'service', 'list', '{"name":"mwan"}');
      const list = JSON.parse(r.stdout || '{}') as { mwan?: { instances?: { mwand?: { pid?: number; running?: boolean } } } };
      const m = list.mwan?.instances?.mwand;
      return m?.running ? m.pid : undefined;
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('SIGTERM of mwand and `restart` keep table inet mwan and the ip rules; `stop` removes them', { skip: !canUseNetns() && 'needs root', timeout: 30_000 }, async (t) => {
  const r = await setup(t, 'mlc');
  assert.equal(r.rc('start').code, 0);
  assert.equal(r.ubus('-t', '10', 'wait_for', 'mwan').code, 0);
  const handle = await waitUntil(() => r.tableHandle(), 10_000, 100);
  assert.ok(r.mwanRules().length > 0, 'mwan ip rules installed');
  const rules = r.mwanRules();

  // procd's SIGTERM (instance replaced, upgrade, crash loop handling): the ruleset stays
  const pid = (await waitUntil(() => r.mwandPid(), 5000, 100))!;
  process.kill(pid, 'SIGTERM');
  await waitUntil(() => !alive(pid), 10_000, 50);
  assert.equal(r.tableHandle(), handle, 'table inet mwan survives SIGTERM of mwand (same table, never deleted)');
  assert.deepEqual(r.mwanRules(), rules);

  // restart: stop + start without tearing down; the new mwand adopts the same table
  const rs = r.rc('restart');
  assert.equal(rs.code, 0, rs.stderr);
  assert.equal(r.ubus('-t', '10', 'wait_for', 'mwan').code, 0);
  const pid2 = await waitUntil(() => r.mwandPid(), 10_000, 100);
  assert.notEqual(pid2, pid);
  assert.equal(r.tableHandle(), handle, 'restart keeps the table');
  assert.deepEqual(r.mwanRules(), rules);

  // what mwan-rtmon mirrors into the WAN's table (wan is interface 1), and someone else's table
  r.router.ip('route', 'add', '192.0.2.0/24', 'dev', 'lo', 'table', '1');
  r.router.ip('route', 'add', '203.0.113.0/24', 'dev', 'lo', 'table', '100');

  // stop: stop_service asks mwand to tear down before procd kills it
  const st = r.rc('stop');
  assert.equal(st.code, 0, st.stderr);
  assert.equal(r.tableHandle(), undefined, 'table inet mwan removed by stop');
  assert.deepEqual(r.mwanRules(), [], 'no ip rules left at mwan prefs');
  assert.equal(r.router.run(['ip', '-4', 'route', 'show', 'table', '1'], { allowFail: true }).stdout.trim(), '', 'mirrored routes of the WAN table removed');
  assert.match(r.router.run(['ip', '-4', 'route', 'show', 'table', '100']).stdout, /203\.0\.113\.0\/24/, 'other tables untouched');
  await waitUntil(() => !alive(pid2!), 10_000, 50);
  assert.equal(r.tableHandle(), undefined);
});

test('`reload` with a rejected config exits non-zero and prints the errors; without mwand it starts the service', { skip: !canUseNetns() && 'needs root', timeout: 30_000 }, async (t) => {
  const r = await setup(t, 'mlr');
  // mwand not running: reload starts the service
  const first = r.rc('reload');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(r.ubus('-t', '10', 'wait_for', 'mwan').code, 0);
  await waitUntil(() => r.tableHandle(), 10_000, 100);

  writeFileSync(join(r.cfgDir, 'mwan'), CONFIG.replace("option use_policy 'wan_only'", "option use_policy 'no_such_policy'"));
  const bad = r.rc('reload');
  assert.notEqual(bad.code, 0, 'a rejected config fails the reload');
  assert.match(bad.stderr, /configuration rejected/);
  assert.match(bad.stderr, /no_such_policy/);
  assert.ok(r.tableHandle(), 'the running setup is kept');

  writeFileSync(join(r.cfgDir, 'mwan'), CONFIG.replace("option family 'ipv4'", "option family 'ipv4'\n\toption flush_conntrack 'ifdown'"));
  const good = r.rc('reload');
  assert.equal(good.code, 0, good.stderr);
  assert.equal(r.rc('stop').code, 0);
});

test('`restart` with a rejected config keeps the running setup; `stop` without mwand removes the kernel state itself', { skip: !canUseNetns() && 'needs root', timeout: 30_000 }, async (t) => {
  const r = await setup(t, 'mlb');
  assert.equal(r.rc('start').code, 0);
  assert.equal(r.ubus('-t', '10', 'wait_for', 'mwan').code, 0);
  const handle = await waitUntil(() => r.tableHandle(), 10_000, 100);
  const rules = r.mwanRules();
  assert.ok(rules.length > 0);
  const pid = (await waitUntil(() => r.mwandPid(), 5000, 100))!;

  // a config mwand would refuse: restart fails before anything is replaced
  writeFileSync(join(r.cfgDir, 'mwan'), CONFIG.replace("option use_policy 'wan_only'", "option use_policy 'no_such_policy'"));
  const rs = r.rc('restart');
  assert.equal(rs.code, 1, rs.stderr);
  assert.match(rs.stderr, /configuration rejected, the running setup is kept/);
  assert.match(rs.stderr, /no_such_policy/);
  assert.equal(r.mwandPid(), pid, 'the running mwand was not replaced');
  assert.equal(r.ubus('list', 'mwan').code, 0, 'mwand still answers');
  assert.equal(r.tableHandle(), handle);
  assert.deepEqual(r.mwanRules(), rules);

  // mwand gone while its kernel state stays (procd deleted the service: SIGTERM keeps the state)
  assert.equal(r.ubus('call', 'service', 'delete', '{"name":"mwan"}').code, 0);
  await waitUntil(() => !alive(pid), 10_000, 50);
  r.router.ip('route', 'add', '192.0.2.0/24', 'dev', 'lo', 'table', '1');
  assert.equal(r.tableHandle(), handle);
  // reload without mwand and with the bad config: refused, nothing started
  const rl = r.rc('reload');
  assert.equal(rl.code, 1, rl.stderr);
  assert.match(rl.stderr, /no_such_policy/);
  assert.equal(r.mwandPid(), undefined);

  // stop: no `mwan` object, so the init script removes the state without the bus (the config
  // does not validate: its interface sections give the tables). rc.common's stop still reports
  // procd's "Not found" for the service that is already gone (as on a router).
  const st = r.rc('stop');
  assert.doesNotMatch(st.stderr, /removing the kernel state failed/, st.stderr);
  assert.equal(r.tableHandle(), undefined, 'table inet mwan removed');
  assert.deepEqual(r.mwanRules(), [], 'no ip rules left at mwan prefs');
  assert.equal(r.router.run(['ip', '-4', 'route', 'show', 'table', '1'], { allowFail: true }).stdout.trim(), '', 'WAN table flushed');
  // and once more with nothing left: nothing to say about the kernel state
  const again = r.rc('stop');
  assert.doesNotMatch(again.stderr, /teardown|kernel state/, again.stderr);
});
