/** Broker restart: in-flight calls fail at once, then objects, listeners and subscriptions come back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startBroker } from '../src/broker/index.js';
import { UbusDisconnectedError } from '../src/errors.js';
import type { ClientEvent, UbusData } from '../src/client/types.js';
import { client, tempDir, until } from './client-harness.js';

test('after a broker restart the client re-registers objects, listeners and subscriptions', async (t) => {
  const sock = join(tempDir(t), 'ubus.sock');
  let b = await startBroker({ socketPath: sock, credentials: 'broker' });
  t.after(() => b.close());
  const fast = { reconnectDelayMs: { initial: 20, max: 100 } };
  const svc = await client(t, sock, fast);
  const pub = await client(t, sock, fast);
  const caller = await client(t, sock, fast);

  const obj = await svc.addObject('svc', { ping: { handler: (req) => ({ pong: req.args.n ?? 0 }) } });
  const events: Array<[string, UbusData]> = [];
  await svc.listen('mwan.*', (type, data) => events.push([type, data]));
  const source = await pub.addObject('source', {});
  const notes: string[] = [];
  await svc.subscribe('source', (type) => {
    notes.push(type);
  });
  await until(() => source.subscriberCount === 1);
  const oldId = obj.id;
  const svcEvents: ClientEvent[] = [];
  svc.onEvent((e) => svcEvents.push(e));

  // a call left hanging when the broker goes away fails at once, with a stable code (the
  // object is the caller's own, so the broker cannot answer for it when it drops the owner)
  await caller.addObject('own', { hang: { handler: () => new Promise<UbusData>(() => undefined) } });
  const inflight = caller.call('own', 'hang', {}, { timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 20));
  const t0 = Date.now();
  let failedAfter = -1;
  const failed = assert.rejects(
    inflight.finally(() => (failedAfter = Date.now() - t0)),
    (e: unknown) => e instanceof UbusDisconnectedError && e.code === 'ERR_UBUS_DISCONNECTED',
  );
  await b.close();
  await failed;
  assert.ok(failedAfter >= 0 && failedAfter < 1000, `the in-flight call failed after ${failedAfter} ms`);
  await until(() => !svc.connected);
  await assert.rejects(caller.call('svc', 'ping'), (e: unknown) => e instanceof UbusDisconnectedError);

  b = await startBroker({ socketPath: sock, credentials: 'broker' });
  await until(() => svcEvents.some((e) => e.kind === 'reconnected'));
  await until(() => caller.connected && pub.connected);
  assert.deepEqual(svcEvents.map((e) => e.kind), ['disconnected', 'reconnected']);

  // the object is back under a new id, reachable by path
  assert.notEqual(obj.id, 0);
  assert.notEqual(obj.id, oldId);
  assert.equal(await caller.lookupId('svc'), obj.id);
  assert.deepEqual(await caller.call('svc', 'ping', { n: 3 }), { pong: 3 });
  // the listener is back
  await caller.sendEvent('mwan.test', { after: 'restart' });
  await until(() => events.length === 1);
  assert.deepEqual(events, [['mwan.test', { after: 'restart' }]]);
  // the subscription is back (whichever of svc and pub came back first)
  await until(() => source.subscriberCount === 1);
  await source.notify('hello', {});
  assert.deepEqual(notes, ['hello']);
});

test('with reconnect disabled the client stays down and says so once', async (t) => {
  const sock = join(tempDir(t), 'ubus.sock');
  const b = await startBroker({ socketPath: sock, credentials: 'broker' });
  const c = await client(t, sock, { reconnect: false });
  const kinds: string[] = [];
  c.onEvent((e) => kinds.push(e.kind));
  await b.close();
  await until(() => kinds.length === 1);
  assert.deepEqual(kinds, ['disconnected']);
  assert.equal(c.connected, false);
  await assert.rejects(c.lookup(), (e: unknown) => (e as { code?: string }).code === 'ERR_UBUS_DISCONNECTED');
});

test('a monitor is registered again after a broker restart', { skip: process.getuid?.() !== 0 && 'ubusd lets only root monitor' }, async (t) => {
  const sock = join(tempDir(t), 'ubus.sock');
  let b = await startBroker({ socketPath: sock, credentials: 'broker' });
  t.after(() => b.close());
  const mon = await client(t, sock, { reconnectDelayMs: { initial: 20, max: 100 } });
  const methods: string[] = [];
  await mon.monitor((m) => {
    const data = m.attrs.find((a) => a.id === 5);
    const method = data?.kind === 'nested' ? data.value.find((a) => a.id === 4) : undefined;
    if (method?.kind === 'string') methods.push(method.value);
  });
  const kinds: string[] = [];
  mon.onEvent((e) => kinds.push(e.kind));
  await b.close();
  b = await startBroker({ socketPath: sock, credentials: 'broker' });
  await until(() => kinds.includes('reconnected'));
  const other = await client(t, sock);
  await other.addObject('watched', { m: { handler: () => ({}) } });
  await other.call('watched', 'm');
  await until(() => methods.includes('m'));
});

test('a program whose only handle is its ubus client stays alive while the broker is away, and reconnects', async (t) => {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const sock = join(tempDir(t), 'ubus.sock');
  let b = await startBroker({ socketPath: sock, credentials: 'broker' });
  t.after(() => b.close());
  const clientIndex = fileURLToPath(new URL('../src/client/index.js', import.meta.url));
  // like a daemon: connect, publish, nothing else keeps the event loop busy
  const script = `import { connect } from ${JSON.stringify(clientIndex)};
const c = await connect({ socketPath: ${JSON.stringify(sock)}, reconnectDelayMs: { initial: 50, max: 200 } });
await c.addObject('daemon', { ping: { handler: () => ({ pong: true }) } });
process.stdout.write('ready\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d) => { if (String(d).includes('ready')) resolve(); }));
  await b.close();
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(child.exitCode, null, 'the program exited while its broker was away');
  b = await startBroker({ socketPath: sock, credentials: 'broker' });
  const probe = await client(t, sock);
  let answer: unknown;
  for (const deadline = Date.now() + 5000; Date.now() < deadline && answer === undefined; ) {
    answer = await probe.call('daemon', 'ping').catch(() => undefined);
    if (answer === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(answer, { pong: true }, 'the program re-registered its object on the new broker');
});
