/** The ubus-ts client against ubusd-ts: the flows mwan's processes use, end to end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/client/index.js';
import { UbusStatusError } from '../src/errors.js';
import { Status } from '../src/wire/index.js';
import { withBroker } from './broker-peer.js';

test('client: object, call with user/group, events, subscribe/notify, wait_for, vanished owner', async (t) => {
  const { path } = await withBroker(t);
  const server = await connect({ socketPath: path, reconnect: false, timeoutMs: 3000 });
  t.after(() => server.close());
  const caller = await connect({ socketPath: path, reconnect: false, timeoutMs: 3000 });
  t.after(() => caller.close());

  const waiting = caller.waitFor(['mwan.track.wan'], { timeoutMs: 3000 });
  let seenUser: string | undefined;
  const obj = await server.addObject('mwan.track.wan', {
    status: { handler: (req) => { seenUser = req.user; return { up: true, score: 10 }; } },
    fail: { handler: () => { throw new UbusStatusError(Status.NOT_SUPPORTED); } },
  });
  await waiting;
  assert.deepEqual(await caller.call('mwan.track.wan', 'status'), { up: true, score: 10 });
  assert.equal(typeof seenUser, 'string');
  await assert.rejects(caller.call('mwan.track.wan', 'fail'), (e: unknown) => e instanceof UbusStatusError && e.status === Status.NOT_SUPPORTED);
  await assert.rejects(caller.call('mwan.track.wan', 'nosuch'), (e: unknown) => e instanceof UbusStatusError && e.status === Status.METHOD_NOT_FOUND);
  await assert.rejects(caller.call('nosuch', 'x'), (e: unknown) => e instanceof UbusStatusError && e.status === Status.NOT_FOUND);

  const events: [string, unknown][] = [];
  const stop = await server.listen('mwan.*', (type, data) => events.push([type, data]));
  await caller.sendEvent('mwan.track', { interface: 'wan', action: 'connected' });
  await caller.sendEvent('other', { x: 1 });
  const deadline = Date.now() + 2000;
  while (events.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(events, [['mwan.track', { interface: 'wan', action: 'connected' }]]);
  await stop();

  const notes: [string, unknown][] = [];
  const sub = await caller.subscribe('mwan.track.wan', (type, data) => { notes.push([type, data]); });
  const d2 = Date.now() + 2000;
  while (obj.subscriberCount < 1 && Date.now() < d2) await new Promise((r) => setTimeout(r, 5));
  assert.equal(obj.subscriberCount, 1);
  await obj.notify('state', { up: false });
  assert.deepEqual(notes, [['state', { up: false }]]);
  await sub.unsubscribe();

  // the owner goes away while a call is in flight: the caller hears at once, not after its timeout
  const slow = await server.addObject('slow', { wait: { handler: () => new Promise(() => {}) } });
  void slow;
  const started = Date.now();
  const pending = caller.call('slow', 'wait', {}, { timeoutMs: 10000 });
  await new Promise((r) => setTimeout(r, 50));
  await server.close();
  await assert.rejects(pending, (e: unknown) => e instanceof UbusStatusError && e.status === Status.NO_DATA);
  assert.ok(Date.now() - started < 5000);
});
