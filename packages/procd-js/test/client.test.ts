import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toWireInstance } from '../src/client/instance-spec.js';
import { startBusRig, waitFor } from './helpers/bus.js';

test('toWireInstance: respawn as procd strings, defaults, signals by name, watchdog strings', () => {
  assert.deepEqual(toWireInstance({ command: ['/bin/x'], respawn: true }), { command: ['/bin/x'], respawn: ['3600', '5', '5'] });
  assert.deepEqual(toWireInstance({ command: ['/bin/x'], respawn: { timeout: 1 } }).respawn, ['3600', '1', '5']);
  const w = toWireInstance({
    command: ['/bin/x', 'a b'],
    env: { A: '1' },
    termTimeout: 2,
    limits: { nofile: 1024, core: 'unlimited' },
    reloadSignal: 'SIGHUP',
    watchdog: { mode: 1, timeout: 20 },
    stdout: true,
    pidfile: '/run/x.pid',
  });
  assert.deepEqual(w, {
    command: ['/bin/x', 'a b'],
    env: { A: '1' },
    term_timeout: 2,
    limits: { nofile: '1024', core: 'unlimited' },
    reload_signal: 1,
    watchdog: ['1', '20'],
    stdout: true,
    pidfile: '/run/x.pid',
  });
  assert.equal('respawn' in toWireInstance({ command: ['/bin/x'], respawn: false }), false);
});

test('client over the bus: update brackets, state, data, watchdog, validate, notifications of service start/stop', async (t) => {
  const rig = await startBusRig(t);
  const c = rig.client;
  const notes: string[] = [];
  const sub = await c.onNotification((type, data) => notes.push(`${type} ${String(data.service ?? data.config ?? '')}`));
  t.after(() => sub.unsubscribe());

  await c.set('svc', { a: { command: ['/bin/sleep', '100'] }, b: { command: ['/bin/sleep', '100'] } }, {
    data: { fw: { rule: 'x' } },
    validate: [{ package: 'svc', type: 'main', data: { enabled: 'bool' } }],
  });
  await c.updateStart('svc');
  await c.add('svc', { b: { command: ['/bin/sleep', '100'] } });
  await c.updateComplete('svc');
  await waitFor(async () => Object.keys((await c.list({ name: 'svc' })).svc!.instances!).join() === 'b');

  await c.state('svc', false);
  await waitFor(async () => (await c.instance('svc', 'b'))?.running === false);
  await c.state('svc', true);
  assert.equal((await c.instance('svc', 'b'))?.running, true);

  assert.deepEqual(await c.getData({ name: 'svc' }), { svc: { '*': { fw: { rule: 'x' } } } });
  await c.setData('svc', { note: 'hi' }, 'b');
  assert.deepEqual(await c.getData({ name: 'svc', instance: 'b' }), { svc: { '*': { fw: { rule: 'x' } }, b: { note: 'hi' } } });

  assert.deepEqual(await c.watchdog('svc', 'b', { mode: 1, timeout: 60 }), { name: 'svc', instance: 'b', mode: 1, timeout: 60 });
  assert.deepEqual((await c.instance('svc', 'b'))?.watchdog, { mode: 1, timeout: 60 });
  assert.deepEqual(await c.validate({ package: 'svc' }), { svc: { main: { enabled: 'bool' } } });

  await c.delete('svc');
  await waitFor(() => notes.includes('service.stop svc'));
  assert.deepEqual(notes.slice(0, 3), ['instance.start svc', 'instance.start svc', 'service.start svc'], 'procd order: instances first');
  await c.event('config.change', { package: 'svc' });
  await waitFor(() => notes.includes('config.change svc'));
});
