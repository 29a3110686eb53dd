import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRig } from './helpers/fake-supervisor.js';
import type { ListedInstance } from '../src/types.js';

const sleep100 = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ command: ['/bin/sleep', '100'], ...extra });
const inst = (r: ReturnType<typeof createRig>, svc: string, name: string): ListedInstance | undefined => r.sup.list()[svc]?.instances?.[name];

test('set starts an instance; list shows it in procd shape with its pid', () => {
  const r = createRig();
  r.sup.set({ name: 'demo', instances: { a: sleep100({ respawn: ['3600', '1', '5'] }) } }, false);
  const p = r.spawner.last()!;
  assert.deepEqual(p.spec.argv, ['/bin/sleep', '100']);
  assert.deepEqual(r.sup.list(), {
    demo: {
      instances: {
        a: { running: true, pid: p.pid, command: ['/bin/sleep', '100'], term_timeout: 5, respawn: { threshold: 3600, timeout: 1, retry: 5 } },
      },
    },
  });
  assert.deepEqual(r.types(), ['instance.start', 'service.start']);
  assert.deepEqual(r.notes[0]!.data, { service: 'demo', instance: 'a' });
  assert.equal(p.spec.env.PATH, '/usr/bin:/bin');
});

test('a killed instance is respawned after the respawn timeout, not before', async () => {
  const r = createRig();
  r.sup.set({ name: 'demo', instances: { a: sleep100({ respawn: ['3600', '2', '5'] }) } }, false);
  const first = r.spawner.last()!;
  r.clock.advance(500);
  first.exit(128 + 9);
  assert.equal(inst(r, 'demo', 'a')!.running, false);
  assert.equal(inst(r, 'demo', 'a')!.exit_code, 137);
  const respawn = r.notes.find((n) => n.type === 'instance.respawn')!;
  assert.deepEqual(respawn.data, { service: 'demo', instance: 'a', pid: first.pid, exit_code: 137, respawn_count: 1, command: ['/bin/sleep', '100'] });
  r.clock.advance(1999);
  assert.equal(r.spawner.processes.length, 1);
  r.clock.advance(1);
  assert.equal(r.spawner.processes.length, 2);
  const second = r.spawner.last()!;
  assert.notEqual(second.pid, first.pid);
  assert.equal(inst(r, 'demo', 'a')!.pid, second.pid);
  assert.deepEqual(r.types('instance'), ['instance.start', 'instance.stop', 'instance.respawn', 'instance.start']);
});

test('after `retry` fast crashes the instance is marked crashed and not restarted', () => {
  const r = createRig();
  r.sup.set({ name: 'demo', instances: { a: sleep100({ respawn: ['3600', '1', '2'] }) } }, false);
  for (let i = 0; i < 3; i++) {
    r.clock.advance(100);
    r.spawner.last()!.exit(1);
    r.clock.advance(1000);
  }
  assert.equal(r.spawner.processes.length, 3);
  const a = inst(r, 'demo', 'a')!;
  assert.equal(a.running, false);
  assert.equal(a.crashed, true);
  assert.equal(a.exit_code, 1);
  const fail = r.notes.find((n) => n.type === 'instance.fail')!;
  assert.equal(fail.data.respawn_count, 3);
  r.clock.advance(3_600_000);
  assert.equal(r.spawner.processes.length, 3);
  assert.ok(r.logs.some((l) => l.includes('crash loop')));
  // `set` again (e.g. /etc/init.d/x start) brings it back with a fresh budget
  r.sup.set({ name: 'demo', instances: { a: sleep100({ respawn: ['3600', '1', '2'] }) } }, false);
  assert.equal(r.spawner.processes.length, 4);
  assert.equal(inst(r, 'demo', 'a')!.running, true);
});

test('failures slower than the threshold never exhaust the retries', () => {
  const r = createRig();
  r.sup.set({ name: 'demo', instances: { a: sleep100({ respawn: ['10', '1', '1'] }) } }, false);
  for (let i = 0; i < 5; i++) {
    r.clock.advance(10_000);
    r.spawner.last()!.exit(1);
    r.clock.advance(1000);
  }
  assert.equal(r.spawner.processes.length, 6);
  assert.equal(inst(r, 'demo', 'a')!.running, true);
});

test('an instance without respawn stays stopped after it exits', () => {
  const r = createRig();
  r.sup.set({ name: 'demo', instances: { a: sleep100() } }, false);
  r.spawner.last()!.exit(0);
  r.clock.advance(60_000);
  assert.equal(r.spawner.processes.length, 1);
  assert.deepEqual(inst(r, 'demo', 'a'), { running: false, command: ['/bin/sleep', '100'], term_timeout: 5, exit_code: 0 });
});

test('delete stops within term_timeout: SIGTERM to the group, SIGKILL when ignored, then the service is gone', async () => {
  const r = createRig({ exitOnTerm: false });
  r.sup.set({ name: 'demo', instances: { a: sleep100({ term_timeout: 3 }) } }, false);
  const p = r.spawner.last()!;
  r.sup.delete({ name: 'demo' });
  assert.deepEqual(p.signals, [15]);
  assert.equal(inst(r, 'demo', 'a')!.running, true, 'still listed while stopping');
  r.clock.advance(2999);
  assert.deepEqual(p.signals, [15]);
  r.clock.advance(1);
  assert.deepEqual(p.signals, [15, 9]);
  await r.settle();
  assert.equal(p.alive, false);
  assert.deepEqual(r.sup.list(), {});
  assert.deepEqual(r.types().slice(-2), ['instance.stop', 'service.stop']);
});

test('delete of one instance leaves the others running', async () => {
  const r = createRig();
  r.sup.set({ name: 'demo', instances: { a: sleep100(), b: sleep100() } }, false);
  r.sup.delete({ name: 'demo', instance: 'a' });
  await r.settle();
  assert.deepEqual(Object.keys(r.sup.list().demo!.instances!), ['b']);
  assert.throws(() => r.sup.delete({ name: 'demo', instance: 'zzz' }), { code: 'ERR_PROCD_NOT_FOUND' });
  assert.throws(() => r.sup.delete({ name: 'nope' }), { code: 'ERR_PROCD_NOT_FOUND' });
});

test('set replaces the instance set, add merges; unchanged instances keep their process', async () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100(), b: { command: ['/bin/b'] } } }, false);
  const pidA = inst(r, 'svc', 'a')!.pid;
  const pidB = inst(r, 'svc', 'b')!.pid;
  r.sup.set({ name: 'svc', instances: { b: { command: ['/bin/b'] }, c: { command: ['/bin/c'] } } }, false);
  await r.settle();
  const l = r.sup.list().svc!.instances!;
  assert.deepEqual(Object.keys(l), ['b', 'c']);
  assert.equal(l.b!.pid, pidB, 'b unchanged: same process');
  assert.ok(r.spawner.processes.find((p) => p.pid === pidA)!.signals.includes(15), 'a was stopped');
  r.sup.set({ name: 'svc', instances: { d: { command: ['/bin/d'] } } }, true);
  assert.deepEqual(Object.keys(r.sup.list().svc!.instances!), ['b', 'c', 'd']);
  assert.equal(inst(r, 'svc', 'b')!.pid, pidB);
});

test('a changed definition restarts the instance; a data-only change does not', async () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100({ data: { x: 1 } }) } }, false);
  const pid1 = inst(r, 'svc', 'a')!.pid;
  r.sup.set({ name: 'svc', instances: { a: sleep100({ data: { x: 2 } }) } }, false);
  assert.equal(inst(r, 'svc', 'a')!.pid, pid1);
  assert.deepEqual(inst(r, 'svc', 'a')!.data, { x: 2 });
  r.sup.set({ name: 'svc', instances: { a: sleep100({ env: { FOO: 'bar' } }) } }, false);
  await r.settle();
  const pid2 = inst(r, 'svc', 'a')!.pid;
  assert.notEqual(pid2, pid1);
  assert.equal(r.spawner.last()!.spec.env.FOO, 'bar');
  r.sup.set({ name: 'svc', instances: { a: { command: ['/bin/sleep', '200'], env: { FOO: 'bar' } } } }, false);
  await r.settle();
  assert.notEqual(inst(r, 'svc', 'a')!.pid, pid2);
  assert.deepEqual(inst(r, 'svc', 'a')!.command, ['/bin/sleep', '200']);
});

test('a changed watched file restarts the instance (procd compares file digests)', async () => {
  const r = createRig();
  r.files.set('/etc/config/x', 'v1');
  r.sup.set({ name: 'svc', instances: { a: sleep100({ file: ['/etc/config/x'] }) } }, false);
  const pid1 = inst(r, 'svc', 'a')!.pid;
  r.sup.set({ name: 'svc', instances: { a: sleep100({ file: ['/etc/config/x'] }) } }, false);
  assert.equal(inst(r, 'svc', 'a')!.pid, pid1);
  r.files.set('/etc/config/x', 'v2');
  r.sup.set({ name: 'svc', instances: { a: sleep100({ file: ['/etc/config/x'] }) } }, false);
  await r.settle();
  assert.notEqual(inst(r, 'svc', 'a')!.pid, pid1);
});

test('reload_signal: a changed definition sends the signal instead of restarting', () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100({ reload_signal: 10 }) } }, false);
  const p = r.spawner.last()!;
  r.sup.set({ name: 'svc', instances: { a: sleep100({ reload_signal: 10, env: { A: '1' } }) } }, false);
  assert.deepEqual(p.signals, [10]);
  assert.equal(inst(r, 'svc', 'a')!.pid, p.pid);
});

test('signal: SIGHUP by default to every instance, a given signal to one; errors by code', () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100(), b: sleep100() } }, false);
  r.sup.signal({ name: 'svc' });
  assert.deepEqual(r.spawner.processes.map((p) => p.signals), [[1], [1]]);
  r.sup.signal({ name: 'svc', instance: 'b', signal: 10 });
  assert.deepEqual(r.spawner.processes[1]!.signals, [1, 10]);
  assert.throws(() => r.sup.signal({ name: 'nope' }), { code: 'ERR_PROCD_NOT_FOUND' });
  r.spawner.processes[0]!.exit(0);
  assert.throws(() => r.sup.signal({ name: 'svc', instance: 'a' }), { code: 'ERR_PROCD_SIGNAL', errno: 'ESRCH' });
});

test('bad input is refused with the field named, and changes nothing', () => {
  const r = createRig();
  assert.throws(() => r.sup.set({ name: 'svc', instances: { a: sleep100({ respawn: [3600, 1, 5] }) } }, false), {
    code: 'ERR_PROCD_INVALID_ARGS',
    field: 'instances.a.respawn[0]',
  });
  assert.throws(() => r.sup.set({ name: 'svc', instances: { ok: sleep100(), bad: { command: [] } } }, false), { field: 'instances.bad.command' });
  assert.throws(() => r.sup.set({ name: 'svc', instances: { a: sleep100({ env: { X: 1 } }) } }, false), { field: 'instances.a.env.X' });
  assert.throws(() => r.sup.set({ name: 'svc', instances: { a: sleep100({ limits: { nofile: 'lots' } }) } }, false), { field: 'instances.a.limits.nofile' });
  assert.throws(() => r.sup.set({ name: 'svc', instances: { a: sleep100({ bogus: 1 }) } }, false), { field: 'instances.a.bogus' });
  assert.throws(() => r.sup.set({ instances: {} }, false), { field: 'name' });
  assert.deepEqual(r.sup.list(), {});
  assert.equal(r.spawner.processes.length, 0);
});

test('update_start / add / update_complete removes the instances not re-added', async () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100(), b: sleep100() } }, false);
  r.sup.update({ name: 'svc' }, 'start');
  r.sup.set({ name: 'svc', instances: { b: sleep100() } }, true);
  assert.deepEqual(Object.keys(r.sup.list().svc!.instances!), ['a', 'b']);
  r.sup.update({ name: 'svc' }, 'complete');
  await r.settle();
  assert.deepEqual(Object.keys(r.sup.list().svc!.instances!), ['b']);
});

test('state spawn:false stops instances but keeps them; spawn:true starts them again', async () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100({ respawn: ['3600', '1', '5'] }) } }, false);
  r.sup.state({ name: 'svc', spawn: false });
  await r.settle();
  r.clock.advance(10_000);
  assert.equal(inst(r, 'svc', 'a')!.running, false);
  assert.equal(r.spawner.processes.length, 1);
  r.sup.state({ name: 'svc', spawn: true });
  assert.equal(inst(r, 'svc', 'a')!.running, true);
  assert.equal(r.spawner.processes.length, 2);
});

test('event: a config.change reload trigger runs its script once after the delay, coalescing bursts', async () => {
  const r = createRig();
  const triggers = [['config.change', ['if', ['eq', 'package', 'mwan'], ['run_script', '/etc/init.d/mwan', 'reload']], 1000]];
  r.sup.set({ name: 'mwan', instances: { a: sleep100() }, triggers }, false);
  r.sup.event({ type: 'config.change', data: { package: 'network' } });
  r.sup.event({ type: 'config.change', data: { package: 'mwan' } });
  r.clock.advance(500);
  r.sup.event({ type: 'config.change', data: { package: 'mwan' } });
  r.clock.advance(999);
  assert.deepEqual(r.commands, []);
  r.clock.advance(1);
  await r.sup.triggersIdle();
  assert.deepEqual(r.commands, [['/etc/init.d/mwan', 'reload']]);
  const notes = r.notes.filter((n) => n.type === 'config.change').map((n) => n.data);
  assert.deepEqual(notes, [{ config: 'network' }, { config: 'mwan' }, { config: 'mwan' }]);
  assert.deepEqual(r.notes.find((n) => n.type === 'event.trigger')!.data, { type: 'config.change', data: { package: 'network' } });
});

test('get_data / set_data for a service and an instance', () => {
  const r = createRig();
  r.sup.set({ name: 'svc', data: { mdns: { x: 1 } }, instances: { a: sleep100({ data: { firewall: [1] } }) } }, false);
  assert.deepEqual(r.sup.getData({}), { svc: { '*': { mdns: { x: 1 } }, a: { firewall: [1] } } });
  r.sup.setData({ name: 'svc', instance: 'a', data: { other: 'y' } });
  assert.deepEqual(r.sup.getData({ name: 'svc', type: 'other' }), { svc: { a: { other: 'y' } } });
  assert.throws(() => r.sup.setData({ name: 'nope', data: {} }), { code: 'ERR_PROCD_NOT_FOUND' });
});

test('pidfile is written on start and removed when the instance is stopped', async () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100({ pidfile: '/run/a.pid' }) } }, false);
  assert.equal(r.pidfiles.get('/run/a.pid'), r.spawner.last()!.pid);
  r.sup.delete({ name: 'svc' });
  await r.settle();
  assert.equal(r.pidfiles.has('/run/a.pid'), false);
});

test('a command that cannot be started exits 127 and is respawned like a crash', async () => {
  const r = createRig();
  r.spawner.failing.add('/nonexistent');
  r.sup.set({ name: 'svc', instances: { a: { command: ['/nonexistent'], respawn: ['3600', '1', '1'] } } }, false);
  await r.settle();
  assert.equal(inst(r, 'svc', 'a')!.exit_code, 127);
  r.clock.advance(1000);
  await r.settle();
  assert.equal(inst(r, 'svc', 'a')!.crashed, true);
});

test('stdout/stderr lines reach the output sink only when asked for', () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100({ stdout: true, stderr: true }), b: sleep100() } }, false);
  const [a, b] = r.spawner.processes;
  assert.equal(a!.spec.captureStdout, true);
  assert.equal(b!.spec.captureStdout, false);
  a!.print('stderr', 'oops');
  assert.deepEqual(r.output, ['svc.a stderr: oops']);
});

test('limits are applied through prlimit in front of the command', () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100({ limits: { nofile: '100 200', core: 'unlimited' } }) } }, false);
  assert.deepEqual(r.spawner.last()!.spec.argv, ['/usr/bin/prlimit', '--core=unlimited:unlimited', '--nofile=100:200', '--', '/bin/sleep', '100']);
});

test('watchdog: an instance that stops pinging is restarted (respawn) ', async () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100({ respawn: ['3600', '1', '5'], watchdog: ['1', '10'] }) } }, false);
  const p1 = r.spawner.last()!;
  r.clock.advance(9000);
  assert.deepEqual(r.sup.watchdog({ name: 'svc', instance: 'a' }), { name: 'svc', instance: 'a', mode: 1, timeout: 10 });
  r.clock.advance(9000);
  assert.deepEqual(p1.signals, []);
  r.clock.advance(1000);
  assert.deepEqual(p1.signals, [15]);
  await r.settle();
  assert.notEqual(r.spawner.last()!.pid, p1.pid);
});

test('an instance with errors or without a command is listed but not started', () => {
  const r = createRig();
  r.sup.set({ name: 'svc', instances: { a: sleep100({ error: ['bad config'] }), b: {} } }, false);
  assert.equal(r.spawner.processes.length, 0);
  assert.deepEqual(inst(r, 'svc', 'a'), { running: false, command: ['/bin/sleep', '100'], term_timeout: 5, exit_code: 0, errors: ['bad config'] });
  assert.equal(inst(r, 'svc', 'b')!.running, false);
});

test('autostart false: instances are defined but not started', () => {
  const r = createRig();
  r.sup.set({ name: 'svc', autostart: false, instances: { a: sleep100() } }, false);
  assert.equal(r.spawner.processes.length, 0);
  assert.equal(r.sup.list().svc!.autostart, false);
});

test('stopAll stops everything and resolves once every process has exited', async () => {
  const r = createRig();
  r.sup.set({ name: 'one', instances: { a: sleep100() } }, false);
  r.sup.set({ name: 'two', instances: { b: sleep100() } }, false);
  await r.sup.stopAll();
  assert.equal(r.spawner.alive().length, 0);
  assert.deepEqual(r.sup.list(), {});
});
