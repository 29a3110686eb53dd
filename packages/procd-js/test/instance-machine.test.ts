import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handle, initialState, SIGKILL, SIGTERM, type InstanceState, type MachinePolicy } from '../src/supervisor/instance-machine.js';

const policy: MachinePolicy = { respawn: { threshold: 10, timeout: 2, retry: 2 }, termTimeout: 5, reloadSignal: 0 };
const running = (over: Partial<InstanceState> = {}): InstanceState => ({ ...initialState, phase: 'running', pid: 42, startedAt: 0, ...over });
const kinds = (effects: { kind: string }[]): string[] => effects.map((e) => e.kind);

test('start from idle asks for a spawn; spawned makes it running and notifies instance.start', () => {
  const t1 = handle(initialState, { type: 'start' }, policy);
  assert.equal(t1.state.phase, 'starting');
  assert.deepEqual(kinds(t1.effects), ['cancel-timer', 'spawn']);
  const t2 = handle(t1.state, { type: 'spawned', pid: 7, at: 100 }, policy);
  assert.equal(t2.state.phase, 'running');
  assert.equal(t2.state.pid, 7);
  assert.deepEqual(t2.effects, [{ kind: 'notify', type: 'instance.start' }]);
});

test('a fast exit with respawn waits `timeout` seconds and counts the failure', () => {
  const t = handle(running(), { type: 'exit', code: 1, at: 3000 }, policy);
  assert.equal(t.state.phase, 'respawn_wait');
  assert.equal(t.state.respawnCount, 1);
  assert.equal(t.state.exitCode, 1);
  assert.deepEqual(t.effects.at(-1), { kind: 'arm-timer', ms: 2000 });
  assert.ok(t.effects.some((e) => e.kind === 'notify' && e.type === 'instance.respawn'));
  const t2 = handle(t.state, { type: 'timer' }, policy);
  assert.equal(t2.state.phase, 'starting');
  assert.deepEqual(kinds(t2.effects), ['spawn']);
});

test('a run longer than the threshold resets the failure count', () => {
  const t = handle(running({ respawnCount: 2 }), { type: 'exit', code: 1, at: 10_000 }, policy);
  assert.equal(t.state.phase, 'respawn_wait');
  assert.equal(t.state.respawnCount, 0);
});

test('more than `retry` fast failures: crashed, instance.fail, no timer', () => {
  const t = handle(running({ respawnCount: 2 }), { type: 'exit', code: 139, at: 500 }, policy);
  assert.equal(t.state.phase, 'crashed');
  assert.equal(t.state.respawnCount, 3);
  assert.ok(t.effects.some((e) => e.kind === 'notify' && e.type === 'instance.fail'));
  assert.ok(!t.effects.some((e) => e.kind === 'arm-timer'));
  assert.equal(handle(t.state, { type: 'timer' }, policy).state.phase, 'crashed');
});

test('retry 0 never gives up', () => {
  const p = { ...policy, respawn: { threshold: 10, timeout: 2, retry: 0 } };
  const t = handle(running({ respawnCount: 1000 }), { type: 'exit', code: 1, at: 1 }, p);
  assert.equal(t.state.phase, 'respawn_wait');
});

test('without respawn an exit leaves the instance idle', () => {
  const t = handle(running(), { type: 'exit', code: 3, at: 1 }, { ...policy, respawn: undefined });
  assert.equal(t.state.phase, 'idle');
  assert.equal(t.state.exitCode, 3);
});

test('stop sends SIGTERM to the group and arms term_timeout; the timer sends SIGKILL', () => {
  const t = handle(running(), { type: 'stop', then: 'delete' }, policy);
  assert.equal(t.state.phase, 'stopping');
  assert.deepEqual(t.effects, [
    { kind: 'signal', signal: SIGTERM, group: true },
    { kind: 'arm-timer', ms: 5000 },
  ]);
  const k = handle(t.state, { type: 'timer' }, policy);
  assert.deepEqual(k.effects.at(-1), { kind: 'signal', signal: SIGKILL, group: true });
  const gone = handle(k.state, { type: 'exit', code: 137, at: 9 }, policy);
  assert.equal(gone.state.phase, 'deleted');
  assert.deepEqual(kinds(gone.effects), ['cancel-timer', 'notify', 'remove-pidfile', 'deleted']);
});

test('an exit while stopping does not respawn, whatever the respawn policy', () => {
  const t = handle(running(), { type: 'stop', then: 'idle' }, policy);
  const e = handle(t.state, { type: 'exit', code: 143, at: 1 }, policy);
  assert.equal(e.state.phase, 'idle');
  assert.ok(!e.effects.some((x) => x.kind === 'spawn' || x.kind === 'arm-timer'));
});

test('restart of a running instance stops it and spawns again after the exit', () => {
  const t = handle(running(), { type: 'restart' }, policy);
  assert.equal(t.state.phase, 'stopping');
  assert.equal(t.state.after, 'restart');
  const e = handle(t.state, { type: 'exit', code: 143, at: 1 }, policy);
  assert.equal(e.state.phase, 'starting');
  assert.ok(e.effects.some((x) => x.kind === 'spawn'));
});

test('restart with reload_signal only signals the process', () => {
  const t = handle(running(), { type: 'restart' }, { ...policy, reloadSignal: 10 });
  assert.equal(t.state.phase, 'running');
  assert.deepEqual(t.effects, [{ kind: 'signal', signal: 10, group: false }]);
});

test('start while stopping for delete turns the delete into a restart (procd: re-added while halting)', () => {
  const t = handle(running(), { type: 'stop', then: 'delete' }, policy);
  const s = handle(t.state, { type: 'start' }, policy);
  assert.equal(s.state.after, 'restart');
});

test('stop of an instance that is not running: delete forgets it, idle cancels a pending respawn', () => {
  const waiting: InstanceState = { ...initialState, phase: 'respawn_wait' };
  assert.deepEqual(kinds(handle(waiting, { type: 'stop', then: 'delete' }, policy).effects), ['cancel-timer', 'deleted']);
  const idle = handle(waiting, { type: 'stop', then: 'idle' }, policy);
  assert.equal(idle.state.phase, 'idle');
  assert.deepEqual(kinds(idle.effects), ['cancel-timer']);
});

test('an explicit start of a crashed instance gives it a fresh retry budget', () => {
  const crashed: InstanceState = { ...initialState, phase: 'crashed', respawnCount: 3 };
  const t = handle(crashed, { type: 'start' }, policy);
  assert.equal(t.state.phase, 'starting');
  assert.equal(t.state.respawnCount, 0);
});

test('exit codes are kept and stale events are ignored', () => {
  assert.equal(handle(initialState, { type: 'exit', code: 1, at: 0 }, policy).state, initialState);
  assert.equal(handle(initialState, { type: 'timer' }, policy).state, initialState);
  assert.equal(handle(running(), { type: 'spawned', pid: 9, at: 0 }, policy).state.pid, 42);
});
