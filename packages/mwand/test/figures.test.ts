/**
 * Live figures (event mwan.track.figures) → state → plan: `balance quality` shares follow them,
 * other policies plan identically (nothing applied), changes within the hysteresis change
 * nothing. Controller with fakes, but the real planner and applier (recording backend).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApplier, createRecordingBackend } from 'mwan-dataplane';
import { Controller } from '../src/controller.js';
import { createDataplanePort } from '../src/adapters/dataplane.js';
import { FakeClock } from '../src/core/clock.js';
import { figuresMoved, parseFigures, withFigures } from '../src/core/figures.js';
import type { CoreConfig } from '../src/core/model.js';
import { handle } from '../src/core/state.js';
import { emptyState } from '../src/core/model.js';
import type { DataplanePort } from '../src/ports.js';
import { FakeNetifd, FakeRtmon, FakeTrackers, RecordingEvents, RecordingHooks } from './fakes.js';
import { iface, rule, up } from './fixtures.js';

function config(withQuality: boolean): CoreConfig {
  return {
    globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [], sourceRouting: false },
    interfaces: [iface('wan', 1), iface('wanb', 2, { trackIps: ['198.51.100.1'] })],
    members: [
      { name: 'wan_m1', interface: 'wan', metric: 1, weight: 1 },
      { name: 'wanb_m1', interface: 'wanb', metric: 1, weight: 1 },
    ],
    policies: [
      { name: 'balanced', members: ['wan_m1', 'wanb_m1'], lastResort: 'unreachable' },
      ...(withQuality ? [{ name: 'live', members: ['wan_m1', 'wanb_m1'], lastResort: 'unreachable' as const, balance: 'quality' }] : []),
    ],
    rules: [
      rule('https', withQuality ? 'live' : 'balanced', { proto: 'tcp', destPort: ['443'] }),
      rule('default_v4', 'balanced', { family: 'ipv4', destIp: ['0.0.0.0/0'] }),
    ],
  };
}

async function setup(withQuality: boolean) {
  const clock = new FakeClock();
  const backend = createRecordingBackend();
  const port = createDataplanePort(createApplier({ backend }));
  const applied: unknown[] = [];
  const dp: DataplanePort = { ...port, apply: async (p) => { applied.push(p); await port.apply(p); } };
  const netifd = new FakeNetifd();
  netifd.views.set('wan', { ...up('eth1'), ipv4: ['192.0.2.2/24'], gateway: '192.0.2.1' });
  netifd.views.set('wanb', { ...up('eth2'), ipv4: ['198.51.100.2/24'], gateway: '198.51.100.1' });
  const trackers = new FakeTrackers();
  const cfg = config(withQuality);
  for (const i of cfg.interfaces) {
    trackers.instances.set(i.name, trackers.identity(i));
    trackers.statuses.set(i.name, { state: 'online', score: 6, latencyMs: 20, lossPct: 0 });
  }
  const events = new RecordingEvents();
  const c = new Controller({ clock, loadConfig: async () => structuredClone(cfg), dataplane: dp, netifd, trackers, rtmon: new FakeRtmon(), events, hooks: new RecordingHooks(), coalesceMs: 20 });
  const settle = async (): Promise<void> => {
    for (let k = 0; k < 5; k++) { clock.advance(20); await new Promise((r) => setImmediate(r)); }
    await c.idle();
  };
  const p = c.start();
  await settle();
  await p;
  const nftApplies = (): number => backend.calls.filter((x) => x.kind === 'nftApply').length;
  const shares = (policy: string): string[] => (c.policies()[policy]?.ipv4.shares ?? []).map((s) => `${s.interface} ${s.percent}`);
  return { c, applied, events, settle, nftApplies, shares };
}

test('figures parsing and hysteresis: loss ≥ 5 points, latency ≥ 20 % and ≥ 10 ms', () => {
  assert.deepEqual(parseFigures({ interface: 'wan', latency_ms: 31.5, loss_pct: 12 }), { latencyMs: 31.5, lossPct: 12 });
  assert.deepEqual(parseFigures({ interface: 'wan', latency_ms: null, loss_pct: 100 }), { lossPct: 100 });
  assert.equal(parseFigures({ interface: 'wan', latency_ms: 'x', loss_pct: -3 }), null);
  assert.equal(parseFigures({ interface: 'wan' }), null);
  assert.equal(figuresMoved({ latencyMs: 20, lossPct: 0 }, { latencyMs: 20, lossPct: 4.9 }), false);
  assert.equal(figuresMoved({ latencyMs: 20, lossPct: 0 }, { latencyMs: 20, lossPct: 5 }), true);
  assert.equal(figuresMoved({ latencyMs: 20, lossPct: 0 }, { latencyMs: 29, lossPct: 0 }), false);
  assert.equal(figuresMoved({ latencyMs: 100, lossPct: 0 }, { latencyMs: 119, lossPct: 0 }), false);
  assert.equal(figuresMoved({ latencyMs: 100, lossPct: 0 }, { latencyMs: 120, lossPct: 0 }), true);
  const v = { state: 'online' as const, score: 6, latencyMs: 20, lossPct: 0 };
  assert.equal(withFigures(v, { latencyMs: 22, lossPct: 2 }), v, 'same object: nothing changed');
  assert.deepEqual(withFigures(v, { latencyMs: 22, lossPct: 10 }), { state: 'online', score: 6, latencyMs: 22, lossPct: 10 });
  // the core: a figures event never changes a verdict, makes no hook action, is ignored without a verdict
  let st = emptyState(config(true));
  const r0 = handle(st, { kind: 'figures', interface: 'wan', figures: { lossPct: 50 } }, 1);
  assert.deepEqual(r0.state.track, {});
  assert.deepEqual(r0.actions, []);
  st = handle(st, { kind: 'track', interface: 'wan', view: v }, 1).state;
  const r1 = handle(st, { kind: 'figures', interface: 'wan', figures: { latencyMs: 20, lossPct: 50 } }, 2);
  assert.deepEqual(r1.actions, []);
  assert.equal(r1.state.track.wan!.state, 'online');
  assert.equal(r1.state.track.wan!.lossPct, 50);
});

test('a figures event moves the quality policy\'s shares, not the weighted one\'s; below the hysteresis nothing is applied', async () => {
  const h = await setup(true);
  assert.equal(h.applied.length, 1, 'converged once at start');
  assert.deepEqual(h.shares('live'), ['wan 50', 'wanb 50']);
  assert.deepEqual(h.shares('balanced'), ['wan 50', 'wanb 50']);
  const nft0 = h.nftApplies();
  const ev0 = h.events.policies.length;
  const if0 = h.events.interfaces.length;

  // small moves (loss +3 points, latency +5 ms): state keeps the figures in use, no apply
  h.c.onTrackFigures({ interface: 'wanb', device: 'eth2', state: 'online', latency_ms: 25, loss_pct: 3 });
  await h.settle();
  assert.equal(h.applied.length, 1, 'no apply below the hysteresis');
  assert.equal(h.c.state().track.wanb!.lossPct, 0);
  assert.equal(h.nftApplies(), nft0);

  // wanb loses 40 %: the quality policy gives it less, but not nothing
  h.c.onTrackFigures({ interface: 'wanb', device: 'eth2', state: 'online', latency_ms: 20, loss_pct: 40 });
  await h.settle();
  assert.equal(h.applied.length, 2, 'one apply');
  assert.ok(h.nftApplies() > nft0, 'nft rewritten');
  const [a, b] = h.c.policies().live!.ipv4.shares;
  assert.equal(a!.interface, 'wan');
  assert.ok(b!.percent > 30 && b!.percent < 45, `wanb gets ${b!.percent} %`);
  assert.equal(a!.percent + b!.percent, 100);
  assert.deepEqual(h.shares('balanced'), ['wan 50', 'wanb 50'], 'weighted policy untouched');
  assert.deepEqual(h.events.policies.slice(ev0).map((p) => p.policy), ['live'], 'mwan.policy only for the quality policy');
  assert.equal(h.events.interfaces.length, if0, 'figures are no interface change');

  // latency: wanb at 4× wan's latency gets still less
  h.c.onTrackFigures({ interface: 'wanb', device: 'eth2', state: 'online', latency_ms: 80, loss_pct: 40 });
  await h.settle();
  assert.equal(h.applied.length, 3);
  const b2 = h.c.policies().live!.ipv4.shares[1]!;
  assert.ok(b2.percent > 0 && b2.percent < b!.percent, `wanb gets ${b2.percent} %`);

  // a link flapping online ↔ disconnecting (both in policies): its state events' small figure
  // wobbles keep the figures in use, nothing is rewritten
  const n = h.applied.length;
  h.c.onTrackEvent({ interface: 'wanb', device: 'eth2', action: 'disconnecting', state: 'disconnecting', score: 5, latency_ms: 83, loss_pct: 42 });
  await h.settle();
  h.c.onTrackEvent({ interface: 'wanb', device: 'eth2', action: 'connected', state: 'online', score: 6, latency_ms: 78, loss_pct: 38 });
  await h.settle();
  assert.equal(h.applied.length, n, 'no apply for a flap within the hysteresis');
  assert.equal(h.c.state().track.wanb!.lossPct, 40);
  assert.equal(h.c.state().track.wanb!.latencyMs, 80);
  assert.equal(h.c.state().track.wanb!.state, 'online');

  // unknown interface: ignored
  h.c.onTrackFigures({ interface: 'nope', latency_ms: 1, loss_pct: 90 });
  await h.settle();
  assert.equal(h.applied.length, 3);
  h.c.stop();
});

test('without a quality policy a figures event changes the state but the plan is identical: nothing applied', async () => {
  const h = await setup(false);
  assert.equal(h.applied.length, 1);
  const nft0 = h.nftApplies();
  const ev0 = h.events.policies.length;
  h.c.onTrackFigures({ interface: 'wanb', device: 'eth2', state: 'online', latency_ms: 300, loss_pct: 60 });
  await h.settle();
  assert.equal(h.c.state().track.wanb!.lossPct, 60, 'figures taken');
  assert.equal(h.applied.length, 1, 'no apply');
  assert.equal(h.nftApplies(), nft0);
  assert.deepEqual(h.shares('balanced'), ['wan 50', 'wanb 50']);
  assert.equal(h.events.policies.length, ev0, 'no mwan.policy event');
  h.c.stop();
});
