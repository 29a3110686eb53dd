/** Hostile and slow peers: each one can only hurt itself, and broker memory stays bounded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { A, MsgType, Status, attrsOf, encodeMessage } from '../src/wire/index.js';
import { CLIENT_MAX_TXQ_LEN } from '../src/broker/index.js';
import { peer, sig, withBroker, type TestPeer } from './broker-peer.js';

function closed(p: TestPeer): Promise<void> {
  return new Promise((res) => (p.closed ? res() : p.socket.once('close', () => res())));
}

async function stillServes(p: TestPeer, srv: TestPeer, objid: number): Promise<void> {
  const seq = p.send(MsgType.INVOKE, objid, [A.objid(objid), A.method('m')]);
  const inv = await srv.next((m) => m.type === MsgType.INVOKE);
  srv.send(MsgType.STATUS, inv.peer, [A.status(0), A.objid(objid)], inv.seq);
  const st = await p.next((m) => m.type === MsgType.STATUS && m.seq === seq);
  assert.equal(attrsOf(st).status, 0);
}

test('garbage (bad version, oversize length, broken attr chain) drops only that client', async (t) => {
  const { path, broker } = await withBroker(t);
  const srv = await peer(t, path);
  const good = await peer(t, path);
  const o = await srv.addObject('svc', sig({ m: {} }));
  const bad = [
    Uint8Array.from([1, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4]), // version 1
    Uint8Array.from([0, 5, 0, 1, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff]), // 8 MiB announced: refused before allocating
    Uint8Array.from([0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 12, 3, 0, 0, 64, 0, 0, 0, 0]), // attr runs past its container
  ];
  for (const bytes of bad) {
    const evil = await peer(t, path);
    const gone = (await evil.addObject('evil.obj', sig({ m: {} }))).id;
    evil.socket.write(bytes);
    await closed(evil);
    const look = await good.request(MsgType.LOOKUP, 0, [A.objpath('evil.obj')]);
    assert.equal(attrsOf(look.status).status, Status.NOT_FOUND, `objects of a dropped client are removed (${gone})`);
  }
  await stillServes(good, srv, o.id);
  assert.equal(broker.stats().clients, 2);
});

test('a frame delivered one byte at a time is handled like a whole one', async (t) => {
  const { path } = await withBroker(t);
  const p = await peer(t, path);
  const bytes = encodeMessage({ type: MsgType.ADD_OBJECT, seq: 9, peer: 0, attrs: [A.objpath('slow.obj'), sig({ m: {} })] });
  for (const b of bytes) {
    p.socket.write(Uint8Array.of(b));
    await new Promise((r) => setImmediate(r));
  }
  const st = await p.next((m) => m.type === MsgType.STATUS && m.seq === 9);
  assert.equal(attrsOf(st).status, Status.OK);
});

test('a listener that stops reading gets messages dropped at UBUS_CLIENT_MAX_TXQ_LEN; others get everything', async (t) => {
  const { path, broker } = await withBroker(t);
  const slow = await peer(t, path);
  const fast = await peer(t, path);
  const sender = await peer(t, path);
  for (const l of [slow, fast]) {
    const { id } = await l.addObject(undefined);
    await l.request(MsgType.INVOKE, 1, [A.objid(1), A.method('register'), A.data({ object: id | 0, pattern: 'flood' })]);
  }
  slow.socket.pause();
  const blob = 'x'.repeat(16 * 1024);
  const N = 200; // 3.2 MiB of events: far beyond socket buffers plus the 1 MiB queue
  let fastGot = 0;
  fast.socket.on('data', () => {
    fastGot += fast.inbox.filter((m) => m.type === MsgType.INVOKE).length;
    fast.inbox.length = 0;
  });
  for (let i = 0; i < N; i++) sender.send(MsgType.INVOKE, 1, [A.objid(1), A.method('send'), A.data({ id: 'flood', data: { i, blob } })]);
  const lastSeq = N;
  await sender.next((m) => m.type === MsgType.STATUS && m.seq === lastSeq, 10000);
  const s = broker.stats();
  assert.ok(s.dropped > 0, 'some events to the stalled listener were dropped');
  assert.ok(s.maxClientQueue <= CLIENT_MAX_TXQ_LEN + 64 * 1024, `queue ${s.maxClientQueue} stays bounded`);
  const deadline = Date.now() + 5000;
  while (fastGot < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(fastGot, N);
  // the stalled client is still connected and, once it reads again, still served
  slow.socket.resume();
  const r = await slow.request(MsgType.LOOKUP, 0, [A.objpath('none')]);
  assert.equal(attrsOf(r.status).status, Status.NOT_FOUND);
});

test('LOOKUP of everything to a client that does not read pauses and resumes; nothing is lost', async (t) => {
  const { path } = await withBroker(t);
  const srv = await peer(t, path);
  const methods: Record<string, Record<string, number>> = {};
  for (let i = 0; i < 40; i++) methods[`method_${i}_${'y'.repeat(40)}`] = { a: 3, b: 5 };
  const N = 400; // ~ 1.3 MiB of replies
  const first = await srv.addObject('obj.0000', sig(methods));
  for (let i = 1; i < N; i++) srv.send(MsgType.ADD_OBJECT, 0, [A.objpath(`obj.${String(i).padStart(4, '0')}`), A.objtype(first.type!)]);
  await srv.next((m) => m.type === MsgType.STATUS && m.seq === N, 10000);
  const raw = connect(path);
  t.after(() => raw.destroy());
  await new Promise((r) => raw.once('connect', r));
  raw.pause();
  // raw peer: HELLO is waiting unread; ask twice without reading anything
  raw.write(encodeMessage({ type: MsgType.LOOKUP, seq: 1, peer: 0, attrs: [] }));
  raw.write(encodeMessage({ type: MsgType.LOOKUP, seq: 2, peer: 0, attrs: [A.objpath('obj.0001')] }));
  await new Promise((r) => setTimeout(r, 200));
  const { FrameDecoder } = await import('../src/wire/index.js');
  const dec = new FrameDecoder();
  const got: { type: number; seq: number; path?: string; status?: number }[] = [];
  await new Promise<void>((resolve) => {
    raw.on('data', (c) => {
      for (const m of dec.push(c)) {
        const a = attrsOf(m);
        got.push({ type: m.type, seq: m.seq, path: a.objpath, status: a.status });
        if (m.type === MsgType.STATUS && m.seq === 2) resolve();
      }
    });
    raw.resume();
  });
  const first1 = got.filter((g) => g.seq === 1 && g.type === MsgType.DATA);
  assert.equal(first1.length, N);
  assert.deepEqual(first1.map((g) => g.path), [...first1.map((g) => g.path)].sort());
  const order = got.filter((g) => g.type !== MsgType.HELLO).map((g) => `${g.type}:${g.seq}`);
  assert.equal(order.indexOf(`${MsgType.STATUS}:1`), N, 'STATUS of the first lookup follows its last DATA');
  assert.deepEqual(order.slice(N + 1), [`${MsgType.DATA}:2`, `${MsgType.STATUS}:2`]);
});

test('a call flood to an owner that does not read keeps broker memory bounded; the flooder is still answered', async (t) => {
  const { path, broker } = await withBroker(t);
  const srv = await peer(t, path);
  const flooder = await peer(t, path);
  const o = await srv.addObject('victim', sig({ m: {} }));
  srv.socket.pause();
  const payload = { blob: 'z'.repeat(32 * 1024) };
  for (let i = 0; i < 150; i++) flooder.send(MsgType.INVOKE, o.id, [A.objid(o.id), A.method('m'), A.data(payload)]);
  const r = await flooder.request(MsgType.LOOKUP, 0, [A.objpath('victim')]);
  assert.equal(attrsOf(r.status).status, Status.OK);
  const s = broker.stats();
  assert.ok(s.maxClientQueue <= CLIENT_MAX_TXQ_LEN + 64 * 1024, `queue ${s.maxClientQueue}`);
  assert.ok(s.dropped > 0);
  srv.close();
  // every call routed to the vanished owner is answered (NO_DATA), none hangs
  const deadline = Date.now() + 5000;
  while (broker.stats().pendingCalls > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
  assert.equal(broker.stats().pendingCalls, 0);
});
