/**
 * ubusd-ts against raw frames: each exchange is asserted field by field in the shape the real
 * ubusd gives (shared/fixtures/ubus-wire/*.txt). Ids are random, so they are compared by role.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { A, Attr, BlobmsgType, MsgType, Status, attrsOf, dataOf, tableToJs } from '../src/wire/index.js';
import { peer, sig, withBroker } from './broker-peer.js';

const ids = (m: { attrs: { id: number }[] }): number[] => m.attrs.map((a) => a.id);

test('HELLO on accept carries a random client id >= 1024 and an empty body', async (t) => {
  const { path } = await withBroker(t);
  const a = await peer(t, path);
  const b = await peer(t, path);
  assert.ok(a.id >= 1024 && b.id >= 1024);
  assert.notEqual(a.id, b.id);
});

test('socket is created fresh (stale file removed) with a documented mode', async (t) => {
  const { path, broker } = await withBroker(t);
  const mode = statSync(path).mode & 0o777;
  assert.equal(mode, broker.socketMode);
  assert.ok(statSync(path).isSocket());
  assert.equal(broker.socketMode, broker.credentials === 'broker' ? 0o600 : 0o666);
});

test('ADD_OBJECT with signature: DATA {OBJID, OBJTYPE} then STATUS 0, same seq; anonymous object: OBJID only', async (t) => {
  const { path } = await withBroker(t);
  const p = await peer(t, path);
  const r = await p.request(MsgType.ADD_OBJECT, 0, [A.objpath('test'), sig({ hello: { id: BlobmsgType.INT32, msg: BlobmsgType.STRING } })]);
  assert.equal(r.replies.length, 1);
  assert.deepEqual(ids(r.replies[0]!), [Attr.OBJID, Attr.OBJTYPE]);
  assert.equal(r.replies[0]!.peer, 0);
  assert.deepEqual(ids(r.status), [Attr.STATUS]);
  assert.equal(attrsOf(r.status).status, Status.OK);
  const anon = await p.request(MsgType.ADD_OBJECT, 0, []);
  assert.deepEqual(ids(anon.replies[0]!), [Attr.OBJID]);
  assert.notEqual(attrsOf(anon.replies[0]!).objid, attrsOf(r.replies[0]!).objid);
  // same path twice is refused
  const dup = await p.request(MsgType.ADD_OBJECT, 0, [A.objpath('test'), sig({ x: {} })]);
  assert.equal(dup.replies.length, 0);
  assert.equal(attrsOf(dup.status).status, Status.INVALID_ARGUMENT);
});

test('ADD_OBJECT with OBJTYPE reuses the type; REMOVE_OBJECT reports the type only when its last user goes', async (t) => {
  const { path } = await withBroker(t);
  const p = await peer(t, path);
  const first = await p.addObject('a', sig({ m: {} }));
  const second = await p.request(MsgType.ADD_OBJECT, 0, [A.objpath('b'), A.objtype(first.type!)]);
  assert.deepEqual(ids(second.replies[0]!), [Attr.OBJID]);
  const secondId = attrsOf(second.replies[0]!).objid!;
  const look = await p.request(MsgType.LOOKUP, 0, [A.objpath('b')]);
  assert.equal(attrsOf(look.replies[0]!).objtype, first.type);
  const rm1 = await p.request(MsgType.REMOVE_OBJECT, 0, [A.objid(first.id)]);
  assert.deepEqual(ids(rm1.replies[0]!), [Attr.OBJID]);
  const rm2 = await p.request(MsgType.REMOVE_OBJECT, 0, [A.objid(secondId)]);
  assert.deepEqual(ids(rm2.replies[0]!), [Attr.OBJID, Attr.OBJTYPE]);
  assert.equal(attrsOf(rm2.replies[0]!).objtype, first.type);
  const gone = await p.request(MsgType.REMOVE_OBJECT, 0, [A.objid(secondId)]);
  assert.equal(attrsOf(gone.status).status, Status.NOT_FOUND);
  const noId = await p.request(MsgType.REMOVE_OBJECT, 0, []);
  assert.equal(attrsOf(noId.status).status, Status.INVALID_ARGUMENT);
});

test('REMOVE_OBJECT of another client\'s object is PERMISSION_DENIED', async (t) => {
  const { path } = await withBroker(t);
  const owner = await peer(t, path);
  const other = await peer(t, path);
  const o = await owner.addObject('mine', sig({ m: {} }));
  const r = await other.request(MsgType.REMOVE_OBJECT, 0, [A.objid(o.id)]);
  assert.equal(attrsOf(r.status).status, Status.PERMISSION_DENIED);
});

test('LOOKUP by path, wildcard and all: one DATA per object (OBJPATH, OBJID, OBJTYPE, SIGNATURE) in path order, then STATUS', async (t) => {
  const { path } = await withBroker(t);
  const srv = await peer(t, path);
  const cli = await peer(t, path);
  const objs: Record<string, number> = {};
  for (const p of ['network.interface.wan', 'network.interface', 'network.device', 'system']) {
    objs[p] = (await srv.addObject(p, sig({ status: {}, up: { x: BlobmsgType.INT32 } }))).id;
  }
  await srv.addObject(undefined); // anonymous objects are never listed
  await srv.addObject('typeless'); // a path without a type is not listed either (ubusd_send_obj)

  const one = await cli.request(MsgType.LOOKUP, 0, [A.objpath('system')]);
  assert.equal(one.replies.length, 1);
  assert.deepEqual(ids(one.replies[0]!), [Attr.OBJPATH, Attr.OBJID, Attr.OBJTYPE, Attr.SIGNATURE]);
  const a = attrsOf(one.replies[0]!);
  assert.equal(a.objpath, 'system');
  assert.equal(a.objid, objs.system);
  assert.deepEqual(tableToJs(a.signature!), { status: {}, up: { x: BlobmsgType.INT32 } });
  assert.equal(attrsOf(one.status).status, 0);

  const wild = await cli.request(MsgType.LOOKUP, 0, [A.objpath('network.*')]);
  assert.deepEqual(wild.replies.map((m) => attrsOf(m).objpath), ['network.device', 'network.interface', 'network.interface.wan']);
  const all = await cli.request(MsgType.LOOKUP, 0, []);
  assert.deepEqual(all.replies.map((m) => attrsOf(m).objpath), ['network.device', 'network.interface', 'network.interface.wan', 'system']);

  const missing = await cli.request(MsgType.LOOKUP, 0, [A.objpath('nosuch')]);
  assert.equal(attrsOf(missing.status).status, Status.NOT_FOUND);
  const missingWild = await cli.request(MsgType.LOOKUP, 0, [A.objpath('zzz*')]);
  assert.equal(attrsOf(missingWild.status).status, Status.NOT_FOUND);
  const empty = await cli.request(MsgType.LOOKUP, 0, [A.objpath('')]);
  assert.equal(attrsOf(empty.status).status, Status.INVALID_ARGUMENT);
});

test('INVOKE is forwarded with peer = caller id and USER/GROUP inserted before DATA; DATA and STATUS come back with peer = OBJID and the caller seq', async (t) => {
  const { path } = await withBroker(t);
  const srv = await peer(t, path);
  const cli = await peer(t, path);
  const o = await srv.addObject('test', sig({ count: { to: BlobmsgType.INT32, string: BlobmsgType.STRING } }));
  const seq = cli.send(MsgType.INVOKE, o.id, [A.objid(o.id), A.method('count'), A.data({ to: 3, string: '1 2 3' })]);
  const inv = await srv.next((m) => m.type === MsgType.INVOKE);
  assert.equal(inv.seq, seq);
  assert.equal(inv.peer, cli.id);
  assert.deepEqual(ids(inv), [Attr.OBJID, Attr.METHOD, Attr.USER, Attr.GROUP, Attr.DATA]);
  const ia = attrsOf(inv);
  assert.equal(ia.objid, o.id);
  assert.equal(ia.method, 'count');
  assert.equal(typeof ia.user, 'string');
  assert.ok(ia.user!.length > 0);
  assert.deepEqual(dataOf(inv), { to: 3, string: '1 2 3' });

  srv.send(MsgType.DATA, cli.id, [A.objid(o.id), A.data({ rc: 1 })], seq);
  srv.send(MsgType.STATUS, cli.id, [A.status(0), A.objid(o.id)], seq);
  const data = await cli.next((m) => m.type === MsgType.DATA);
  assert.equal(data.seq, seq);
  assert.equal(data.peer, o.id);
  assert.deepEqual(ids(data), [Attr.OBJID, Attr.DATA]);
  assert.deepEqual(dataOf(data), { rc: 1 });
  const st = await cli.next((m) => m.type === MsgType.STATUS);
  assert.equal(st.seq, seq);
  assert.equal(st.peer, o.id);
  assert.deepEqual(ids(st), [Attr.STATUS, Attr.OBJID]);
});

test('INVOKE errors: unknown object NOT_FOUND, missing attrs INVALID_ARGUMENT; METHOD_NOT_FOUND is the owner\'s answer, routed unchanged', async (t) => {
  const { path } = await withBroker(t);
  const srv = await peer(t, path);
  const cli = await peer(t, path);
  const nf = await cli.request(MsgType.INVOKE, 12345, [A.objid(12345), A.method('x')]);
  assert.deepEqual(ids(nf.status), [Attr.STATUS]);
  assert.equal(attrsOf(nf.status).status, Status.NOT_FOUND);
  assert.equal(nf.status.peer, 12345);
  const bad = await cli.request(MsgType.INVOKE, 0, [A.method('x')]);
  assert.equal(attrsOf(bad.status).status, Status.INVALID_ARGUMENT);

  const o = await srv.addObject('test', sig({ m: {} }));
  const seq = cli.send(MsgType.INVOKE, o.id, [A.objid(o.id), A.method('nosuch'), A.data({})]);
  const inv = await srv.next((m) => m.type === MsgType.INVOKE);
  srv.send(MsgType.STATUS, inv.peer, [A.status(Status.METHOD_NOT_FOUND), A.objid(o.id)], inv.seq);
  const st = await cli.next((m) => m.seq === seq && m.type === MsgType.STATUS);
  assert.equal(attrsOf(st).status, Status.METHOD_NOT_FOUND);
});

test('a reply for an object the sender does not own is dropped', async (t) => {
  const { path } = await withBroker(t);
  const srv = await peer(t, path);
  const evil = await peer(t, path);
  const cli = await peer(t, path);
  const o = await srv.addObject('test', sig({ m: {} }));
  const seq = cli.send(MsgType.INVOKE, o.id, [A.objid(o.id), A.method('m')]);
  await srv.next((m) => m.type === MsgType.INVOKE);
  evil.send(MsgType.STATUS, cli.id, [A.status(Status.UNKNOWN_ERROR), A.objid(o.id)], seq);
  srv.send(MsgType.STATUS, cli.id, [A.status(0), A.objid(o.id)], seq);
  const st = await cli.next((m) => m.seq === seq && m.type === MsgType.STATUS);
  assert.equal(attrsOf(st).status, 0);
});

test('PING is answered with the same message as DATA, then STATUS 0; unknown commands get INVALID_COMMAND', async (t) => {
  const { path } = await withBroker(t);
  const p = await peer(t, path);
  const ping = await p.request(MsgType.PING, 77, [A.objid(5)]);
  assert.equal(ping.replies.length, 1);
  const pong = ping.replies[0]!;
  assert.equal(pong.type, MsgType.DATA);
  assert.equal(pong.peer, 77);
  assert.deepEqual(attrsOf(pong).objid, 5);
  assert.equal(attrsOf(ping.status).status, Status.OK);
  assert.equal(ping.status.peer, 77);
  const r = await p.request(MsgType.HELLO, 0, []);
  assert.equal(attrsOf(r.status).status, Status.INVALID_COMMAND);
});

test('a client disconnect removes its objects; a call in flight fails with NO_DATA at once', async (t) => {
  const { path, broker } = await withBroker(t);
  const srv = await peer(t, path);
  const cli = await peer(t, path);
  const o = await srv.addObject('vanishing', sig({ m: {} }));
  const seq = cli.send(MsgType.INVOKE, o.id, [A.objid(o.id), A.method('m')]);
  await srv.next((m) => m.type === MsgType.INVOKE);
  assert.equal(broker.stats().pendingCalls, 1);
  srv.close();
  const st = await cli.next((m) => m.seq === seq && m.type === MsgType.STATUS);
  assert.equal(st.peer, o.id);
  assert.equal(attrsOf(st).status, Status.NO_DATA);
  const look = await cli.request(MsgType.LOOKUP, 0, [A.objpath('vanishing')]);
  assert.equal(attrsOf(look.status).status, Status.NOT_FOUND);
  assert.equal(broker.stats().pendingCalls, 0);
});
