import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyTarget, handle, initialState, type MachineConfig, type TargetResult, type TrackState, type Transition } from '../src/machine.js';

const base: MachineConfig = {
  reliability: 1, down: 3, up: 2, intervalMs: 1000, failureIntervalMs: 300, recoveryIntervalMs: 500,
  keepFailureInterval: false, initialState: 'online', checkQuality: false,
  failureLatency: 1000, recoveryLatency: 500, failureLoss: 40, recoveryLoss: 10,
};

const ok = (target = 'a', rtt = 10): TargetResult => ({ target, sent: 1, received: 1, rttsMs: [rtt] });
const bad = (target = 'a'): TargetResult => ({ target, sent: 1, received: 0, rttsMs: [] });

/** Drives a machine with a fake clock (each step +1 s) and records what it did. */
class Run {
  state: TrackState;
  now = 0;
  last!: Transition;
  constructor(cfg: Partial<MachineConfig> = {}, ifup = true) {
    this.state = initialState({ ...base, ...cfg });
    this.step({ type: 'start', now: 0, ifup });
  }
  step(ev: Parameters<typeof handle>[1]): string[] {
    this.last = handle(this.state, ev);
    this.state = this.last.state;
    return this.last.emit.map((e) => e.action);
  }
  round(...results: TargetResult[]): string[] {
    this.now += 1000;
    return this.step({ type: 'round', now: this.now, results });
  }
  pass(): string[] { return this.round(ok()); }
  fail(): string[] { return this.round(bad()); }
}

test('start online: connected with first_connect, score down+up, probe at once', () => {
  const r = new Run();
  assert.equal(r.state.status, 'online');
  assert.equal(r.state.score, 5);
  assert.deepEqual(r.last.emit, [{ action: 'connected', state: 'online', previous: null, firstConnect: true }]);
  assert.equal(r.last.nextRoundInMs, 0);
});

test('start with interface down or no device: disabled, no rounds, rounds ignored', () => {
  const r = new Run({}, false);
  assert.equal(r.state.status, 'disabled');
  assert.equal(r.last.nextRoundInMs, null);
  assert.deepEqual(r.fail(), []);
  assert.equal(r.state.status, 'disabled');
});

// table: [step, expected events, state after, score after, next round delay]
type Row = [('pass' | 'fail'), string[], string, number, number];

test('online → down after `down` failed rounds, with failure_interval, then back after `up` good rounds', () => {
  const r = new Run();
  const table: Row[] = [
    ['fail', ['disconnecting'], 'disconnecting', 4, 300],
    ['fail', [], 'disconnecting', 3, 300],
    ['fail', ['disconnected'], 'offline', 0, 300],
    ['fail', [], 'offline', 0, 1000],
    ['pass', ['connecting'], 'connecting', 1, 500],
    ['pass', ['connected'], 'online', 5, 500],
    ['pass', [], 'online', 5, 1000],
  ];
  for (const [i, [step, events, status, score, next]] of table.entries()) {
    assert.deepEqual(r[step](), events, `row ${i}`);
    assert.equal(r.state.status, status, `row ${i}`);
    assert.equal(r.state.score, score, `row ${i}`);
    assert.equal(r.last.nextRoundInMs, next, `row ${i}`);
  }
});

test('down=1: one failed round sends disconnecting and disconnected; up=1: one good round sends connecting and connected', () => {
  const r = new Run({ down: 1, up: 1 });
  assert.deepEqual(r.fail(), ['disconnecting', 'disconnected']);
  assert.equal(r.state.status, 'offline');
  assert.deepEqual(r.pass(), ['connecting', 'connected']);
  assert.equal(r.state.status, 'online');
  assert.equal(r.state.score, 2);
});

test('initial_state offline: starts offline (event disconnected), needs `up` rounds', () => {
  const r = new Run({ initialState: 'offline' });
  assert.equal(r.state.status, 'offline');
  assert.deepEqual(r.last.emit.map((e) => [e.action, e.firstConnect]), [['disconnected', false]]);
  assert.equal(r.state.score, 0);
  assert.deepEqual(r.pass(), ['connecting']);
  assert.deepEqual(r.pass(), ['connected']);
  assert.equal(r.state.status, 'online');
});

test('mwan3 bug fixed: after recovering from disconnecting, the next decline sends disconnecting again', () => {
  const r = new Run();
  assert.deepEqual(r.fail(), ['disconnecting']);
  const back = r.pass();
  assert.deepEqual(back, ['connected']);
  assert.equal(r.last.emit[0]!.previous, 'disconnecting');
  assert.equal(r.state.status, 'online');
  assert.equal(r.state.score, 5, 'one good round restores the full score, as mwan3');
  assert.deepEqual(r.fail(), ['disconnecting']);
});

test('mwan3 bug fixed: a failure while connecting goes back to offline, and the next climb sends connecting', () => {
  const r = new Run({ initialState: 'offline', up: 3 });
  assert.deepEqual(r.pass(), ['connecting']);
  assert.deepEqual(r.pass(), []);
  assert.equal(r.state.score, 2);
  assert.deepEqual(r.fail(), ['disconnected']);
  assert.equal(r.last.emit[0]!.previous, 'connecting');
  assert.equal(r.state.status, 'offline');
  assert.equal(r.state.score, 0);
  assert.deepEqual(r.pass(), ['connecting']);
});

test('flapping: alternating rounds never take an online WAN down nor bring an offline one up', () => {
  const on = new Run({ down: 3, up: 3 });
  const seen: string[] = [];
  for (let i = 0; i < 20; i++) seen.push(...(i % 2 ? on.pass() : on.fail()));
  assert.ok(!seen.includes('disconnected'));
  assert.deepEqual([...new Set(seen)], ['disconnecting', 'connected']);
  const off = new Run({ down: 3, up: 3, initialState: 'offline' });
  const seen2: string[] = [];
  for (let i = 0; i < 20; i++) seen2.push(...(i % 2 ? off.fail() : off.pass()));
  assert.ok(!seen2.includes('connected'));
  assert.equal(off.state.status, 'offline');
});

test('keep_failure_interval: offline failures use failure_interval instead of interval', () => {
  const r = new Run({ keepFailureInterval: true, initialState: 'offline' });
  r.fail();
  assert.equal(r.last.nextRoundInMs, 300);
  const plain = new Run({ initialState: 'offline' });
  plain.fail();
  assert.equal(plain.last.nextRoundInMs, 1000);
});

test('reliability with several targets: round passes only when enough targets are up; lost counts down targets', () => {
  const r = new Run({ reliability: 2 });
  assert.deepEqual(r.round(ok('a'), bad('b'), bad('c')), ['disconnecting']);
  assert.equal(r.state.lost, 2);
  assert.deepEqual(r.round(ok('a'), bad('b'), ok('c')), ['connected']);
  assert.equal(r.state.lost, 0);
  // skipped targets (not probed) count neither way
  assert.deepEqual(r.round(ok('a'), ok('b'), { target: 'c', sent: 0, received: 0, rttsMs: [], skipped: true }), []);
  assert.deepEqual(r.state.lastRound.map((t) => t.verdict), ['up', 'up', 'skipped']);
});

test('check_quality thresholds: down at >= failure, up at <= recovery, skipped between', () => {
  const cfg = { ...base, checkQuality: true };
  const q = (sent: number, received: number, rtt: number) => classifyTarget(cfg, { target: 'x', sent, received, rttsMs: Array(received).fill(rtt) }).verdict;
  assert.equal(q(10, 10, 999.9), 'skipped');
  assert.equal(q(10, 10, 1000), 'down');
  assert.equal(q(10, 10, 500), 'up');
  assert.equal(q(10, 10, 500.1), 'skipped');
  assert.equal(q(10, 6, 10), 'down'); // 40 % loss
  assert.equal(q(10, 7, 10), 'skipped'); // 30 %
  assert.equal(q(10, 9, 10), 'up'); // 10 %
  assert.equal(q(3, 0, 0), 'down');
  assert.deepEqual(classifyTarget(cfg, { target: 'x', sent: 3, received: 0, rttsMs: [] }), { target: 'x', verdict: 'down', latencyMs: 999999, lossPct: 100 });
  // without check_quality any answer is up
  assert.equal(classifyTarget(base, { target: 'x', sent: 10, received: 1, rttsMs: [5000] }).verdict, 'up');
});

test('check_quality: a slow WAN goes down, a middling one holds its score, a good one recovers', () => {
  const r = new Run({ checkQuality: true, down: 2, up: 2 });
  const slow = { target: 'a', sent: 1, received: 1, rttsMs: [1200] };
  const middling = { target: 'a', sent: 1, received: 1, rttsMs: [700] };
  assert.deepEqual(r.round(slow), ['disconnecting']);
  assert.deepEqual(r.round(slow), ['disconnected']);
  assert.deepEqual(r.round(middling), []);
  assert.equal(r.state.score, 0, 'skipped round: fails reliability, stays at the bottom');
  assert.deepEqual(r.round(ok('a', 20)), ['connecting']);
  assert.deepEqual(r.round(ok('a', 20)), ['connected']);
});

test('ifdown → disabled from any state, rounds stop; ifup → initial_state again', () => {
  for (const init of ['online', 'offline'] as const) {
    const r = new Run({ initialState: init });
    r.fail();
    assert.deepEqual(r.step({ type: 'ifdown', now: 5 }), ['disabled']);
    assert.equal(r.last.emit[0]!.previous, init === 'online' ? 'disconnecting' : 'offline');
    assert.equal(r.last.nextRoundInMs, null);
    assert.deepEqual(r.step({ type: 'ifdown', now: 6 }), []);
    assert.deepEqual(r.pass(), []);
    const up = r.step({ type: 'ifup', now: 7 });
    assert.deepEqual(up, [init === 'online' ? 'connected' : 'disconnected']);
    assert.equal(r.last.nextRoundInMs, 0);
  }
});

test('ifup while running changes nothing and keeps the schedule', () => {
  const r = new Run();
  r.fail();
  assert.deepEqual(r.step({ type: 'ifup', now: 9 }), []);
  assert.equal(r.last.nextRoundInMs, 'keep');
  assert.equal(r.state.status, 'disconnecting');
});

test('reset: back to initial state and counters, probe at once', () => {
  const r = new Run();
  r.fail(); r.fail();
  assert.deepEqual(r.step({ type: 'reset', now: 10 }), ['connected']);
  assert.equal(r.state.score, 5);
  assert.equal(r.state.turn, 0);
  assert.equal(r.state.rounds, 0);
  assert.equal(r.last.nextRoundInMs, 0);
});

test('times: online/offline since and last change follow the clock', () => {
  const r = new Run({ down: 1, up: 1 });
  assert.equal(r.state.onlineSince, 0);
  r.fail(); // t=1000
  assert.equal(r.state.onlineSince, null);
  assert.equal(r.state.offlineSince, 1000);
  assert.equal(r.state.changedAt, 1000);
  r.fail(); // t=2000: no change
  assert.equal(r.state.changedAt, 1000);
  r.pass(); // t=3000
  assert.equal(r.state.onlineSince, 3000);
  assert.equal(r.state.offlineSince, null);
});

test('turn counts rounds since connected, as mwan3', () => {
  const r = new Run({ initialState: 'offline', up: 2 });
  r.pass(); r.pass();
  assert.equal(r.state.turn, 1);
  r.pass();
  assert.equal(r.state.turn, 2);
});
