/**
 * The tracker process against a real far side: replies stop → offline after `down` rounds and
 * back after `up`; injected loss and latency are reported within a stated tolerance and trip
 * check_quality; SIGTERM stops it cleanly; a broker restart loses nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns, run, waitUntil } from 'netns-kit';
import type { UbusData } from 'ubus-ts';
import { actions, bus, fast, helper, spawnTracker, TARGET4, twoWan } from './helpers/lab.js';

const skip = !canUseNetns() && 'needs root';

async function status(b: Awaited<ReturnType<typeof bus>>, iface = 'wan1'): Promise<UbusData> {
  return (await b.client.call(`mwan.track.${iface}`, 'status'))!;
}

test('replies stop: offline after `down` failed rounds; replies back: online after `up` good rounds', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  const tr = spawnTracker(w, w.r, b.socketPath, 'wan1', fast({ down: 3, up: 2 }));
  const diag = (): string => `events=${JSON.stringify(b.events)} log=${tr.log.join('')}`;
  await waitUntil(() => b.events.some((e) => e.action === 'connected' && e.first_connect === true), 5000).catch(() => assert.fail(diag()));
  await waitUntil(async () => ((await status(b).catch(() => ({ rounds: 0 }))).rounds as number) >= 2, 5000);
  w.farFault(['icmp type echo-request drop']);
  await waitUntil(() => actions(b.events, 'wan1').includes('disconnected'), 6000).catch(() => assert.fail(diag()));
  const down = await status(b);
  assert.equal(down.state, 'offline');
  assert.equal(down.score, 0);
  assert.deepEqual(actions(b.events, 'wan1'), ['connected', 'disconnecting', 'disconnected']);
  // `turn` counts rounds: the first failed round sent disconnecting, `down` - 1 more took it offline
  const [, going, gone] = b.events.filter((e) => e.interface === 'wan1');
  assert.equal((gone!.turn as number) - (going!.turn as number), 2, 'down = 3 failed rounds');
  assert.equal(going!.score, 4);
  assert.equal(gone!.device, 'wan1');
  assert.equal(gone!.previous, 'disconnecting');
  assert.equal(gone!.score, 0);
  assert.equal(typeof gone!.time, 'number');

  w.farFault([]);
  await waitUntil(() => actions(b.events, 'wan1').filter((a) => a === 'connected').length === 2, 6000).catch(() => assert.fail(diag()));
  const up = await status(b);
  assert.equal(up.state, 'online');
  assert.equal(up.score, 5);
  assert.deepEqual(actions(b.events, 'wan1').slice(3), ['connecting', 'connected']);
  const [climbing, back] = b.events.filter((e) => e.interface === 'wan1').slice(3);
  assert.equal(climbing!.score, 1, 'first good round');
  assert.equal(back!.turn, 1, 'the second good round (up = 2) connected');
});

test('injected loss (nft numgen 30 %) is reported within ±12 points, and trips check_quality at 50 %', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  w.farFault(['icmp type echo-request numgen random mod 100 < 30 drop']);
  spawnTracker(w, w.r, b.socketPath, 'wan1', fast({ count: 10, interval: 0.05, timeout: 0.3, window: 150, down: 1000, up: 1 }));
  await waitUntil(async () => ((await status(b).catch(() => ({ targets: [{ sent: 0 }] }))).targets as UbusData[])[0]!.sent === 150, 20000, 100);
  const s = await status(b);
  const loss = s.loss_pct as number;
  assert.ok(Math.abs(loss - 30) <= 12, `loss ${loss} % for 30 % injected`);
  assert.equal(((s.targets as UbusData[])[0]!).loss_pct, loss);

  // check_quality: 50 % loss ≥ failure_loss 20 → offline
  w.farFault(['icmp type echo-request numgen random mod 100 < 50 drop']);
  spawnTracker(w, w.r, b.socketPath, 'wan2x', fast({ device: 'wan1', count: 10, interval: 0.05, timeout: 0.1, down: 2, up: 2, checkQuality: true, failureLoss: 20, recoveryLoss: 5 }));
  await waitUntil(() => actions(b.events, 'wan2x').includes('disconnected'), 8000);
  const q = await status(b, 'wan2x');
  assert.equal(q.state, 'offline');
  assert.equal(((q.targets as UbusData[])[0]!).status, 'down');
});

test('injected latency (delaying responder, 120 ms) is reported within +40 ms and trips check_quality', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  // the kernel's echo replies are dropped; the responder answers after 120 ms with its mark
  w.far.nft('table inet delay {\n chain out {\n  type filter hook output priority 0;\n  meta mark != 0x4d icmp type echo-reply drop\n }\n}\n');
  const resp = w.lab.spawn(w.far, [process.execPath, helper('delay-responder'), '120'], { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((res) => resp.stdout!.once('data', () => res()));
  spawnTracker(w, w.r, b.socketPath, 'wan1', fast({ count: 2, interval: 0.1, timeout: 0.5, checkQuality: true, failureLatency: 100, recoveryLatency: 50, down: 2, up: 2 }));
  await waitUntil(() => actions(b.events, 'wan1').includes('disconnected'), 8000);
  const s = await status(b);
  const lat = s.latency_ms as number;
  assert.ok(lat >= 120 && lat <= 160, `latency ${lat} ms for 120 ms injected`);
  const tgt = (s.targets as UbusData[])[0]!;
  assert.ok((tgt.round_latency_ms as number) >= 120);
  assert.equal(tgt.status, 'down');
  assert.ok((tgt.jitter_ms as number) < 25);
  assert.equal(s.loss_pct, 0);
});

test('SIGTERM: exits 0 within procd term_timeout and leaves no socket or child', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  const tr = spawnTracker(w, w.r, b.socketPath, 'wan1', fast());
  await b.client.waitFor(['mwan.track.wan1'], { timeoutMs: 5000 });
  const pids = (): string[] => run(['ip', 'netns', 'pids', w.r.name]).stdout.split(/\s+/).filter(Boolean);
  assert.ok(pids().length >= 1);
  const t0 = Date.now();
  const exited = new Promise<number | null>((res) => tr.once('exit', (code) => res(code)));
  tr.kill('SIGTERM');
  const code = await exited;
  assert.equal(code, 0, tr.log.join(''));
  assert.ok(Date.now() - t0 < 2000, 'well within 5 s');
  // the namespace's process list may lag the exit by a moment
  await waitUntil(() => pids().length === 0, 1000).catch(() => assert.fail(`processes left in the namespace: ${pids().join(' ')}`));
  await waitUntil(async () => (await b.client.lookup('mwan.track.*').catch(() => [])).length === 0, 3000);
});

test('broker restart: the tracker keeps probing and its state, re-registers, re-announces its state', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  const tr = spawnTracker(w, w.r, b.socketPath, 'wan1', fast({ down: 2 }));
  await b.client.waitFor(['mwan.track.wan1'], { timeoutMs: 5000 });
  w.farFault(['icmp type echo-request drop']);
  await waitUntil(() => actions(b.events, 'wan1').includes('disconnected'), 5000);
  const before = await status(b);
  b.events.length = 0;
  await b.restart();
  // the tracker's client backs off 250 ms, then 500 ms...; ours is faster
  await waitUntil(async () => (await b.client.lookup('mwan.track.wan1').catch(() => [])).length === 1, 8000).catch(() => assert.fail(tr.log.join('')));
  const after = await status(b);
  assert.equal(after.state, 'offline', 'state kept');
  assert.ok((after.rounds as number) >= (before.rounds as number), 'rounds not reset');
  await waitUntil(async () => ((await status(b)).rounds as number) > (before.rounds as number), 3000);
  await waitUntil(() => b.events.some((e) => e.interface === 'wan1' && e.state === 'offline'), 3000);
  assert.equal(tr.exitCode, null);
});

test('bad settings and unimplemented methods stop the tracker at start with exit code 2, naming the field', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  const cases: [object, RegExp][] = [
    [fast({ timeout: 'soon' }), /settings\.timeout: expected a number/],
    [fast({ trackIp: ['2001:db8::1'] }), /settings\.trackIp\[0\]: 2001:db8::1 is not an ipv4 address/],
    [fast({ trackMethod: 'arping', family: 'ipv6', trackIp: ['2001:db8::1'] }), /settings\.track_method: arping is IPv4 only \(ARP\)/],
    [fast({ trackIp: [] }), /settings\.trackIp: no targets/],
  ];
  for (const [settings, msg] of cases) {
    const tr = spawnTracker(w, w.r, b.socketPath, 'wan1', settings);
    const code = await new Promise<number | null>((res) => tr.once('exit', (c) => res(c)));
    assert.equal(code, 2);
    assert.match(tr.log.join(''), msg);
  }
  assert.deepEqual(w.farCounts(), { e1: 0, e2: 0 }, 'nothing probed');
  void TARGET4;
});

test('a WAN device deleted and created again under the same name (PPP redial) is tracked again without any update', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  spawnTracker(w, w.r, b.socketPath, 'wan1', fast({ down: 2, up: 2 }));
  await b.client.waitFor(['mwan.track.wan1'], { timeoutMs: 5000 });
  w.r.ip('link', 'del', 'wan1');
  await waitUntil(() => actions(b.events, 'wan1').includes('disconnected'), 5000);
  w.lab.link(w.r, 'wan1', w.far, 'e1', { a: ['10.1.0.2/24'], b: ['10.1.0.1/24'] });
  w.r.ip('route', 'add', 'default', 'via', '10.1.0.1', 'dev', 'wan1', 'metric', '20');
  await waitUntil(() => actions(b.events, 'wan1').filter((a) => a === 'connected').length === 2, 5000);
  assert.equal((await status(b)).state, 'online');
  assert.equal(w.farCounts().e2, 0, 'never through wan2 meanwhile');
});
