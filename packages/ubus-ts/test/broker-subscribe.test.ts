/** SUBSCRIBE / UNSUBSCRIBE / NOTIFY and MONITOR, as ubusd_proto.c and ubusd_monitor.c. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A, Attr, MonitorAttr, MsgType, Status, attrsOf, dataOf } from '../src/wire/index.js';
import { peer, sig, withBroker } from './broker-peer.js';

test('first subscriber: owner gets NOTIFY {OBJID, ACTIVE 1}; NOTIFY fans out as INVOKE; last one leaving: ACTIVE 0', async (t) => {
  const { path } = await withBroker(t);
  const owner = await peer(t, path);
  const sub = await peer(t, path);
  const o = await owner.addObject('svc', sig({ m: {} }));
  const s = (await sub.addObject(undefined)).id;

  const r = await sub.request(MsgType.SUBSCRIBE, 0, [A.objid(s), A.target(o.id)]);
  assert.equal(attrsOf(r.status).status, Status.OK);
  const on = await owner.next((m) => m.type === MsgType.NOTIFY);
  assert.equal(on.peer, 0);
  assert.deepEqual(on.attrs.map((a) => a.id), [Attr.OBJID, Attr.ACTIVE]);
  assert.deepEqual([attrsOf(on).objid, attrsOf(on).active], [o.id, 1]);

  const seq = owner.send(MsgType.NOTIFY, 0, [A.objid(o.id), A.method('changed'), A.data({ v: 7 })]);
  const st = await owner.next((m) => m.type === MsgType.STATUS && m.seq === seq);
  assert.deepEqual(st.attrs.map((a) => a.id), [Attr.OBJID, Attr.SUBSCRIBERS, Attr.STATUS]);
  const subs = attrsOf(st).subscribers!;
  assert.equal(subs.length, 1);
  assert.equal(subs[0]!.id, 0);
  const inv = await sub.next((m) => m.type === MsgType.INVOKE);
  assert.equal(inv.peer, owner.id);
  assert.equal(inv.seq, seq);
  assert.deepEqual(inv.attrs.map((a) => a.id), [Attr.OBJID, Attr.METHOD, Attr.USER, Attr.GROUP, Attr.DATA]);
  assert.equal(attrsOf(inv).objid, s);
  assert.equal(attrsOf(inv).method, 'changed');
  assert.deepEqual(dataOf(inv), { v: 7 });
  // the subscriber's answer is routed back to the notifier
  sub.send(MsgType.STATUS, inv.peer, [A.status(0), A.objid(s)], inv.seq);
  const back = await owner.next((m) => m.type === MsgType.STATUS && m.seq === seq);
  assert.equal(back.peer, s);

  // no_reply: no STATUS to the notifier, NO_REPLY first in the forwarded INVOKE
  owner.send(MsgType.NOTIFY, 0, [A.objid(o.id), A.method('quiet'), A.noReply(true)]);
  const q = await sub.next((m) => m.type === MsgType.INVOKE);
  assert.deepEqual(q.attrs.map((a) => a.id), [Attr.NO_REPLY, Attr.OBJID, Attr.METHOD, Attr.USER, Attr.GROUP]);

  const un = await sub.request(MsgType.UNSUBSCRIBE, 0, [A.objid(s), A.target(o.id)]);
  assert.equal(attrsOf(un.status).status, Status.OK);
  const off = await owner.next((m) => m.type === MsgType.NOTIFY);
  assert.equal(attrsOf(off).active, 0);
  assert.equal(off.seq, on.seq + 1);
  const again = await sub.request(MsgType.UNSUBSCRIBE, 0, [A.objid(s), A.target(o.id)]);
  assert.equal(attrsOf(again.status).status, Status.NOT_FOUND);
});

test('subscribe errors, and removal of the target sends UNSUBSCRIBE {OBJID, TARGET} to subscribers', async (t) => {
  const { path } = await withBroker(t);
  const owner = await peer(t, path);
  const sub = await peer(t, path);
  const o = await owner.addObject('svc', sig({ m: {} }));
  const s = (await sub.addObject(undefined)).id;
  const st = async (attrs: Parameters<typeof sub.request>[2], p = sub): Promise<number> => attrsOf((await p.request(MsgType.SUBSCRIBE, 0, attrs)).status).status!;
  assert.equal(await st([A.objid(s)]), Status.INVALID_ARGUMENT);
  assert.equal(await st([A.objid(s), A.target(424242)]), Status.NOT_FOUND);
  assert.equal(await st([A.objid(o.id), A.target(o.id)]), Status.INVALID_ARGUMENT); // not the sender's object
  const own = (await owner.addObject(undefined)).id;
  assert.equal(await st([A.objid(own), A.target(o.id)], owner), Status.INVALID_ARGUMENT); // own target
  assert.equal(await st([A.objid(s), A.target(1)]), Status.NOT_FOUND); // internal object

  assert.equal(await st([A.objid(s), A.target(o.id)]), Status.OK);
  await owner.request(MsgType.REMOVE_OBJECT, 0, [A.objid(o.id)]);
  const un = await sub.next((m) => m.type === MsgType.UNSUBSCRIBE);
  assert.equal(un.peer, 0);
  assert.deepEqual(un.attrs.map((a) => a.id), [Attr.OBJID, Attr.TARGET]);
  assert.deepEqual([attrsOf(un).objid, attrsOf(un).target], [s, o.id]);
  const nf = await owner.request(MsgType.NOTIFY, 0, [A.objid(424242), A.method('x')]);
  assert.equal(attrsOf(nf.status).status, Status.NOT_FOUND);
  const notMine = await sub.request(MsgType.NOTIFY, 0, [A.objid(own), A.method('x')]);
  assert.equal(attrsOf(notMine.status).status, Status.PERMISSION_DENIED);
});

test('monitor (root): every message in and out, as MONITOR {CLIENT, PEER, SEQ, TYPE, SEND, DATA}', async (t) => {
  const { path, broker } = await withBroker(t);
  const mon = await peer(t, path);
  const p = await peer(t, path);
  const r = await mon.request(MsgType.INVOKE, 3, [A.objid(3), A.method('add')]);
  const expected = broker.credentials === 'broker' && process.getuid?.() !== 0 ? Status.PERMISSION_DENIED : Status.OK;
  assert.equal(attrsOf(r.status).status, expected);
  if (expected !== Status.OK) return;
  // the monitor sees its own STATUS for `add` first (ubusd registers it before replying)
  const own = await mon.next((m) => m.type === MsgType.MONITOR);
  const seq = p.send(MsgType.LOOKUP, 0, [A.objpath('nothing')]);
  const recv = await mon.next((m) => m.type === MsgType.MONITOR);
  const ids = recv.attrs.map((a) => a.id);
  assert.deepEqual(ids, [MonitorAttr.CLIENT, MonitorAttr.PEER, MonitorAttr.SEQ, MonitorAttr.TYPE, MonitorAttr.SEND, MonitorAttr.DATA]);
  const v = (m: typeof recv, id: number): unknown => m.attrs.find((a) => a.id === id)!.value;
  assert.equal(v(own, MonitorAttr.CLIENT), mon.id);
  assert.equal(v(own, MonitorAttr.TYPE), MsgType.STATUS);
  assert.equal(recv.seq, own.seq + 1);
  assert.equal(v(recv, MonitorAttr.CLIENT), p.id);
  assert.equal(v(recv, MonitorAttr.SEQ), seq);
  assert.equal(v(recv, MonitorAttr.TYPE), MsgType.LOOKUP);
  assert.equal(v(recv, MonitorAttr.SEND), 0);
  const sent = await mon.next((m) => m.type === MsgType.MONITOR);
  assert.equal(v(sent, MonitorAttr.TYPE), MsgType.STATUS);
  assert.equal(v(sent, MonitorAttr.SEND), 1);
  assert.equal(sent.seq, recv.seq + 1);
  const bad = await mon.request(MsgType.INVOKE, 3, [A.objid(3), A.method('other')]);
  assert.equal(attrsOf(bad.status).status, Status.METHOD_NOT_FOUND);
});
