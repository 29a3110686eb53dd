/**
 * The whole system in a network namespace: ubusd-ts, procd-ts, netifd-ts, and service `mwan`
 * (mwand + mwan-rtmon) registered at procd as the init script does; mwand asks procd for one
 * mwan-track per WAN. Two ISPs answer pings. Checks failover by tracker and by netifd, hooks,
 * a reload that keeps the unchanged tracker's pid, and kill -9 of mwand (procd respawns it,
 * it adopts the kernel state and the running trackers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { canUseNetns, waitUntil } from 'netns-kit';
import { bin, interfaceStatus, mwandCommand, startBus, twoIsps } from './netns-system.js';

function config(wanbInterval: string): string {
  const iface = (name: string, ip: string, interval: string) => `config interface '${name}'
	option enabled '1'
	option family 'ipv4'
	list track_ip '${ip}'
	option interval '${interval}'
	option timeout '0.3'
	option down '2'
	option up '2'
	option initial_state 'offline'
`;
  return `config globals 'globals'
	option mmx_mask '0x3F00'
${iface('wan', '192.0.2.1', '0.2')}${iface('wanb', '198.51.100.1', wanbInterval)}
config member 'wan_m1'
	option interface 'wan'
	option metric '1'
config member 'wanb_m2'
	option interface 'wanb'
	option metric '2'
config policy 'wan_wanb'
	list use_member 'wan_m1'
	list use_member 'wanb_m2'
config rule 'vpn'
	option ipset 'vpn'
	option use_policy 'default'
config rule 'default_rule'
	option dest_ip '0.0.0.0/0'
	option use_policy 'wan_wanb'
`;
}

test('mwand end to end: failover, hooks, reload keeps pids, kill -9 of mwand', { skip: !canUseNetns() && 'needs root', timeout: 60_000 }, async (t) => {
  const rig = twoIsps(t, 'mwd', 'mwand-e2e-');
  const { lab, dir, router, isp1, isp2 } = rig;
  const hookOut = join(dir, 'hook.log');
  writeFileSync(join(dir, 'mwan.user'), `#!/bin/sh\necho "$ACTION $INTERFACE $DEVICE" >> "${hookOut}"\n`);
  chmodSync(join(dir, 'mwan.user'), 0o755);

  const logs: string[] = [];
  let events = '';
  t.after(() => {
    if (process.env.MWAND_E2E_LOG) writeFileSync(process.env.MWAND_E2E_LOG, logs.join('\n') + '\nEVENTS\n' + events);
  });
  const bus = await startBus(rig, config('0.2'), { logStdout: true, logs });
  const { sock, cfgDir, ubus, call } = bus;

  const listener = lab.spawn(router, [process.execPath, bin('ubus-ts', 'ubus-ts'), '-s', sock, '-S', 'listen', 'mwan.interface', 'mwan.policy']);
  listener.stdout?.on('data', (d: Buffer) => (events += d.toString()));

  // what /etc/init.d/mwan start does: service mwan with instances mwand and rtmon
  const respawn = ['3600', '1', '5'];
  call('service', 'set', {
    name: 'mwan',
    instances: {
      mwand: {
        command: mwandCommand(bus, join(dir, 'mwan.user'), join(dir, 'none')),
        respawn,
      },
      rtmon: { command: [process.execPath, bin('mwan-rtmon', 'mwan-rtmon'), '-s', sock, '-c', cfgDir], respawn },
    },
  });
  ubus('-t', '15', 'wait_for', 'mwan');

  const policy = (): string => {
    const p = call('mwan', 'policies').policies as Record<string, { ipv4: { active: string; members: { interface: string }[] } }>;
    const c = p.wan_wanb!.ipv4;
    return c.active === 'members' ? c.members.map((m) => m.interface).join(',') : 'last_resort';
  };
  const status = (name: string): string => interfaceStatus(bus, name);
  const instances = (): Record<string, { pid?: number }> =>
    ((call('service', 'list', { name: 'mwan' }).mwan as { instances?: Record<string, { pid?: number }> } | undefined)?.instances ?? {});

  // trackers started at procd by mwand, next to the init script's instances
  await waitUntil(() => Object.keys(instances()).sort().join() === 'mwand,rtmon,track_wan,track_wanb', 10_000, 200);
  await waitUntil(() => status('wan') === 'online' && status('wanb') === 'online', 15_000, 200);
  assert.equal(policy(), 'wan');
  const rules = router.run(['ip', '-4', 'rule', 'show']).stdout;
  assert.match(rules, /^2001:\s.*fwmark 0x100\/0x3f00 lookup 1/m);
  assert.match(rules, /^2002:\s.*fwmark 0x200\/0x3f00 lookup 2/m);
  assert.match(router.run(['nft', 'list', 'table', 'inet', 'mwan']).stdout, /default_rule/);

  // traffic from the router takes the rule; the mwan CLI shows its counters and mwan3's text
  const mwan = (...args: string[]) => router.run([process.execPath, bin('mwan-cli', 'mwan'), ...args, '-s', sock], { allowFail: true });
  router.ip('route', 'add', 'default', 'via', '192.0.2.1', 'dev', 'wan0');
  // from an address of no WAN (the test does not depend on which WAN's address the kernel would pick)
  router.ip('addr', 'add', '10.77.0.1/32', 'dev', 'lo');
  router.run(['ping', '-c', '2', '-i', '0.2', '-W', '1', '-I', '10.77.0.1', '203.0.113.5'], { allowFail: true });
  const rulesJson = JSON.parse(mwan('rules', '--json').stdout) as { rules: { name: string; packets: number }[] };
  assert.ok(rulesJson.rules.find((r) => r.name === 'default_rule')!.packets >= 1, 'counter read back from the kernel');
  const text = mwan('status');
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^Interface status:\n interface wan is online \d\dh:\d\dm:\d\ds, uptime \d\dh:\d\dm:\d\ds and tracking is active\n/);
  assert.match(text.stdout, /\nCurrent ipv4 policies:\nwan_wanb:\n wan \(100%\)\n/);
  assert.match(mwan('explain', '10.9.9.9', '203.0.113.5', 'udp', '53').stdout, /Result: wan \(wan0\)\n$/);
  // explain follows the dataplane: the router's traffic from wanb's own address is not pinned to
  // wanb (its tracker pings with marked, device-bound probes): the rules decide, as with mwan3
  assert.match(mwan('explain', '198.51.100.2', '203.0.113.5').stdout, /\n source 198\.51\.100\.2 is not an address of a WAN with source-bound probes\n rule default_rule matches .*\nResult: wan \(wan0\)\n$/s);
  // ...and reads the rule's set from the running ruleset: an element added as dnsmasq's nftset= would changes the answer
  const viaSet = (): { rule?: string; skipped: unknown[] } => JSON.parse(mwan('explain', '10.9.9.9', '203.0.113.77', '--json').stdout) as { rule?: string; skipped: unknown[] };
  assert.deepEqual(viaSet(), { ...viaSet(), rule: 'default_rule', skipped: [{ rule: 'vpn', reason: 'destination not in set vpn (ipv4) (0 entries)' }] });
  router.run(['nft', 'add', 'element', 'inet', 'mwan', 'vpn', '{ 203.0.113.64/26 }']);
  assert.deepEqual(viaSet(), { ...viaSet(), rule: 'vpn', action: 'default', skipped: [] });
  assert.match(mwan('explain', '10.9.9.9', '203.0.113.77').stdout, /\n rule vpn uses the built-in default\nResult: main routing table \(no mwan policy\)\n$/);

  // failover by the tracker: isp1 stops answering
  isp1.nft('table inet blk { chain in { type filter hook input priority 0; icmp type echo-request drop; }; }');
  let t0 = Date.now();
  await waitUntil(() => policy() === 'wanb', 10_000, 50);
  t.diagnostic(`failover by tracker (interval 0.2 s, timeout 0.3 s, down 2): policy moved within ${Date.now() - t0} ms (polled via the CLI)`);
  assert.equal(status('wan'), 'offline');
  await waitUntil(() => /"mwan.interface": \{"interface":"wan","action":"disconnected"/.test(events), 5000);
  assert.match(events, /"mwan.policy": \{"policy":"wan_wanb","shares":\{"ipv4":\[\{"interface":"wanb","percent":100\}\]/);
  await waitUntil(() => existsSync(hookOut) && readFileSync(hookOut, 'utf8').includes('disconnected wan wan0'), 5000);

  // reload: a no-op keeps everything; a changed wanb tracker is replaced, wan's keeps its pid
  const pids = (): Record<string, number | undefined> => Object.fromEntries(Object.entries(instances()).map(([k, v]) => [k, v.pid]));
  const before = pids();
  assert.equal(call('mwan', 'reload').result, 'noop');
  assert.deepEqual(pids(), before);
  writeFileSync(join(cfgDir, 'mwan'), config('0.25'));
  const r = call('mwan', 'reload');
  assert.equal(r.result, 'ok');
  assert.deepEqual(r.trackers, { keep: ['wan'], replace: ['wanb'], start: [], stop: [] });
  await waitUntil(() => {
    const p = pids();
    return p.track_wanb !== undefined && p.track_wanb !== before.track_wanb;
  }, 10_000, 200);
  const afterReload = pids();
  assert.equal(afterReload.track_wan, before.track_wan, 'unchanged tracker kept running');
  assert.equal(afterReload.mwand, before.mwand);
  assert.equal(status('wan'), 'offline', 'the kept tracker kept its verdict');

  // kill -9 of mwand: the kernel state stays, procd respawns it, it adopts and converges
  process.kill(afterReload.mwand!, 'SIGKILL');
  t0 = Date.now();
  await waitUntil(() => {
    const p = pids();
    return p.mwand !== undefined && p.mwand !== afterReload.mwand;
  }, 15_000, 200);
  assert.match(router.run(['ip', '-4', 'rule', 'show']).stdout, /^2001:/m, 'ip rules survive the crash');
  ubus('-t', '15', 'wait_for', 'mwan');
  await waitUntil(() => {
    try {
      return policy() === 'wanb';
    } catch {
      return false;
    }
  }, 10_000, 200);
  t.diagnostic(`kill -9 of mwand to converged again (procd respawn delay 1 s included): ${Date.now() - t0} ms`);
  const afterCrash = pids();
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${afterCrash.mwand}/status`, 'utf8'))?.[1];
  t.diagnostic(`mwand resident memory after convergence: ${rss} kB`);
  assert.equal(afterCrash.track_wan, before.track_wan, 'trackers adopted, not restarted');
  assert.equal(afterCrash.track_wanb, afterReload.track_wanb);

  // failover by netifd: isp2's side of the link goes down → wanb ifdown → last resort
  isp2.ip('link', 'set', 'eth0', 'down');
  await waitUntil(() => policy() === 'last_resort', 10_000, 200);
  await waitUntil(() => readFileSync(hookOut, 'utf8').includes('ifdown wanb'), 5000);

  // failback: isp1 answers again
  isp1.run(['nft', 'delete', 'table', 'inet', 'blk']);
  await waitUntil(() => policy() === 'wan', 15_000, 200);
  // hooks run after the apply, off the critical path: the last one may still be on its way
  const hookLines = () => readFileSync(hookOut, 'utf8').trim().split('\n');
  await waitUntil(() => hookLines().at(-1) === 'connected wan wan0', 5000).catch(() => {});
  const hooks = hookLines();
  assert.ok(hooks.indexOf('connected wan wan0') < hooks.indexOf('disconnected wan wan0'), hooks.join('|'));
  assert.equal(hooks.at(-1), 'connected wan wan0');

  // /etc/init.d/mwan stop: stop_service calls mwan.teardown, then procd deletes the service
  const down = call('mwan', 'teardown');
  assert.equal(down.result, 'ok');
  assert.equal(down.table, true);
  call('service', 'delete', { name: 'mwan' });
  await waitUntil(() => router.run(['nft', 'list', 'table', 'inet', 'mwan'], { allowFail: true }).code !== 0, 10_000, 100);
  assert.doesNotMatch(router.run(['ip', '-4', 'rule', 'show']).stdout, /^(1|2|3)0\d\d:/m, 'no ip rules left at mwan prefs');
});
