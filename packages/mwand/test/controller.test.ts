import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller } from '../src/controller.js';
import { FakeClock } from '../src/core/clock.js';
import { trackerIdentity } from '../src/core/reload.js';
import { ConfigRejectedError, MwandErrorCode } from '../src/errors.js';
import { FakeDataplane, FakeNetifd, FakeRtmon, FakeTrackers, RecordingEvents, RecordingHooks, SwitchableLoader } from './fakes.js';
import { iface, rule, twoWan, up, down } from './fixtures.js';

function setup(cfg = twoWan()) {
  const clock = new FakeClock();
  const dp = new FakeDataplane();
  const netifd = new FakeNetifd();
  const trackers = new FakeTrackers();
  const rtmon = new FakeRtmon();
  const events = new RecordingEvents();
  const hooks = new RecordingHooks();
  const loader = new SwitchableLoader(cfg);
  const logs: string[] = [];
  const c = new Controller({ clock, loadConfig: loader.load, dataplane: dp, netifd, trackers, rtmon, events, hooks, coalesceMs: 20, retryMs: 1000, log: (m) => logs.push(m) });
  /** lets the queue run: fires the coalescing timer, then waits for the batch */
  const pump = async (): Promise<void> => {
    for (let k = 0; k < 5; k++) {
      clock.advance(20);
      await new Promise((r) => setImmediate(r));
    }
  };
  const settle = async (): Promise<void> => {
    await pump();
    await c.idle();
  };
  const start = async (): Promise<void> => {
    const p = c.start();
    await settle();
    await p;
  };
  return { clock, dp, netifd, trackers, rtmon, events, hooks, loader, c, settle, pump, start, logs };
}

test('start with a bad config: clear error, nothing applied, no tracker started', async () => {
  const s = setup();
  s.loader.next = new ConfigRejectedError(['/etc/config/mwan:12: member wan_m1: interface "wanx" is not configured']);
  await assert.rejects(s.c.start(), (e: ConfigRejectedError) => e.code === MwandErrorCode.CONFIG && e.errors[0]!.includes(':12:'));
  assert.deepEqual(s.dp.applied, []);
  assert.deepEqual(s.trackers.calls, []);
});

test('start adopts matching trackers, starts missing, stops orphans, converges once', async () => {
  const s = setup();
  s.netifd.views.set('wan', up('eth1'));
  s.trackers.instances.set('wan', trackerIdentity(iface('wan', 1)));
  s.trackers.instances.set('old', 'x');
  s.trackers.statuses.set('wan', { state: 'online', score: 6 });
  await s.start();
  assert.deepEqual(s.trackers.calls, ['stop old', 'start wanb -', 'update wan up eth1']);
  assert.equal(s.dp.applied.length, 1);
  assert.deepEqual(s.dp.applied[0]!.usable, ['wan']);
  assert.equal(s.c.state().track.wan!.score, 6);
  assert.deepEqual(s.c.state().rtmon.connected.ipv4, ['192.168.1.0/24']);
  // as mwan3's start: hooks for what is up and connected, after the apply
  assert.deepEqual(s.hooks.actions.map((a) => `${a.action} ${a.interface}`), ['ifup wan', 'connected wan']);
});

test('a burst of events costs one apply; events and hooks follow in order', async () => {
  const s = setup();
  await s.start();
  const applies = s.dp.applied.length;
  s.netifd.views.set('wan', up('eth1'));
  s.netifd.views.set('wanb', up('eth2'));
  s.c.onNetifdEvent('wan');
  s.c.onNetifdEvent('wanb');
  s.c.onTrackEvent({ interface: 'wan', action: 'connected', state: 'online', score: 6, device: 'eth1' });
  s.c.onNetifdEvent('unknown_iface');
  await s.settle();
  assert.equal(s.dp.applied.length, applies + 1, 'one apply for the burst');
  assert.deepEqual(s.dp.applied.at(-1)!.usable, ['wan', 'wanb']);
  assert.deepEqual(s.hooks.actions.map((a) => `${a.action} ${a.interface} ${a.device}`), ['ifup wan eth1', 'ifup wanb eth2', 'connected wan eth1']);
  assert.deepEqual(s.events.interfaces.map((e) => `${e.action} ${e.interface} ${e.status.status}`), ['ifup wan online', 'ifup wanb online', 'connected wan online']);
  assert.deepEqual(s.events.policies.map((p) => p.policy).sort(), ['balanced', 'wan_wanb']);
  // trackers learn their device and up state
  assert.ok(s.trackers.calls.includes('update wan up eth1'));
  assert.ok(s.trackers.calls.includes('update wanb up eth2'));

  // failover: wan offline → wan_wanb moves to wanb, one mwan.policy per changed policy
  s.events.policies = [];
  s.c.onTrackEvent({ interface: 'wan', action: 'disconnected', state: 'offline' });
  await s.settle();
  assert.deepEqual(s.dp.applied.at(-1)!.usable, ['wanb']);
  const p = s.events.policies.find((x) => x.policy === 'wan_wanb');
  assert.deepEqual(p?.shares, { ipv4: [{ interface: 'wanb', percent: 100 }], ipv6: 'unreachable' });
  assert.equal(s.hooks.actions.at(-1)!.action, 'disconnected');
});

test('no-op reload does nothing; changed reload replaces only the changed tracker', async () => {
  const s = setup();
  s.netifd.views.set('wan', up('eth1'));
  await s.start();
  const applies = s.dp.applied.length;
  const calls = s.trackers.calls.length;
  const r1 = s.c.reload();
  await s.settle();
  assert.equal((await r1).result, 'noop');
  assert.equal(s.dp.applied.length, applies);
  assert.equal(s.trackers.calls.length, calls);

  const cfg = twoWan();
  cfg.interfaces[1] = iface('wanb', 2, { trackSettings: { interval: 1, up: 3, down: 3 } });
  cfg.rules.push(rule('extra', 'wan_wanb'));
  s.loader.next = cfg;
  const r2 = s.c.reload();
  await s.settle();
  const o = await r2;
  assert.equal(o.result, 'ok');
  assert.deepEqual(o.trackers, { keep: ['wan'], replace: ['wanb'], start: [], stop: [] });
  assert.deepEqual(s.trackers.calls.slice(calls), ['replace wanb']);
  assert.deepEqual(s.dp.applied.at(-1)!.rules, ['https', 'lan_b', 'block', 'default_v4', 'extra']);
  assert.equal(s.events.reloads.at(-1)!.result, 'ok');
});

test('a bad config at reload keeps the running setup', async () => {
  const s = setup();
  await s.start();
  const applies = s.dp.applied.length;
  s.loader.next = new ConfigRejectedError(['/etc/config/mwan:3: interface wan: option family: "ipv5" is not ipv4 or ipv6']);
  const r = s.c.reload();
  await s.settle();
  assert.deepEqual(await r, { result: 'error', errors: ['/etc/config/mwan:3: interface wan: option family: "ipv5" is not ipv4 or ipv6'] });
  assert.equal(s.dp.applied.length, applies);
  assert.deepEqual(s.c.state().config, twoWan());
  // a config the planner refuses is also rejected as a whole
  const cfg = twoWan();
  cfg.rules.push(rule('unplannable', 'balanced'));
  s.loader.next = cfg;
  s.dp.planError = 'unplannable';
  const r2 = s.c.reload();
  await s.settle();
  assert.equal((await r2).result, 'error');
  assert.deepEqual(s.c.state().config, twoWan());
  assert.deepEqual(s.events.reloads.map((x) => x.result), ['error', 'error']);
});

test('an ifup arriving during a reload is applied after it, not lost', async () => {
  const s = setup();
  await s.start();
  let open!: () => void;
  s.loader.gate = new Promise((r) => (open = r));
  const cfg = twoWan();
  cfg.rules.push(rule('extra', 'wan_wanb'));
  s.loader.next = cfg;
  const r = s.c.reload();
  await s.pump();
  assert.equal(s.loader.loads, 2, 'the reload is loading its config');
  // reload is waiting for its config; now netifd brings wanb up
  s.netifd.views.set('wanb', up('eth2'));
  s.c.onNetifdEvent('wanb');
  open();
  s.loader.gate = undefined;
  await s.settle();
  await r;
  await s.settle();
  const last = s.dp.applied.slice(-2);
  assert.deepEqual(last[0], { usable: [], rules: ['https', 'lan_b', 'block', 'default_v4', 'extra'], devices: {} });
  assert.deepEqual(last[1], { usable: ['wanb'], rules: ['https', 'lan_b', 'block', 'default_v4', 'extra'], devices: {} });
});

test('administrative ifdown/ifup, apply failure retried with the injected clock', async () => {
  const s = setup();
  s.netifd.views.set('wan', up('eth1'));
  await s.start();
  const p = s.c.admin('wan', 'ifdown');
  await s.settle();
  await p;
  assert.deepEqual(s.dp.applied.at(-1)!.usable, []);
  assert.equal(s.hooks.actions.at(-1)!.action, 'ifdown');
  assert.ok(s.trackers.calls.includes('update wan down eth1'));
  await assert.rejects(s.c.admin('nope', 'ifup'), (e: { code: string }) => e.code === MwandErrorCode.NO_SUCH_INTERFACE);

  s.dp.failNext = 1;
  const n = s.dp.applied.length;
  const p2 = s.c.admin('wan', 'ifup');
  await s.settle();
  await p2;
  assert.equal(s.dp.applied.length, n, 'apply failed');
  assert.equal(s.c.metrics().apply_errors, 1);
  s.clock.advance(1000);
  await s.settle();
  assert.deepEqual(s.dp.applied.at(-1)!.usable, ['wan'], 'retried after retryMs');
});

test('flush_conntrack runs for the listed actions only', async () => {
  const cfg = twoWan();
  cfg.interfaces[0] = iface('wan', 1, { flushConntrack: ['ifdown'] });
  const s = setup(cfg);
  s.netifd.views.set('wan', up('eth1'));
  await s.start();
  assert.deepEqual(s.dp.flushed, []);
  s.netifd.views.set('wan', down());
  s.c.onNetifdEvent('wan');
  await s.settle();
  assert.deepEqual(s.dp.flushed, ['wan']);
});

test('a tracker object that appears gets the netifd state and its verdict is taken', async () => {
  const s = setup();
  s.netifd.views.set('wanb', up('eth2'));
  await s.start();
  s.trackers.calls = [];
  s.trackers.statuses.set('wanb', { state: 'offline' });
  s.c.onTrackerAppeared('wanb');
  s.c.onTrackerAppeared('not_configured');
  await s.settle();
  assert.deepEqual(s.trackers.calls, ['update wanb up eth2']);
  assert.equal(s.c.state().track.wanb!.state, 'offline');
  assert.deepEqual(s.dp.applied.at(-1)!.usable, []);
});

test('a reload that adds an interface asks netifd for it at once', async () => {
  const s = setup();
  await s.start();
  const cfg = twoWan();
  cfg.interfaces.push(iface('wanc', 4, { trackIps: [] }));
  cfg.members.push({ name: 'wanc_m3', interface: 'wanc', metric: 3, weight: 1 });
  cfg.policies[1]!.members.push('wanc_m3');
  s.loader.next = cfg;
  s.netifd.views.set('wanc', up('eth3'));
  const r = s.c.reload();
  await s.settle();
  assert.deepEqual((await r).interfaces?.added, ['wanc']);
  assert.deepEqual(s.dp.applied.at(-1)!.usable, ['wanc']);
  assert.deepEqual(s.hooks.actions.at(-1), { interface: 'wanc', action: 'ifup', device: 'eth3' });
});

test('hooks are queued only after the dataplane was applied', async () => {
  const s = setup();
  await s.start();
  const seenAtEnqueue: string[][] = [];
  const enqueue = s.hooks.enqueue.bind(s.hooks);
  s.hooks.enqueue = (a) => {
    seenAtEnqueue.push(s.dp.applied.at(-1)!.usable);
    enqueue(a);
  };
  s.netifd.views.set('wanb', up('eth2'));
  s.c.onNetifdEvent('wanb');
  await s.settle();
  assert.deepEqual(seenAtEnqueue, [['wanb']], 'when the ifup hook is queued, wanb is already in the applied plan');
});

test('per-target figures survive state events and are refreshed from the tracker before a status reply', async () => {
  const { statusView } = await import('../src/views.js');
  const s = setup();
  s.netifd.views.set('wan', up('eth1'));
  s.trackers.instances.set('wan', trackerIdentity(iface('wan', 1)));
  s.trackers.statuses.set('wan', { state: 'online', targets: [{ ip: '192.0.2.1', status: 'up', latencyMs: 12.4, lossPct: 0 }] });
  await s.start();
  const ips = () => statusView(s.c.state(), s.c.policies(), s.c.now(), s.c.runningTrackers()).interfaces as Record<string, { track_ip: unknown }>;
  assert.deepEqual(ips().wan!.track_ip, [{ ip: '192.0.2.1', status: 'up', latency: 12, packetloss: 0 }]);
  // a state event carries no targets: the known ones stay
  s.c.onTrackEvent({ interface: 'wan', action: 'disconnecting', state: 'disconnecting', score: 4, device: 'eth1' });
  await s.settle();
  assert.equal(s.c.state().track.wan!.state, 'disconnecting');
  assert.deepEqual(ips().wan!.track_ip, [{ ip: '192.0.2.1', status: 'up', latency: 12, packetloss: 0 }]);
  // the status method asks the tracker again (events are never the source of per-target figures)
  s.trackers.statuses.set('wan', { state: 'disconnecting', targets: [{ ip: '192.0.2.1', status: 'down', latencyMs: 0, lossPct: 100 }] });
  const refreshed = s.c.refreshTargets();
  await s.settle();
  await refreshed;
  assert.deepEqual(ips().wan!.track_ip, [{ ip: '192.0.2.1', status: 'down', latency: 0, packetloss: 100 }]);
  assert.equal(s.c.state().track.wan!.state, 'disconnecting', 'a status read changes no verdict');
});

test('after a respawn the online age counts from the tracker\'s last_change_s, not from mwand\'s start', async () => {
  const { parseTrackView } = await import('../src/track-view.js');
  const { mwan3Interface } = await import('../src/views.js');
  const s = setup();
  s.clock.advance(100_000);
  s.netifd.views.set('wan', up('eth1'));
  s.trackers.instances.set('wan', trackerIdentity(iface('wan', 1)));
  // the tracker went online 21.5 s before this mwand asked
  s.trackers.statuses.set('wan', parseTrackView({ state: 'online', score: 6, last_change_s: 21.5 }, s.clock.now())!);
  await s.start();
  s.clock.advance(7000);
  const wan = s.c.state().config.interfaces[0]!;
  const v = mwan3Interface(s.c.state(), wan, s.c.now(), true);
  assert.equal(v.status, 'online');
  assert.ok((v.online as number) >= 28 && (v.online as number) <= 29, `online ${String(v.online)} s (21.5 s before start + 7 s)`);
  // a transition mwand sees itself still counts from when it saw it
  s.c.onTrackEvent({ interface: 'wan', action: 'disconnected', state: 'offline', score: 0, device: 'eth1' });
  await s.settle();
  const t0 = s.c.now();
  s.clock.advance(3000);
  const off = mwan3Interface(s.c.state(), wan, s.c.now(), true);
  assert.equal(off.status, 'offline');
  assert.equal(off.offline, Math.floor((s.c.now() - t0) / 1000));
});

test('src_iface lan: mwand follows that netifd interface too, and the planner gets its device while it is up', async () => {
  const cfg = twoWan();
  cfg.rules.unshift(rule('from_lan', 'wan_wanb', { srcIface: 'lan' }));
  const s = setup(cfg);
  s.netifd.views.set('wan', up('eth1'));
  s.netifd.views.set('lan', up('br-lan'));
  await s.start();
  assert.deepEqual(s.dp.applied.at(-1)!.devices, { lan: 'br-lan' }, 'asked netifd about lan at start');
  // an mwan interface with enabled '0' (wan6 here) named in src_iface: netifd's device too
  s.netifd.views.set('wan6', up('eth3'));
  s.c.onNetifdEvent('wan6');
  await s.settle();
  assert.deepEqual(s.dp.applied.at(-1)!.devices, { lan: 'br-lan' }, 'no rule names wan6 yet');
  const withWan6 = twoWan();
  withWan6.rules.unshift(rule('from_lan', 'wan_wanb', { srcIface: 'lan' }), rule('from_wan6', 'wan_wanb', { srcIface: 'wan6' }));
  s.loader.next = withWan6;
  assert.equal((await (async () => { const r = s.c.reload(); await s.settle(); return r; })()).result, 'ok');
  assert.deepEqual(s.dp.applied.at(-1)!.devices, { lan: 'br-lan', wan6: 'eth3' }, 'disabled in mwan, up in netifd: its device');
  s.loader.next = cfg;
  assert.equal((await (async () => { const r = s.c.reload(); await s.settle(); return r; })()).result, 'ok');
  // lan goes down: its device leaves the plan (the planner then leaves the rule out), no hook for it
  s.netifd.views.set('lan', down());
  s.c.onNetifdEvent('lan');
  await s.settle();
  assert.deepEqual(s.dp.applied.at(-1)!.devices, {});
  assert.ok(!s.hooks.actions.some((a) => a.interface === 'lan'), 'lan is not an mwan interface: no hooks');
  assert.ok(!s.trackers.calls.some((c) => c.includes('lan')), 'and no tracker');
  s.netifd.views.set('lan', up('br-lan2'));
  s.c.onNetifdEvent('lan');
  await s.settle();
  assert.deepEqual(s.dp.applied.at(-1)!.devices, { lan: 'br-lan2' });
  // a reload that names another interface in src_iface asks netifd about it at once; one no rule names any more is forgotten
  const next = twoWan();
  next.rules.unshift(rule('from_guest', 'wan_wanb', { srcIface: 'guest' }));
  s.netifd.views.set('guest', up('br-guest'));
  s.loader.next = next;
  const r = s.c.reload();
  await s.settle();
  assert.equal((await r).result, 'ok');
  assert.deepEqual(s.dp.applied.at(-1)!.devices, { guest: 'br-guest' });
  assert.equal(s.c.state().netifd.lan, undefined);
  // events of interfaces no rule names are still ignored
  s.netifd.views.set('lan', up('br-lan'));
  const applies = s.dp.applied.length;
  s.c.onNetifdEvent('lan');
  await s.settle();
  assert.equal(s.dp.applied.length, applies);
});
