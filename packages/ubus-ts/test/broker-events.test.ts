/** Events through object 1, as ubusd_event.c: register, send, delivery, object add/remove events. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A, Attr, MsgType, Status, attrsOf, dataOf } from '../src/wire/index.js';
import { peer, sig, withBroker, type TestPeer } from './broker-peer.js';

async function listener(p: TestPeer, ...patterns: string[]): Promise<number> {
  const { id } = await p.addObject(undefined);
  for (const pattern of patterns) {
    const r = await p.request(MsgType.INVOKE, 1, [A.objid(1), A.method('register'), A.data({ object: id | 0, pattern })]);
    assert.equal(attrsOf(r.status).status, Status.OK);
    assert.equal(r.status.peer, 1);
  }
  return id;
}

async function send(p: TestPeer, id: string, data: Record<string, unknown>): Promise<number> {
  const r = await p.request(MsgType.INVOKE, 1, [A.objid(1), A.method('send'), A.data({ id, data: data as never })]);
  assert.deepEqual(r.status.attrs.map((a) => a.id), [Attr.STATUS]);
  return attrsOf(r.status).status!;
}

test('send delivers INVOKE(peer 0, OBJID = listener object, METHOD = event id, DATA = data) with a growing seq', async (t) => {
  const { path } = await withBroker(t);
  const l = await peer(t, path);
  const s = await peer(t, path);
  const obj = await listener(l, 'foo');
  assert.equal(await send(s, 'foo', { a: 1 }), Status.OK);
  const ev = await l.next((m) => m.type === MsgType.INVOKE);
  assert.equal(ev.peer, 0);
  assert.deepEqual(ev.attrs.map((a) => a.id), [Attr.OBJID, Attr.METHOD, Attr.DATA]);
  assert.equal(attrsOf(ev).objid, obj);
  assert.equal(attrsOf(ev).method, 'foo');
  assert.deepEqual(dataOf(ev), { a: 1 });
  await send(s, 'foo', { a: 2 });
  const ev2 = await l.next((m) => m.type === MsgType.INVOKE);
  assert.equal(ev2.seq, ev.seq + 1);
  // the listener's STATUS answer (peer 0) goes nowhere and breaks nothing
  l.send(MsgType.STATUS, 0, [A.status(0), A.objid(obj)], ev2.seq);
  assert.equal(await send(s, 'foo', { a: 3 }), Status.OK);
});

test('patterns: exact, prefix with *, no loop back to the sender, one delivery per object even when several patterns match', async (t) => {
  const { path } = await withBroker(t);
  const l = await peer(t, path);
  const s = await peer(t, path);
  const exact = await listener(l, 'net.iface');
  const prefix = await listener(l, 'net.*', 'net.iface*');
  await listener(s, '*'); // the sender's own listener never sees its own events
  await send(s, 'net.iface', {});
  const got = [await l.next((m) => m.type === MsgType.INVOKE), await l.next((m) => m.type === MsgType.INVOKE)];
  assert.deepEqual(got.map((m) => attrsOf(m).objid).sort(), [exact, prefix].sort());
  await send(s, 'net.other', {});
  const other = await l.next((m) => m.type === MsgType.INVOKE);
  assert.equal(attrsOf(other).objid, prefix);
  await send(s, 'netx', {});
  await send(s, 'net.iface', {}); // marker: two deliveries expected, nothing for "netx" before them
  const next = await l.next((m) => m.type === MsgType.INVOKE);
  assert.equal(attrsOf(next).method, 'net.iface');
  assert.equal(s.inbox.filter((m) => m.type === MsgType.INVOKE).length, 0);
});

test('register and send errors as ubusd returns them', async (t) => {
  const { path } = await withBroker(t);
  const a = await peer(t, path);
  const b = await peer(t, path);
  const mine = (await a.addObject(undefined)).id;
  const reg = async (p: TestPeer, data: Record<string, unknown> | undefined): Promise<number> => {
    const attrs = [A.objid(1), A.method('register')];
    if (data) attrs.push(A.data(data as never));
    return attrsOf((await p.request(MsgType.INVOKE, 1, attrs)).status).status!;
  };
  assert.equal(await reg(a, undefined), Status.INVALID_ARGUMENT);
  assert.equal(await reg(a, { object: mine | 0 }), Status.INVALID_ARGUMENT);
  assert.equal(await reg(a, { object: String(mine), pattern: 'x' }), Status.INVALID_ARGUMENT); // object must be INT32
  assert.equal(await reg(a, { object: 3, pattern: 'x' }), Status.PERMISSION_DENIED);
  assert.equal(await reg(a, { object: 999999, pattern: 'x' }), Status.NOT_FOUND);
  assert.equal(await reg(b, { object: mine | 0, pattern: 'x' }), Status.PERMISSION_DENIED);
  assert.equal(await reg(a, { object: mine | 0, pattern: '' }), Status.PERMISSION_DENIED);
  assert.equal(await send(a, 'ubus.object.add', {}), Status.PERMISSION_DENIED);
  const noData = await a.request(MsgType.INVOKE, 1, [A.objid(1), A.method('send'), A.data({ id: 'x' })]);
  assert.equal(attrsOf(noData.status).status, Status.INVALID_ARGUMENT);
  const other = await a.request(MsgType.INVOKE, 1, [A.objid(1), A.method('nosuch')]);
  assert.equal(attrsOf(other.status).status, Status.INVALID_COMMAND);
});

test('ubus.object.add / ubus.object.remove carry {id, path} for objects with a path', async (t) => {
  const { path } = await withBroker(t);
  const l = await peer(t, path);
  const srv = await peer(t, path);
  await listener(l, 'ubus.object.*');
  const o = await srv.addObject('svc.x', sig({ m: {} }));
  const add = await l.next((m) => m.type === MsgType.INVOKE);
  assert.equal(attrsOf(add).method, 'ubus.object.add');
  assert.deepEqual(dataOf(add), { id: o.id | 0, path: 'svc.x' });
  await srv.addObject(undefined); // anonymous: no event
  srv.close();
  const rm = await l.next((m) => m.type === MsgType.INVOKE);
  assert.equal(attrsOf(rm).method, 'ubus.object.remove');
  assert.deepEqual(dataOf(rm), { id: o.id | 0, path: 'svc.x' });
});

test('a listener object removed stops deliveries to it', async (t) => {
  const { path } = await withBroker(t);
  const l = await peer(t, path);
  const s = await peer(t, path);
  const gone = await listener(l, 'e');
  const kept = await listener(l, 'e');
  await l.request(MsgType.REMOVE_OBJECT, 0, [A.objid(gone)]);
  await send(s, 'e', {});
  const ev = await l.next((m) => m.type === MsgType.INVOKE);
  assert.equal(attrsOf(ev).objid, kept);
  await send(s, 'e', {});
  const ev2 = await l.next((m) => m.type === MsgType.INVOKE);
  assert.equal(attrsOf(ev2).objid, kept);
});
