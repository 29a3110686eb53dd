/** The tracker loop with a fake clock and a scripted prober: scheduling, reliability, updates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../src/clock.js';
import type { TargetResult } from '../src/machine.js';
import type { ProbeBinding, Prober } from '../src/probes/types.js';
import { parseSettings } from '../src/settings.js';
import { Tracker, type TrackChange } from '../src/tracker.js';

/** A prober whose answers the test sets per target; records every probe and binding. */
class ScriptedProber implements Prober {
  answers = new Map<string, number | null>();
  probed: string[] = [];
  bindings: ProbeBinding[] = [];
  closed = false;
  constructor(b: ProbeBinding) { this.bindings.push(b); }
  async probe(target: string): Promise<TargetResult> {
    this.probed.push(target);
    const rtt = this.answers.get(target) ?? null;
    return { target, sent: 1, received: rtt === null ? 0 : 1, rttsMs: rtt === null ? [] : [rtt] };
  }
  rebind(b: ProbeBinding): void { this.bindings.push(b); }
  close(): void { this.closed = true; }
}

const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

function setup(settings: object) {
  const clock = new FakeClock();
  const events: TrackChange[] = [];
  const probers: ScriptedProber[] = [];
  const answers = new Map<string, number | null>();
  const s = parseSettings({ device: 'eth1', interval: 1, down: 2, up: 2, ...settings });
  const tracker = new Tracker('wan', s, {
    clock,
    createProber: (b) => { const p = new ScriptedProber(b); p.answers = answers; probers.push(p); return p; },
    onChange: (e) => events.push(e),
    wallNow: () => 1_700_000_000_000,
  });
  const tick = async (ms: number): Promise<void> => { clock.advance(ms); await flush(); };
  return { clock, events, probers, answers, tracker, tick, acts: () => events.map((e) => e.action) };
}

test('rounds run every interval; targets probed in order until reliability is met, the rest skipped', async () => {
  const h = setup({ trackIp: ['192.0.2.1', '192.0.2.2', '192.0.2.3'], reliability: 1 });
  h.answers.set('192.0.2.1', 5);
  h.tracker.start();
  assert.deepEqual(h.acts(), ['connected']);
  assert.equal(h.events[0]!.first_connect, true);
  await h.tick(0);
  assert.deepEqual(h.probers[0]!.probed, ['192.0.2.1']);
  await h.tick(999);
  assert.equal(h.probers[0]!.probed.length, 1, 'not before interval');
  await h.tick(1);
  assert.equal(h.probers[0]!.probed.length, 2);
  h.answers.set('192.0.2.1', null);
  h.answers.set('192.0.2.2', 7);
  await h.tick(1000);
  assert.deepEqual(h.probers[0]!.probed.slice(2), ['192.0.2.1', '192.0.2.2']);
  const st = h.tracker.status();
  assert.deepEqual(st.targets.map((x) => x.status), ['down', 'up', 'skipped']);
  assert.equal(st.state, 'online');
});

test('WAN figures: latency, jitter, loss over the window; event carries them', async () => {
  const h = setup({ trackIp: ['192.0.2.1'], window: 4 });
  h.tracker.start();
  for (const rtt of [10, 20, 10, null, 30]) {
    h.answers.set('192.0.2.1', rtt);
    await h.tick(1000);
  }
  const st = h.tracker.status();
  // window of 4: 20, 10, lost, 30
  assert.equal(st.targets[0]!.sent, 4);
  assert.equal(st.targets[0]!.received, 3);
  assert.equal(st.loss_pct, 25);
  assert.equal(st.latency_ms, 20);
  assert.equal(st.targets[0]!.latency_ms, 30);
  assert.equal(st.jitter_ms, 15);
  assert.equal(st.time, 1_700_000_000);
});

test('update up:false → disabled, prober closed, no more rounds; up:true → probing again', async () => {
  const h = setup({ trackIp: ['192.0.2.1'] });
  h.answers.set('192.0.2.1', 5);
  h.tracker.start();
  await h.tick(0);
  h.tracker.update({ up: false });
  assert.deepEqual(h.acts(), ['connected', 'disabled']);
  assert.equal(h.probers[0]!.closed, true);
  await h.tick(10_000);
  assert.equal(h.probers[0]!.probed.length, 1);
  assert.equal(h.clock.pending, 0, 'no timer left');
  h.tracker.update({ up: true });
  assert.deepEqual(h.acts().slice(2), ['connected']);
  await h.tick(0);
  assert.equal(h.probers[1]!.probed.length, 1);
});

test('a round in flight when the interface goes down is discarded', async () => {
  const h = setup({ trackIp: ['192.0.2.1'] });
  h.tracker.start();
  let release!: (r: TargetResult) => void;
  h.clock.advance(0);
  // the first round's probe hangs; meanwhile ifdown
  const p = h.probers[0]!;
  p.probe = () => new Promise((res) => { release = res; });
  h.tracker.reset();
  h.clock.advance(0);
  h.tracker.update({ up: false });
  release({ target: '192.0.2.1', sent: 1, received: 0, rttsMs: [] });
  await flush();
  assert.equal(h.tracker.status().state, 'disabled');
  assert.equal(h.tracker.status().rounds, 0);
});

test('start without a device: disabled until update gives one', async () => {
  const h = setup({ trackIp: ['192.0.2.1'], device: null });
  h.tracker.start();
  assert.deepEqual(h.acts(), ['disabled']);
  assert.equal(h.probers.length, 0);
  h.tracker.update({ device: 'eth9', srcIp: '192.0.2.100' });
  assert.deepEqual(h.acts(), ['disabled', 'connected']);
  assert.deepEqual(h.probers[0]!.bindings[0], { device: 'eth9', srcIp: '192.0.2.100', mark: 0x3f00 });
});

test('device change while running rebinds the prober, state untouched', async () => {
  const h = setup({ trackIp: ['192.0.2.1'] });
  h.tracker.start();
  h.tracker.update({ device: 'eth2' });
  assert.equal(h.probers.length, 1);
  assert.deepEqual(h.probers[0]!.bindings.at(-1), { device: 'eth2', srcIp: null, mark: 0x3f00 });
  assert.deepEqual(h.acts(), ['connected']);
  assert.equal(h.tracker.status().device, 'eth2');
});

test('a prober that cannot open (device gone) leaves the tracker disabled, not crashed', async () => {
  const clock = new FakeClock();
  const events: TrackChange[] = [];
  const tr = new Tracker('wan', parseSettings({ device: 'eth1', trackIp: ['192.0.2.1'] }), {
    clock, onChange: (e) => events.push(e), createProber: () => { throw new Error('ENODEV'); },
  });
  tr.start();
  assert.deepEqual(events.map((e) => e.action), ['disabled']);
});

test('stop: no timers left, prober closed, later updates ignored', async () => {
  const h = setup({ trackIp: ['192.0.2.1'] });
  h.tracker.start();
  await h.tick(0);
  await h.tracker.stop();
  assert.equal(h.clock.pending, 0);
  assert.equal(h.probers[0]!.closed, true);
  h.tracker.update({ up: true, device: 'x' });
  assert.equal(h.probers.length, 1);
});

test('intervals follow the machine: failure_interval while disconnecting, recovery_interval while connecting', async () => {
  const h = setup({ trackIp: ['192.0.2.1'], interval: 10, failureInterval: 2, recoveryInterval: 3, down: 3, up: 2 });
  h.tracker.start();
  await h.tick(0); // fails (no answer) → disconnecting, next in 2 s
  assert.deepEqual(h.acts(), ['connected', 'disconnecting']);
  await h.tick(1999);
  assert.equal(h.probers[0]!.probed.length, 1);
  await h.tick(1);
  assert.equal(h.probers[0]!.probed.length, 2);
  await h.tick(2000); // third failure → offline, next in failure_interval
  assert.deepEqual(h.acts().slice(-1), ['disconnected']);
  h.answers.set('192.0.2.1', 1);
  await h.tick(2000); // pass → connecting, next in 3 s
  assert.deepEqual(h.acts().slice(-1), ['connecting']);
  await h.tick(2999);
  assert.deepEqual(h.acts().slice(-1), ['connecting']);
  await h.tick(1);
  assert.deepEqual(h.acts().slice(-1), ['connected']);
});
