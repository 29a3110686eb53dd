/** The client against our broker: calls, errors, policies, deferred replies, events, subscriptions, waitFor. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BlobmsgType, Status } from '../src/wire/constants.js';
import { UbusStatusError } from '../src/errors.js';
import { broker, client, tempDir, until } from './client-harness.js';
import type { UbusData } from '../src/client/types.js';

test('HELLO gives each client its own id; lookup lists objects with their signatures', async (t) => {
  const b = await broker(t);
  const a = await client(t, b.socketPath);
  const c = await client(t, b.socketPath);
  assert.ok(a.clientId > 1 && c.clientId > 1);
  assert.notEqual(a.clientId, c.clientId);
  const obj = await a.addObject('net.wan', {
    status: { handler: () => ({}) },
    update: { policy: { device: BlobmsgType.STRING, up: BlobmsgType.BOOL }, handler: () => undefined },
  });
  await a.addObject('net.lan', {});
  await a.addObject('other', {});
  const all = await c.lookup();
  assert.deepEqual(all.map((o) => o.path).sort(), ['net.lan', 'net.wan', 'other']);
  const wan = all.find((o) => o.path === 'net.wan')!;
  assert.equal(wan.id, obj.id);
  assert.deepEqual(wan.signature, { status: {}, update: { device: BlobmsgType.STRING, up: BlobmsgType.INT8 } });
  assert.deepEqual((await c.lookup('net.*')).map((o) => o.path).sort(), ['net.lan', 'net.wan']);
  assert.deepEqual((await c.lookup('other')).map((o) => o.path), ['other']);
  assert.equal(await c.lookupId('net.lan'), (await c.lookup('net.lan'))[0]!.id);
  await assert.rejects(c.lookup('nothing*'), (e: unknown) => e instanceof UbusStatusError && e.status === Status.NOT_FOUND);
  await assert.rejects(c.lookupId('nothing'), (e: unknown) => e instanceof UbusStatusError && e.status === Status.NOT_FOUND);
});

test('a call returns every DATA reply in order; call() gives the last one', async (t) => {
  const b = await broker(t);
  const srv = await client(t, b.socketPath);
  const cli = await client(t, b.socketPath);
  await srv.addObject('multi', {
    three: {
      handler: (req) => {
        req.reply({ part: 1 });
        req.reply({ part: 2 });
        return { part: 3, who: req.peer, args: req.args };
      },
    },
    none: { handler: () => undefined },
  });
  const all = await cli.callAll('multi', 'three', { x: 'y' });
  assert.deepEqual(all, [{ part: 1 }, { part: 2 }, { part: 3, who: cli.clientId, args: { x: 'y' } }]);
  assert.deepEqual(await cli.call('multi', 'three'), { part: 3, who: cli.clientId, args: {} });
  assert.equal(await cli.call('multi', 'none'), undefined);
});

test('error statuses reach the caller as UbusStatusError with the status', async (t) => {
  const b = await broker(t);
  const srv = await client(t, b.socketPath);
  const cli = await client(t, b.socketPath);
  await srv.addObject('err', {
    denied: { handler: () => { throw new UbusStatusError(Status.PERMISSION_DENIED); } },
    later: { handler: async () => { throw new UbusStatusError(Status.NO_DATA); } },
    bug: { handler: () => { throw new TypeError('oops'); } },
  });
  const status = (s: number) => (e: unknown) => e instanceof UbusStatusError && e.code === 'ERR_UBUS_STATUS' && e.status === s;
  await assert.rejects(cli.call('err', 'denied'), status(Status.PERMISSION_DENIED));
  await assert.rejects(cli.call('err', 'later'), status(Status.NO_DATA));
  await assert.rejects(cli.call('err', 'bug'), status(Status.UNKNOWN_ERROR));
  await assert.rejects(cli.call('err', 'missing'), status(Status.METHOD_NOT_FOUND));
  await assert.rejects(cli.call('nowhere', 'x'), status(Status.NOT_FOUND));
  await assert.rejects(cli.invoke(0x7654321, 'x'), status(Status.NOT_FOUND));
});

test('arguments present with the wrong type are refused with INVALID_ARGUMENT before the handler runs', async (t) => {
  const b = await broker(t);
  const srv = await client(t, b.socketPath);
  const cli = await client(t, b.socketPath);
  const seen: UbusData[] = [];
  await srv.addObject('typed', {
    set: {
      policy: { name: BlobmsgType.STRING, count: BlobmsgType.INT32, on: BlobmsgType.BOOL, any: BlobmsgType.UNSPEC },
      handler: (req) => {
        seen.push(req.args);
        return { ok: true };
      },
    },
  });
  const invalid = (e: unknown) => e instanceof UbusStatusError && e.status === Status.INVALID_ARGUMENT;
  await assert.rejects(cli.call('typed', 'set', { name: 5 }), invalid);
  await assert.rejects(cli.call('typed', 'set', { count: 'five' }), invalid);
  await assert.rejects(cli.call('typed', 'set', { on: 1 }), invalid);
  await assert.rejects(cli.call('typed', 'set', { count: 2 ** 40 }), invalid); // int64, not int32
  assert.equal(seen.length, 0);
  // right types, absent arguments, unknown arguments and UNSPEC accept anything
  assert.deepEqual(await cli.call('typed', 'set', { name: 'a', count: 3, on: true, any: [1], extra: 'x' }), { ok: true });
  assert.deepEqual(await cli.call('typed', 'set', {}), { ok: true });
  assert.deepEqual(seen, [{ name: 'a', count: 3, on: true, any: [1], extra: 'x' }, {}]);
});

test('an async handler is a deferred reply: the caller waits until it settles', async (t) => {
  const b = await broker(t);
  const srv = await client(t, b.socketPath);
  const cli = await client(t, b.socketPath);
  let release!: (v: UbusData) => void;
  let started = false;
  await srv.addObject('slow', {
    work: {
      handler: () => {
        started = true;
        return new Promise<UbusData>((r) => (release = r));
      },
    },
    quick: { handler: () => ({ quick: true }) },
  });
  let done: UbusData | undefined;
  const p = cli.call('slow', 'work').then((r) => (done = r));
  await until(() => started);
  // the object keeps serving while a request is deferred
  assert.deepEqual(await cli.call('slow', 'quick'), { quick: true });
  assert.equal(done, undefined);
  release({ result: 42 });
  await p;
  assert.deepEqual(done, { result: 42 });
});

test('events: exact and wildcard patterns, no loopback to the sender, stop ends delivery', async (t) => {
  const b = await broker(t);
  const rx = await client(t, b.socketPath);
  const tx = await client(t, b.socketPath);
  const wild: Array<[string, UbusData]> = [];
  const exact: Array<[string, UbusData]> = [];
  const stopWild = await rx.listen('mwan.*', (type, data) => wild.push([type, data]));
  await rx.listen('mwan.track', (type, data) => exact.push([type, data]));
  const own: string[] = [];
  await tx.listen('*', (type) => own.push(type));
  await tx.sendEvent('mwan.track', { interface: 'wan', up: true });
  await tx.sendEvent('mwan.rtmon', { what: 'route' });
  await tx.sendEvent('network.interface', { action: 'ifup' });
  await until(() => wild.length === 2 && exact.length === 1);
  assert.deepEqual(wild, [['mwan.track', { interface: 'wan', up: true }], ['mwan.rtmon', { what: 'route' }]]);
  assert.deepEqual(exact, [['mwan.track', { interface: 'wan', up: true }]]);
  await stopWild();
  await tx.sendEvent('mwan.rtmon', { what: 'again' });
  await tx.sendEvent('mwan.track', { n: 2 });
  await until(() => exact.length === 2);
  assert.equal(wild.length, 2);
  // ubusd never loops an event back to the client that sent it
  assert.deepEqual(own, []);
});

test('subscribe/notify: subscribers get notifications, the publisher sees subscriber presence', async (t) => {
  const b = await broker(t);
  const pub = await client(t, b.socketPath);
  const s1 = await client(t, b.socketPath);
  const s2 = await client(t, b.socketPath);
  const obj = await pub.addObject('mwan.track.wan', { status: { handler: () => ({}) } });
  const counts: number[] = [];
  obj.onSubscribersChanged((n) => counts.push(n));
  const got1: Array<[string, UbusData]> = [];
  const got2: Array<[string, UbusData]> = [];
  const sub1 = await s1.subscribe('mwan.track.wan', (type, data) => {
    got1.push([type, data]);
  });
  await until(() => obj.subscriberCount === 1);
  const sub2 = await s2.subscribe('mwan.track.wan', async (type, data) => {
    got2.push([type, data]);
    return { thanks: true };
  });
  // notify resolves once every subscriber has answered, and learns the exact count
  await obj.notify('state', { up: true });
  assert.deepEqual(got1, [['state', { up: true }]]);
  assert.deepEqual(got2, [['state', { up: true }]]);
  assert.equal(obj.subscriberCount, 2);
  await obj.notify('quiet', { n: 1 }, { noReply: true });
  await until(() => got1.length === 2 && got2.length === 2);
  await sub1.unsubscribe();
  await sub2.unsubscribe();
  await until(() => obj.subscriberCount === 0);
  assert.deepEqual(counts, [1, 2, 0]);
  await obj.notify('nobody', {});
  assert.equal(got1.length, 2);
  await assert.rejects(s1.subscribe('absent', () => undefined), (e: unknown) => e instanceof UbusStatusError && e.status === Status.NOT_FOUND);
});

test('a subscription follows its object when the publisher goes away and comes back', async (t) => {
  const b = await broker(t);
  const pub = await client(t, b.socketPath);
  const sub = await client(t, b.socketPath);
  let obj = await pub.addObject('svc', {});
  const got: string[] = [];
  await sub.subscribe('svc', (type) => {
    got.push(type);
  });
  await obj.notify('one', {});
  await obj.remove();
  obj = await pub.addObject('svc', {});
  await until(() => obj.subscriberCount === 1);
  await obj.notify('two', {});
  assert.deepEqual(got, ['one', 'two']);
});

test('waitFor resolves when every path exists, and times out naming what is missing', async (t) => {
  const b = await broker(t);
  const a = await client(t, b.socketPath);
  const w = await client(t, b.socketPath);
  await a.addObject('early', {});
  let done = false;
  const p = w.waitFor(['early', 'late.one', 'late.two'], { timeoutMs: 3000 }).then(() => (done = true));
  await a.addObject('late.one', {});
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(done, false);
  await a.addObject('late.two', {});
  await p;
  assert.equal(done, true);
  await w.waitFor(['early']);
  await assert.rejects(w.waitFor(['never'], { timeoutMs: 50 }), (e: unknown) => (e as { code?: string }).code === 'ERR_UBUS_TIMEOUT');
  // closing the client ends a wait without a timeout instead of leaving it hanging
  const forever = w.waitFor(['never'], { timeoutMs: 0 });
  await new Promise((r) => setTimeout(r, 20));
  await w.close();
  await assert.rejects(forever, (e: unknown) => (e as { code?: string }).code === 'ERR_UBUS_CLOSED');
});

test('connect fails with ERR_UBUS_CONNECT when no broker listens', async (t) => {
  const dir = tempDir(t);
  const { connect } = await import('../src/client/index.js');
  await assert.rejects(connect({ socketPath: join(dir, 'none.sock') }), (e: unknown) => (e as { code?: string }).code === 'ERR_UBUS_CONNECT');
});
