/**
 * procd-ts end to end: a private broker, procd-ts in-process with the real spawner, real
 * processes, the typed client. Time here is real (process exits and procd's timers), so every
 * timeout is small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UbusStatusError, type UbusData } from 'ubus-ts';
import { groupAlive, groupMembers, pidAlive, startBusRig, waitFor } from './helpers/bus.js';

test('respawn after the timeout, crash loop gives up, instance.* notifications', async (t) => {
  const rig = await startBusRig(t);
  const notes: { type: string; data: UbusData }[] = [];
  const sub = await rig.client.onNotification((type, data) => notes.push({ type, data }));
  t.after(() => sub.unsubscribe());

  await rig.client.set('demo', { a: { command: ['/bin/sleep', '100'], respawn: { threshold: 3600, timeout: 1, retry: 5 } } });
  const first = await rig.client.instance('demo', 'a');
  assert.equal(first?.running, true);
  assert.ok(first?.pid && pidAlive(first.pid));
  const killedAt = Date.now();
  process.kill(first.pid!, 'SIGKILL');
  const second = await waitFor(async () => {
    const i = await rig.client.instance('demo', 'a');
    return i?.running && i.pid !== first.pid ? i : undefined;
  });
  const gap = Date.now() - killedAt;
  assert.ok(gap >= 950, `respawned after ${gap} ms, expected about 1000`);
  assert.ok(pidAlive(second.pid!));
  await waitFor(() => notes.some((n) => n.type === 'instance.respawn'));
  const respawn = notes.find((n) => n.type === 'instance.respawn')!.data;
  assert.equal(respawn.exit_code, 128 + 9);
  assert.equal(respawn.service, 'demo');

  // a command that fails at once, respawn timeout 0, retry 2: three runs, then crashed
  await rig.client.add('demo', { bad: { command: ['/bin/sh', '-c', 'exit 3'], respawn: { threshold: 3600, timeout: 0, retry: 2 } } });
  const crashed = await waitFor(async () => {
    const i = await rig.client.instance('demo', 'bad');
    return i?.crashed ? i : undefined;
  });
  assert.equal(crashed.running, false);
  assert.equal(crashed.exit_code, 3);
  await waitFor(() => notes.some((n) => n.type === 'instance.fail'));
  assert.equal(notes.filter((n) => n.type === 'instance.start' && n.data.instance === 'bad').length, 3);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(notes.filter((n) => n.type === 'instance.start' && n.data.instance === 'bad').length, 3, 'not restarted');
  assert.deepEqual((await rig.client.list({ name: 'demo' })).demo?.instances?.a?.pid, second.pid, 'add left a alone');
});

test('delete stops within term_timeout; SIGKILL for a process that ignores SIGTERM; no child is left', async (t) => {
  const rig = await startBusRig(t);
  await rig.client.set('stubborn', {
    // ignores SIGTERM (inherited by its children), has a background child in its group
    x: { command: ['/bin/sh', '-c', 'trap "" TERM; sleep 100 & touch "$READY"; while :; do sleep 0.1; done'], env: { READY: join(rig.dir, 'ready') }, termTimeout: 1 },
  });
  const i = await rig.client.instance('stubborn', 'x');
  const pid = i!.pid!;
  await waitFor(() => existsSync(join(rig.dir, 'ready')));
  const t0 = Date.now();
  await rig.client.delete('stubborn');
  await waitFor(() => !groupAlive(pid), 4000);
  const took = Date.now() - t0;
  assert.ok(took >= 900 && took < 3000, `stopped after ${took} ms with term_timeout 1 s`);
  await waitFor(async () => Object.keys(await rig.client.list()).length === 0);

  await rig.client.set('polite', { y: { command: ['/bin/sh', '-c', 'sleep 100 & sleep 100 & wait'] } });
  const pid2 = (await rig.client.instance('polite', 'y'))!.pid!;
  await waitFor(() => groupMembers(pid2).length === 3);
  const t1 = Date.now();
  await rig.client.delete('polite');
  await waitFor(() => !groupAlive(pid2), 4000);
  assert.ok(Date.now() - t1 < 4000, 'SIGTERM was enough (SIGKILL would only come after term_timeout 5 s)');
});

test('set vs add over the bus: unchanged instances keep their pid, changed ones restart', async (t) => {
  const rig = await startBusRig(t);
  const def = { a: { command: ['/bin/sleep', '100'] }, b: { command: ['/bin/sleep', '101'] } };
  await rig.client.set('svc', def);
  const l1 = (await rig.client.list({ name: 'svc' })).svc!.instances!;
  await rig.client.set('svc', { ...def, b: { command: ['/bin/sleep', '102'] } });
  const l2 = await waitFor(async () => {
    const l = (await rig.client.list({ name: 'svc' })).svc!.instances!;
    return l.b?.running && l.b.pid !== l1.b!.pid ? l : undefined;
  });
  assert.equal(l2.a!.pid, l1.a!.pid);
  assert.deepEqual(l2.b!.command, ['/bin/sleep', '102']);
  await waitFor(() => !pidAlive(l1.b!.pid!));
  await rig.client.add('svc', { c: { command: ['/bin/sleep', '103'] } });
  assert.deepEqual(Object.keys((await rig.client.list({ name: 'svc' })).svc!.instances!), ['a', 'b', 'c']);
  await rig.client.set('svc', { c: { command: ['/bin/sleep', '103'] } });
  await waitFor(async () => Object.keys((await rig.client.list({ name: 'svc' })).svc!.instances!).length === 1);
  await waitFor(() => !pidAlive(l2.a!.pid!));
});

test('signal reaches the process; env and stdout go where asked', async (t) => {
  const rig = await startBusRig(t, { logDir: true });
  const script = 'echo "started $FOO"; trap "echo got-hup" HUP; trap "echo got-usr1" USR1; while :; do sleep 0.05; done';
  await rig.client.set('sig', { s: { command: ['/bin/sh', '-c', script], env: { FOO: 'bar baz' }, stdout: true } });
  const logFile = join(rig.dir, 'log', 'sig.s.log');
  await waitFor(() => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('started bar baz'));
  await rig.client.signal('sig');
  await waitFor(() => readFileSync(logFile, 'utf8').includes('got-hup'));
  await rig.client.signal('sig', { instance: 's', signal: 'SIGUSR1' });
  await waitFor(() => readFileSync(logFile, 'utf8').includes('got-usr1'));
  assert.match(readFileSync(logFile, 'utf8'), /sh\[\d+\]: started bar baz/);
});

test('bad calls get procd\'s statuses and change nothing', async (t) => {
  const rig = await startBusRig(t);
  const status = async (p: Promise<unknown>): Promise<number> => {
    try {
      await p;
      return 0;
    } catch (err) {
      assert.ok(err instanceof UbusStatusError, String(err));
      return err.status;
    }
  };
  assert.equal(await status(rig.ubus.call('service', 'set', { name: 'x', instances: { a: { command: ['/bin/true'], respawn: [1, 2, 3] } } })), 2);
  assert.ok(rig.logs.some((l) => l.includes('instances.a.respawn[0]')));
  assert.equal(await status(rig.ubus.call('service', 'set', { name: 5 })), 2);
  assert.equal(await status(rig.client.delete('nope')), 4);
  assert.equal(await status(rig.client.signal('nope')), 4);
  assert.deepEqual(await rig.client.list(), {});
});

test('a leader that exits takes the rest of its process group with it', async (t) => {
  const rig = await startBusRig(t);
  await rig.client.set('leaky', { l: { command: ['/bin/sh', '-c', 'sleep 100 & touch "$READY"; sleep 0.3; exit 0'], env: { READY: join(rig.dir, 'ready') } } });
  const pid = (await rig.client.instance('leaky', 'l'))!.pid!;
  await waitFor(() => existsSync(join(rig.dir, 'ready')));
  assert.equal(groupMembers(pid).length >= 2, true);
  await waitFor(async () => (await rig.client.instance('leaky', 'l'))?.running === false);
  await waitFor(() => groupMembers(pid).length === 0, 2000);
});

test('watch: notifications of a watched object run the instance triggers (object appearing later)', async (t) => {
  const rig = await startBusRig(t);
  const marker = join(rig.dir, 'triggered');
  await rig.client.set('w', {
    i: {
      command: ['/bin/sleep', '100'],
      watch: ['test.watched'],
      triggers: [['test.poke', ['if', ['eq', 'what', 'x'], ['run_script', '/bin/sh', '-c', 'echo "$0" > "$1"', '%what%', marker]]]],
    },
  });
  const obj = await rig.ubus.addObject('test.watched', {});
  await waitFor(() => obj.subscriberCount > 0);
  await obj.notify('test.poke', { what: 'y' });
  await obj.notify('test.poke', { what: 'x' });
  await waitFor(() => existsSync(marker) && readFileSync(marker, 'utf8') === 'x\n');
});
