import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState, type ControllerState } from '../src/core/model.js';
import { handle, statusChanges, type CoreEvent } from '../src/core/state.js';
import { interfaceStatus } from '../src/core/status.js';
import { largestRemainder, resolveAll } from '../src/core/policy.js';
import { diffConfig, diffTrackers, trackerIdentity } from '../src/core/reload.js';
import { explain } from '../src/core/explain.js';
import { EventQueue } from '../src/core/queue.js';
import { FakeClock } from '../src/core/clock.js';
import { MwandErrorCode } from '../src/errors.js';
import { down, iface, rule, twoWan, up } from './fixtures.js';

function run(events: CoreEvent[], state: ControllerState = emptyState(twoWan())): { state: ControllerState; actions: string[] } {
  const actions: string[] = [];
  let t = 0;
  for (const e of events) {
    const r = handle(state, e, ++t);
    state = r.state;
    for (const a of r.actions) actions.push(`${a.action} ${a.interface} ${a.device}`.trim());
  }
  return { state, actions };
}

test('state machine: hook actions per event (table)', () => {
  const cases: { name: string; events: CoreEvent[]; actions: string[]; wan: string }[] = [
    { name: 'netifd ifup', events: [{ kind: 'netifd', interface: 'wan', view: up('eth1') }], actions: ['ifup wan eth1'], wan: 'online' },
    {
      name: 'ifup then ifdown: DEVICE empty on ifdown as mwan3',
      events: [{ kind: 'netifd', interface: 'wan', view: up('eth1') }, { kind: 'netifd', interface: 'wan', view: down() }],
      actions: ['ifup wan eth1', 'ifdown wan'],
      wan: 'offline',
    },
    {
      name: 'repeated up status is not a second ifup',
      events: [{ kind: 'netifd', interface: 'wan', view: up('eth1') }, { kind: 'netifd', interface: 'wan', view: up('eth1') }],
      actions: ['ifup wan eth1'],
      wan: 'online',
    },
    {
      name: 'tracker verdicts map to connected/disconnecting/disconnected',
      events: [
        { kind: 'netifd', interface: 'wan', view: up('eth1') },
        { kind: 'track', interface: 'wan', view: { state: 'online' } },
        { kind: 'track', interface: 'wan', view: { state: 'disconnecting' } },
        { kind: 'track', interface: 'wan', view: { state: 'offline' } },
      ],
      actions: ['ifup wan eth1', 'connected wan eth1', 'disconnecting wan eth1', 'disconnected wan eth1'],
      wan: 'offline',
    },
    {
      name: 'disconnected only after online/disconnecting (mwan3)',
      events: [{ kind: 'netifd', interface: 'wan', view: up('eth1') }, { kind: 'track', interface: 'wan', view: { state: 'connecting' } }, { kind: 'track', interface: 'wan', view: { state: 'offline' } }],
      actions: ['ifup wan eth1', 'connecting wan eth1'],
      wan: 'offline',
    },
    {
      name: 'a first verdict of offline (initial_state offline after an ifup, or at mwand start): no disconnected, as mwan3',
      events: [
        { kind: 'netifd', interface: 'wan', view: up('eth1') },
        { kind: 'track', interface: 'wan', view: { state: 'offline' } },
        { kind: 'track', interface: 'wan', view: { state: 'online' } },
        { kind: 'track', interface: 'wan', view: { state: 'offline' } },
        // a new ifup forgets the old verdict: its first offline is again no disconnect
        { kind: 'netifd', interface: 'wan', view: down() },
        { kind: 'netifd', interface: 'wan', view: up('eth1') },
        { kind: 'track', interface: 'wan', view: { state: 'offline' } },
      ],
      actions: ['ifup wan eth1', 'connected wan eth1', 'disconnected wan eth1', 'ifdown wan', 'ifup wan eth1'],
      wan: 'offline',
    },
    {
      name: 'disabled interface produces no actions',
      events: [{ kind: 'netifd', interface: 'wan6', view: up('eth3') }],
      actions: [],
      wan: 'offline',
    },
    {
      name: 'administrative ifdown then ifup',
      events: [{ kind: 'netifd', interface: 'wan', view: up('eth1') }, { kind: 'admin', interface: 'wan', action: 'ifdown' }, { kind: 'admin', interface: 'wan', action: 'ifup' }],
      actions: ['ifup wan eth1', 'ifdown wan', 'ifup wan eth1'],
      wan: 'online',
    },
    {
      name: 'netifd flaps while administratively down: no actions, stays down',
      events: [
        { kind: 'netifd', interface: 'wan', view: up('eth1') },
        { kind: 'admin', interface: 'wan', action: 'ifdown' },
        { kind: 'netifd', interface: 'wan', view: down() },
        { kind: 'netifd', interface: 'wan', view: up('eth1') },
      ],
      actions: ['ifup wan eth1', 'ifdown wan'],
      wan: 'offline',
    },
  ];
  for (const c of cases) {
    const r = run(c.events);
    assert.deepEqual(r.actions, c.actions, c.name);
    assert.equal(interfaceStatus(r.state, r.state.config.interfaces[0]!).status, c.wan, c.name);
  }
});

test('status: tracking words, initial_state and usability (table)', () => {
  const cfg = twoWan();
  const cases = [
    { name: 'no track_ip: online, tracking disabled', i: iface('wan', 1, { trackIps: [] }), net: up('eth1'), track: undefined, want: ['online', true, 'disabled'] },
    { name: 'tracked, no verdict yet, initial online', i: iface('wan', 1), net: up('eth1'), track: undefined, want: ['online', true, 'down'] },
    { name: 'tracked, no verdict yet, initial offline', i: iface('wan', 1, { initialState: 'offline' }), net: up('eth1'), track: undefined, want: ['offline', false, 'down'] },
    { name: 'disconnecting still carries traffic', i: iface('wan', 1), net: up('eth1'), track: { state: 'disconnecting' as const }, want: ['disconnecting', true, 'active'] },
    { name: 'connecting does not yet', i: iface('wan', 1), net: up('eth1'), track: { state: 'connecting' as const }, want: ['connecting', false, 'active'] },
    { name: 'netifd down: paused', i: iface('wan', 1), net: down(), track: { state: 'online' as const }, want: ['offline', false, 'paused'] },
    { name: 'disabled', i: iface('wan', 1, { enabled: false }), net: up('eth1'), track: undefined, want: ['disabled', false, 'disabled'] },
    // netifd up but no (valid) layer-3 device: the planner cannot route via it, so nobody calls it usable
    { name: 'up without a device, untracked', i: iface('wan', 1, { trackIps: [] }), net: { ...up('eth1'), device: undefined }, track: undefined, want: ['offline', false, 'disabled'] },
    { name: 'up without a device, tracker online', i: iface('wan', 1), net: { ...up('eth1'), device: undefined }, track: { state: 'online' as const }, want: ['offline', false, 'active'] },
  ];
  for (const c of cases) {
    const st: ControllerState = { ...emptyState({ ...cfg, interfaces: [c.i] }), netifd: { wan: c.net }, track: c.track ? { wan: c.track } : {} };
    const s = interfaceStatus(st, c.i);
    assert.deepEqual([s.status, s.usable, s.tracking], c.want, c.name);
  }
});

test('policy shares: lowest metric wins, weights share, percentages sum to 100', () => {
  const cfg = twoWan();
  const both = resolveAll(cfg, new Set(['wan', 'wanb']));
  assert.deepEqual(both.balanced!.ipv4.shares.map((s) => [s.interface, s.percent]), [['wan', 60], ['wanb', 40]]);
  assert.deepEqual(both.wan_wanb!.ipv4.shares.map((s) => [s.interface, s.percent]), [['wan', 100]]);
  const onlyB = resolveAll(cfg, new Set(['wanb']));
  assert.deepEqual(onlyB.wan_wanb!.ipv4.shares.map((s) => [s.interface, s.percent]), [['wanb', 100]]);
  const none = resolveAll(cfg, new Set());
  assert.deepEqual(none.balanced!.ipv4, { shares: [], lastResort: 'unreachable' });
  // ipv6 members only count for ipv6 (and wan6 is not usable)
  assert.deepEqual(both.balanced!.ipv6.shares, []);
  assert.deepEqual(largestRemainder([1, 1, 1]), [34, 33, 33]);
  assert.deepEqual(largestRemainder([1, 2]), [33, 67]);
  // metric 256 is a normal metric (mwan3 never treated it as lowest), 257 is skipped
  const m = { ...cfg, members: [{ name: 'a', interface: 'wan', metric: 256, weight: 1 }, { name: 'b', interface: 'wanb', metric: 257, weight: 1 }], policies: [{ name: 'p', members: ['a', 'b'], lastResort: 'default' as const }] };
  assert.deepEqual(resolveAll(m, new Set(['wan', 'wanb'])).p!.ipv4.shares.map((s) => s.interface), ['wan']);
});

test('since: online/offline times follow usability with the injected clock', () => {
  let st = emptyState(twoWan());
  st = handle(st, { kind: 'netifd', interface: 'wan', view: up('eth1') }, 5000).state;
  assert.equal(st.since.wan!.online, 5000);
  st = handle(st, { kind: 'track', interface: 'wan', view: { state: 'disconnecting' } }, 6000).state;
  assert.equal(st.since.wan!.online, 5000, 'disconnecting is still online');
  st = handle(st, { kind: 'track', interface: 'wan', view: { state: 'offline' } }, 7000).state;
  assert.deepEqual(st.since.wan, { offline: 7000 });
});

test('statusChanges lists exactly the interfaces whose status moved', () => {
  const a = emptyState(twoWan());
  const b = handle(a, { kind: 'netifd', interface: 'wanb', view: up('eth2') }, 1).state;
  const ch = statusChanges(a, b);
  assert.deepEqual(ch.map((c) => [c.interface, c.from?.status, c.to.status]), [['wanb', 'offline', 'online']]);
  assert.deepEqual(statusChanges(b, b), []);
});

test('reload diff keyed by section name (table)', () => {
  const base = twoWan();
  const running = new Map(twoWan().interfaces.filter((i) => i.enabled).map((i) => [i.name, trackerIdentity(i)]));
  const cases = [
    { name: 'no-op', after: twoWan(), want: { keep: ['wan', 'wanb'], replace: [], start: [], stop: [] }, noop: true },
    {
      name: 'changed tracker settings of wanb only',
      after: { ...twoWan(), interfaces: [iface('wan', 1), iface('wanb', 2, { trackSettings: { interval: 1, up: 3, down: 3 } }), iface('wan6', 3, { family: 'ipv6', enabled: false })] },
      want: { keep: ['wan'], replace: ['wanb'], start: [], stop: [] },
      noop: false,
    },
    {
      name: 'wan6 enabled, wanb removed',
      after: { ...twoWan(), interfaces: [iface('wan', 1), iface('wan6', 3, { family: 'ipv6' })] },
      want: { keep: ['wan'], replace: [], start: ['wan6'], stop: ['wanb'] },
      noop: false,
    },
    {
      name: 'track_ip emptied: tracker stops',
      after: { ...twoWan(), interfaces: [iface('wan', 1, { trackIps: [] }), iface('wanb', 2), iface('wan6', 3, { family: 'ipv6', enabled: false })] },
      want: { keep: ['wanb'], replace: [], start: [], stop: ['wan'] },
      noop: false,
    },
    {
      name: 'rule change only: all trackers kept, not a no-op',
      after: { ...twoWan(), rules: [rule('all', 'wan_wanb')] },
      want: { keep: ['wan', 'wanb'], replace: [], start: [], stop: [] },
      noop: false,
    },
  ];
  for (const c of cases) {
    const d = diffConfig(base, c.after, running);
    assert.deepEqual(d.trackers, c.want, c.name);
    assert.equal(d.noop, c.noop, c.name);
  }
  // key order inside settings does not matter
  const reordered = { ...twoWan(), interfaces: twoWan().interfaces.map((i) => ({ ...i, trackSettings: { down: 3, up: 3, interval: 5 } })) };
  assert.equal(diffConfig(base, reordered, running).noop, true);
  // a tracker whose settings cannot be read back (unknown identity) is replaced; matching ones are adopted
  assert.deepEqual(diffTrackers(new Map([['wan', undefined], ['wanb', trackerIdentity(iface('wanb', 2))]]), base), { keep: ['wanb'], replace: ['wan'], start: [], stop: [] });
  const d = diffConfig(base, { ...twoWan(), interfaces: [iface('wan', 1), iface('wanx', 2)] }, running);
  assert.deepEqual(d.interfaces, { unchanged: ['wan'], changed: [], added: ['wanx'], removed: ['wanb', 'wan6'] });
});

function explainState(): ControllerState {
  let st = emptyState(twoWan());
  st = handle(st, { kind: 'netifd', interface: 'wan', view: up('eth1') }, 1).state;
  st = handle(st, { kind: 'netifd', interface: 'wanb', view: up('eth2') }, 2).state;
  st = handle(st, { kind: 'rtmon', view: { connected: { ipv4: ['10.1.0.0/16', '192.168.1.0/24'], ipv6: [] } } }, 3).state;
  return st;
}

test('explain: rule, policy and WAN with reasons (table)', () => {
  const st = explainState();
  const wanbDown = handle(st, { kind: 'track', interface: 'wan', view: { state: 'offline' } }, 4).state;
  const allDown = handle(wanbDown, { kind: 'netifd', interface: 'wanb', view: down() }, 5).state;
  const cases = [
    { name: 'connected destination', st, q: { src: '10.2.0.5', dst: '192.168.1.9' }, want: { decision: 'connected', action: 'default', rule: undefined, ifs: [] } },
    { name: 'multicast is connected', st, q: { src: '10.2.0.5', dst: '239.1.1.1' }, want: { decision: 'connected', action: 'default', rule: undefined, ifs: [] } },
    { name: 'https sticky balanced 60/40', st, q: { src: '10.2.0.5', dst: '203.0.113.7', proto: 'tcp', port: 443 }, want: { decision: 'rule', action: 'balance', rule: 'https', ifs: ['wan 60', 'wanb 40'] } },
    { name: 'tcp 80 falls to lan_b by source', st, q: { src: '10.1.2.3', dst: '203.0.113.7', proto: 'tcp', port: 80 }, want: { decision: 'rule', action: 'interface', rule: 'lan_b', ifs: ['wan 100'] } },
    { name: 'failover to wanb when wan offline', st: wanbDown, q: { src: '10.1.2.3', dst: '203.0.113.7', proto: 'udp', port: 53 }, want: { decision: 'rule', action: 'interface', rule: 'lan_b', ifs: ['wanb 100'] } },
    { name: 'last resort when all down', st: allDown, q: { src: '10.1.2.3', dst: '203.0.113.7' }, want: { decision: 'rule', action: 'unreachable', rule: 'lan_b', ifs: [] } },
    { name: 'blackhole builtin', st, q: { src: '10.2.0.5', dst: '198.51.100.9' }, want: { decision: 'rule', action: 'blackhole', rule: 'block', ifs: [] } },
    { name: 'ipv6 with no rule', st, q: { src: '2001:db8::1', dst: '2001:db8:1::1' }, want: { decision: 'no_rule', action: 'default', rule: undefined, ifs: [] } },
    { name: 'protocol number equals name', st, q: { src: '10.2.0.5', dst: '203.0.113.7', proto: '6', port: 443 }, want: { decision: 'rule', action: 'balance', rule: 'https', ifs: ['wan 60', 'wanb 40'] } },
  ];
  for (const c of cases) {
    const r = explain(c.st, c.q);
    assert.equal(r.decision, c.want.decision, c.name);
    assert.equal(r.action, c.want.action, c.name);
    assert.equal(r.rule, c.want.rule, c.name);
    assert.deepEqual(r.interfaces.map((i) => `${i.interface} ${i.percent}`), c.want.ifs, c.name);
    assert.ok(r.reasons.length > 0, c.name);
  }
  const r = explain(st, { src: '10.1.2.3', dst: '203.0.113.7', proto: 'tcp', port: 80 });
  assert.deepEqual(r.skipped, [{ rule: 'https', reason: 'destination port 443' }]);
  assert.equal(r.interface, 'wan');
  assert.equal(r.interfaces[0]!.device, 'eth1');
});

test('explain rejects bad input with stable codes', () => {
  const st = explainState();
  const bad = [
    [{ src: 'x', dst: '1.2.3.4' }, 'src'],
    [{ src: '10.0.0.1', dst: '300.1.1.1' }, 'dst'],
    [{ src: '10.0.0.1', dst: '2001:db8::1' }, 'dst'],
    [{ src: '10.0.0.1', dst: '1.2.3.4', proto: 'bogus' }, 'proto'],
    [{ src: '10.0.0.1', dst: '1.2.3.4', proto: 'tcp', port: 70000 }, 'port'],
  ] as const;
  for (const [q, field] of bad) {
    assert.throws(() => explain(st, q), (e: { code: string; field: string }) => e.code === MwandErrorCode.BAD_ARGUMENT && e.field === field);
  }
});

test('queue: coalesces a burst into one batch, keeps order, never drops events', async () => {
  const clock = new FakeClock();
  const batches: string[][] = [];
  let release: (() => void) | undefined;
  const q = new EventQueue<string>({
    clock,
    coalesceMs: 20,
    process: async (b) => {
      batches.push(b);
      if (b.includes('reload')) await new Promise<void>((r) => (release = r));
    },
  });
  q.push('ifup wan');
  q.push('track wan');
  assert.equal(batches.length, 0, 'nothing before the coalescing window ends');
  clock.advance(20);
  await q.idle();
  assert.deepEqual(batches, [['ifup wan', 'track wan']]);

  const reloaded = q.pushAndWait('reload');
  clock.advance(20);
  await new Promise((r) => setImmediate(r));
  assert.ok(release, 'reload batch is running');
  q.push('ifup wanb'); // arrives during the reload
  q.push('ifdown wan');
  assert.equal(q.backlog, 3);
  release!();
  await reloaded;
  clock.advance(20);
  await q.idle();
  assert.deepEqual(batches.slice(1), [['reload'], ['ifup wanb', 'ifdown wan']]);
  assert.equal(q.backlog, 0);
});

test('queue: a failing batch is reported and later events still run', async () => {
  const clock = new FakeClock();
  const seen: string[] = [];
  const errors: string[] = [];
  const q = new EventQueue<string>({
    clock,
    process: async (b) => {
      seen.push(...b);
      if (b.includes('bad')) throw new Error('boom');
    },
    onError: (e) => errors.push((e as Error).message),
  });
  const w = q.pushAndWait('bad');
  clock.advance(0);
  await w;
  const w2 = q.pushAndWait('good');
  clock.advance(0);
  await w2;
  assert.deepEqual(seen, ['bad', 'good']);
  assert.deepEqual(errors, ['boom']);
});
