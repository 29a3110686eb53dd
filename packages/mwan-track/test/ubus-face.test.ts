/** The ubus face against a real broker (in-process, no root needed), with a scripted prober. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, startBroker, UbusStatusError, type UbusData } from 'ubus-ts';
import { waitUntil } from 'netns-kit';
import { monotonicClock } from '../src/clock.js';
import type { TargetResult } from '../src/machine.js';
import { parseSettings } from '../src/settings.js';
import { Tracker } from '../src/tracker.js';
import { UbusFace } from '../src/ubus-face.js';

test('object mwan.track.<iface>: status shape, update, reset, events; survives a broker restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-face-'));
  const socketPath = join(dir, 'ubus.sock');
  let broker = await startBroker({ socketPath, credentials: 'broker' });
  t.after(async () => { await broker.close().catch(() => {}); rmSync(dir, { recursive: true, force: true }); });

  let answer: number | null = 4;
  const settings = parseSettings({ trackIp: ['192.0.2.1', '192.0.2.2'], device: 'eth1', interval: 0.02, down: 2, up: 1 });
  let face: UbusFace | null = null;
  const tracker = new Tracker('wan', settings, {
    clock: monotonicClock,
    createProber: () => ({
      probe: async (target: string): Promise<TargetResult> => ({ target, sent: 1, received: answer === null ? 0 : 1, rttsMs: answer === null ? [] : [answer] }),
      rebind: () => {},
      close: () => {},
    }),
    onChange: (c) => face?.publish(c),
  });
  face = new UbusFace('wan', tracker, { clock: monotonicClock, connect: () => connect({ socketPath, reconnectDelayMs: { initial: 100, max: 200 } }), retryMs: 20 });
  t.after(async () => { await tracker.stop(); await face!.stop(); });

  // the listener comes back before the tracker does, so it can see the re-announcement
  const client = await connect({ socketPath, reconnectDelayMs: { initial: 5, max: 20 } });
  t.after(() => client.close());
  const events: UbusData[] = [];
  await client.listen('mwan.track', (_t, d) => events.push(d));

  tracker.start();
  await face.start();
  await waitUntil(() => events.length > 0, 2000);
  assert.deepEqual(Object.keys(events[0]!).sort(), ['action', 'device', 'first_connect', 'interface', 'latency_ms', 'loss_pct', 'lost', 'previous', 'score', 'state', 'time', 'turn'].sort());
  assert.equal(events[0]!.action, 'connected');

  await waitUntil(async () => ((await client.call('mwan.track.wan', 'status'))!.rounds as number) >= 2, 2000);
  const st = (await client.call('mwan.track.wan', 'status'))!;
  assert.equal(st.interface, 'wan');
  assert.equal(st.device, 'eth1');
  assert.equal(st.state, 'online');
  assert.equal(st.latency_ms, 4);
  assert.equal(st.loss_pct, 0);
  assert.equal(st.mark, 0x3f00);
  const targets = st.targets as UbusData[];
  assert.deepEqual(targets.map((x) => [x.ip, x.status]), [['192.0.2.1', 'up'], ['192.0.2.2', 'skipped']]);
  for (const k of ['score', 'lost', 'turn', 'up', 'down', 'reliability', 'jitter_ms', 'last_change_s', 'uptime_s', 'downtime_s', 'time', 'src_ip', 'family', 'method']) assert.ok(k in st, k);

  // update: bad argument changes nothing
  await assert.rejects(client.call('mwan.track.wan', 'update', { src_ip: 'nope' }), (e: unknown) => e instanceof UbusStatusError && e.status === 2);
  const r = await client.call('mwan.track.wan', 'update', { up: false });
  assert.equal(r!.state, 'disabled');
  assert.equal(events.at(-1)!.action, 'disabled');
  await client.call('mwan.track.wan', 'update', { up: true, device: 'eth7' });
  assert.equal(events.at(-1)!.action, 'connected');
  assert.equal(events.at(-1)!.device, 'eth7');

  // failing rounds → offline, then the broker restarts: state kept, object back, state re-announced
  answer = null;
  await waitUntil(() => events.at(-1)!.action === 'disconnected', 2000);
  const roundsBefore = tracker.status().rounds;
  events.length = 0;
  await broker.close();
  broker = await startBroker({ socketPath, credentials: 'broker' });
  await waitUntil(async () => (await client.lookup('mwan.track.wan').catch(() => [])).length === 1, 5000);
  await waitUntil(() => events.some((e) => e.state === 'offline'), 3000);
  const after = (await client.call('mwan.track.wan', 'status'))!;
  assert.equal(after.state, 'offline');
  assert.ok((after.rounds as number) >= roundsBefore);

  const rs = await client.call('mwan.track.wan', 'reset');
  assert.equal(rs!.state, 'online');
});

test('no broker yet: the tracker runs and the face keeps retrying until one appears', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-face-'));
  const socketPath = join(dir, 'ubus.sock');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tracker = new Tracker('wanb', parseSettings({ trackIp: ['192.0.2.1'], device: 'eth1', interval: 0.05 }), {
    clock: monotonicClock,
    createProber: () => ({ probe: async (target: string) => ({ target, sent: 1, received: 1, rttsMs: [1] }), rebind: () => {}, close: () => {} }),
    onChange: () => {},
  });
  const face = new UbusFace('wanb', tracker, { clock: monotonicClock, connect: () => connect({ socketPath }), retryMs: 20 });
  tracker.start();
  const ready = face.start();
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(tracker.status().rounds >= 1, 'probing without a bus');
  const broker = await startBroker({ socketPath, credentials: 'broker' });
  t.after(() => broker.close());
  await ready;
  const client = await connect({ socketPath });
  t.after(() => client.close());
  assert.equal((await client.call('mwan.track.wanb', 'status'))!.state, 'online');
  await tracker.stop();
  await face.stop();
});

test('figures that move between state changes go out as event mwan.track.figures, not as mwan.track', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-face-'));
  const socketPath = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath, credentials: 'broker' });
  t.after(async () => { await broker.close().catch(() => {}); rmSync(dir, { recursive: true, force: true }); });
  let answer = 5;
  const settings = parseSettings({ trackIp: ['192.0.2.1'], device: 'eth1', interval: 0.02, down: 2, up: 1 });
  let face: UbusFace | null = null;
  const tracker = new Tracker('wan', settings, {
    clock: monotonicClock,
    createProber: () => ({
      probe: async (target: string): Promise<TargetResult> => ({ target, sent: 1, received: 1, rttsMs: [answer] }),
      rebind: () => {},
      close: () => {},
    }),
    onChange: (c) => face?.publish(c),
    onFigures: (f) => face?.publishFigures(f),
    figuresPolicy: { lossPoints: 5, latencyRatio: 0.2, latencyMs: 10, minGapMs: 50 },
  });
  face = new UbusFace('wan', tracker, { clock: monotonicClock, connect: () => connect({ socketPath }), retryMs: 20 });
  t.after(async () => { await tracker.stop(); await face!.stop(); });
  const client = await connect({ socketPath });
  t.after(() => client.close());
  const states: UbusData[] = [];
  const figures: UbusData[] = [];
  await client.listen('mwan.track', (_t, d) => states.push(d));
  await client.listen('mwan.track.figures', (_t, d) => figures.push(d));
  await face.start();
  tracker.start();
  await waitUntil(() => figures.length >= 1, 2000);
  answer = 200;
  await waitUntil(() => figures.some((f) => (f.latency_ms as number) > 15), 2000);
  assert.deepEqual(Object.keys(figures[0]!).sort(), ['device', 'interface', 'jitter_ms', 'latency_ms', 'loss_pct', 'lost', 'score', 'state', 'time', 'turn'].sort());
  assert.equal(figures[0]!.interface, 'wan');
  assert.equal(figures[0]!.state, 'online');
  assert.equal(figures[0]!.loss_pct, 0);
  // the state event listeners see only state changes
  assert.deepEqual(states.map((s) => s.action), ['connected']);
});
