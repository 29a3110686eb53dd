/**
 * Figures events (`mwan.track.figures`) between state changes: sent when loss or latency moved
 * meaningfully (FIGURES_POLICY: loss ≥ 5 points, latency ≥ 20 % and ≥ 10 ms), at most one per
 * 10 s, never while disabled. Fake clock, scripted prober, the default policy as documented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../src/clock.js';
import { FIGURES_POLICY, figuresMoved } from '../src/figures.js';
import type { TargetResult } from '../src/machine.js';
import type { ProbeBinding, Prober } from '../src/probes/types.js';
import { parseSettings } from '../src/settings.js';
import { Tracker, type TrackChange, type TrackFigures } from '../src/tracker.js';

class ScriptedProber implements Prober {
  constructor(readonly answers: Map<string, number | null>) {}
  async probe(target: string): Promise<TargetResult> {
    const rtt = this.answers.get(target) ?? null;
    return { target, sent: 1, received: rtt === null ? 0 : 1, rttsMs: rtt === null ? [] : [rtt] };
  }
  rebind(_b: ProbeBinding): void {}
  close(): void {}
}

const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

/**
 * Two targets, reliability 1: LOSSY is probed first and, when it does not answer, GOOD is
 * probed and answers, so the rounds keep passing (no state change) while loss moves.
 */
const LOSSY = '192.0.2.9';
const GOOD = '192.0.2.1';

function setup() {
  const clock = new FakeClock();
  const changes: { at: number; e: TrackChange }[] = [];
  const figures: { at: number; f: TrackFigures }[] = [];
  const answers = new Map<string, number | null>([[LOSSY, 20], [GOOD, 20]]);
  const s = parseSettings({ device: 'eth1', interval: 1, down: 3, up: 3, reliability: 1, trackIp: [LOSSY, GOOD] });
  const tracker = new Tracker('wan', s, {
    clock,
    createProber: () => new ScriptedProber(answers),
    onChange: (e) => changes.push({ at: clock.now(), e }),
    onFigures: (f) => figures.push({ at: clock.now(), f }),
    wallNow: () => 1_700_000_000_000,
  });
  /** runs `seconds` rounds (one per second) */
  const rounds = async (seconds: number): Promise<void> => {
    for (let i = 0; i < seconds; i++) { clock.advance(1000); await flush(); }
  };
  return { clock, changes, figures, answers, tracker, rounds };
}

test('figuresMoved: loss ≥ 5 points, latency ≥ 20 % AND ≥ 10 ms, null ↔ value', () => {
  const f = (latencyMs: number | null, lossPct: number | null) => ({ latencyMs, lossPct });
  assert.deepEqual(FIGURES_POLICY, { lossPoints: 5, latencyRatio: 0.2, latencyMs: 10, minGapMs: 10_000 });
  assert.equal(figuresMoved(f(20, 0), f(20, 4.9)), false);
  assert.equal(figuresMoved(f(20, 0), f(20, 5)), true);
  assert.equal(figuresMoved(f(20, 10), f(20, 5)), true, 'down as well as up');
  assert.equal(figuresMoved(f(20, 0), f(29.9, 0)), false, '+49 % but < 10 ms');
  assert.equal(figuresMoved(f(20, 0), f(30, 0)), true);
  assert.equal(figuresMoved(f(100, 0), f(119, 0)), false, '+19 ms but < 20 %');
  assert.equal(figuresMoved(f(100, 0), f(120, 0)), true);
  assert.equal(figuresMoved(f(100, 0), f(80, 0)), true);
  assert.equal(figuresMoved(f(null, null), f(20, 0)), true);
  assert.equal(figuresMoved(f(20, 0), f(null, 100)), true);
});

test('steady figures or a latency drift below the threshold send nothing; a jump is sent once the gap allows', async () => {
  const h = setup();
  h.tracker.start();
  assert.deepEqual(h.changes.map((c) => c.e.action), ['connected']);
  await h.rounds(60);
  // the connected event at t=0 had no figures yet: the first measured ones go out 10 s later
  assert.deepEqual(h.figures.map((x) => x.at), [10_000]);
  assert.equal(h.figures[0]!.f.latency_ms, 20);
  assert.equal(h.figures[0]!.f.loss_pct, 0);
  assert.equal(h.figures[0]!.f.state, 'online');
  assert.equal(h.figures[0]!.f.interface, 'wan');
  // +9 ms on every answer (45 %, but under 10 ms): nothing
  h.answers.set(LOSSY, 29);
  await h.rounds(40);
  assert.equal(h.figures.length, 1, 'latency drift under 10 ms is not sent');
  // 29 → 60 ms: the first round's window average (30.55) is 10.55 ms above the 20 ms last SENT
  // (the drift is measured from what listeners know, not from the previous round): sent at once
  h.answers.set(LOSSY, 60);
  await h.rounds(1);
  assert.equal(h.figures.length, 2);
  const second = h.figures[1]!;
  assert.equal(second.at, 101_000);
  assert.equal(second.f.latency_ms, 30.55);
  // the average keeps climbing; the next event only after 10 s and once it moved 10 ms from 30.55
  await h.rounds(20);
  const third = h.figures[2]!;
  assert.equal(third.at, 111_000);
  assert.ok(third.f.latency_ms! - 30.55 >= 10, `latency ${third.f.latency_ms}`);
  assert.equal(h.changes.length, 1, 'no state change meanwhile');
  await h.tracker.stop();
});

test('rate limit: loss rising every round gives at most one figures event per 10 s, each a real move', async () => {
  const h = setup();
  h.tracker.start();
  await h.rounds(10);
  assert.equal(h.figures.length, 1);
  // LOSSY stops answering: every round adds a lost probe (GOOD keeps the rounds passing)
  h.answers.set(LOSSY, null);
  await h.rounds(45);
  assert.deepEqual(h.changes.map((c) => c.e.action), ['connected'], 'rounds keep passing: no state change');
  // the loss rises by more than 5 points on every round (8 %, 14 %, 19 %, ...), but events come
  // only every 10 s; after 20 lossy rounds LOSSY's window is all lost and the loss stays at 50 %
  // (20 lost of 40 probes): nothing more is sent
  const ats = h.figures.map((x) => x.at);
  assert.deepEqual(ats, [10_000, 20_000, 30_000]);
  for (let i = 1; i < h.figures.length; i++) {
    const a = h.figures[i - 1]!.f;
    const b = h.figures[i]!.f;
    assert.ok(figuresMoved({ latencyMs: a.latency_ms, lossPct: a.loss_pct }, { latencyMs: b.latency_ms, lossPct: b.loss_pct }));
  }
  assert.equal(h.figures[1]!.f.loss_pct, 33.333, "10 lost of 30 probes");
  assert.equal(h.figures[2]!.f.loss_pct, 50);
  assert.equal(h.tracker.status().loss_pct, 50);
  await h.tracker.stop();
});

test('a state change carries the figures and restarts the gap; nothing is sent while disabled', async () => {
  const h = setup();
  h.tracker.start();
  await h.rounds(10);
  assert.equal(h.figures.length, 1);
  // every target silent: rounds fail → disconnecting at once (a state event with the figures)
  h.answers.set(LOSSY, null);
  h.answers.set(GOOD, null);
  await h.rounds(1);
  assert.deepEqual(h.changes.map((c) => c.e.action), ['connected', 'disconnecting']);
  const disc = h.changes[1]!;
  assert.equal(h.figures.length, 1, 'the state event stands for the figures of that round');
  await h.rounds(9);
  assert.equal(h.figures.length, 1, 'within 10 s of the state event: none');
  h.tracker.update({ up: false });
  assert.equal(h.changes.at(-1)!.e.action, 'disabled');
  const n = h.figures.length;
  await h.rounds(30);
  assert.equal(h.figures.length, n, 'disabled: no figures events');
  assert.ok(disc.e.loss_pct! > 0);
  await h.tracker.stop();
});
