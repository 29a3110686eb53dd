/**
 * The client's connection layer against a scripted broker (in-memory link, fake clock): reply
 * matching by seq and peer, timeouts, garbage, disconnects and reconnect backoff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A, attrsOf, decodeMessage, encodeMessage, MsgType, tableToJs, type UbusMessage } from '../src/wire/index.js';
import { Status } from '../src/wire/constants.js';
import { UbusDisconnectedError, UbusProtocolError, UbusStatusError, UbusTimeoutError } from '../src/errors.js';
import { connect } from '../src/client/index.js';
import type { ClientEvent, UbusClient } from '../src/client/types.js';
import { FakeClock, MemoryLink, memoryTransport } from './client-harness.js';

const CLIENT_ID = 0x1234abcd;
const hello = (): Uint8Array => encodeMessage({ type: MsgType.HELLO, seq: 0, peer: CLIENT_ID, attrs: [] });
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A client on a scripted link; `sent` collects what it wrote, decoded. */
async function scripted(t: { after(fn: () => unknown): void }, clock = new FakeClock()) {
  const link = new MemoryLink();
  const sent: UbusMessage[] = [];
  link.onWrite = (b) => sent.push(decodeMessage(b));
  const transport = memoryTransport([link]);
  const p = connect({ transport, clock, reconnect: false, timeoutMs: 1000 });
  await flush();
  link.push(hello());
  const c = await p;
  t.after(() => c.close());
  return { c, link, sent, clock };
}

test('HELLO gives the client id; requests are numbered and matched by seq and peer', async (t) => {
  const { c, link, sent } = await scripted(t);
  assert.equal(c.clientId, CLIENT_ID);
  const r1 = c.invoke(0x100, 'a', { n: 1 });
  const r2 = c.invoke(0x200, 'b');
  await flush();
  assert.equal(sent.length, 2);
  const [m1, m2] = sent as [UbusMessage, UbusMessage];
  assert.equal(m1.type, MsgType.INVOKE);
  assert.notEqual(m1.seq, m2.seq);
  assert.equal(m1.peer, 0x100);
  assert.deepEqual(attrsOf(m1).method, 'a');
  assert.deepEqual(tableToJs(attrsOf(m1).data!), { n: 1 });
  const data = (m: UbusMessage, peer: number, v: number): Uint8Array =>
    encodeMessage({ type: MsgType.DATA, seq: m.seq, peer, attrs: [A.objid(peer), A.data({ v })] });
  const status = (m: UbusMessage, peer: number, s: number): Uint8Array =>
    encodeMessage({ type: MsgType.STATUS, seq: m.seq, peer, attrs: [A.status(s), A.objid(peer)] });
  // a reply with the right seq but another peer is not ours
  link.push(data(m2, 0x999, 7));
  link.push(status(m2, 0x999, Status.NOT_FOUND));
  link.push(data(m2, 0x200, 2));
  link.push(status(m2, 0x200, 0));
  assert.deepEqual(await r2, [{ v: 2 }]);
  link.push(data(m1, 0x100, 1));
  link.push(status(m1, 0x100, Status.PERMISSION_DENIED));
  await assert.rejects(r1, (e: unknown) => e instanceof UbusStatusError && e.status === Status.PERMISSION_DENIED);
  // a STATUS without a status attribute counts as INVALID_ARGUMENT, as in libubus
  const r3 = c.invoke(0x300, 'c');
  await flush();
  link.push(encodeMessage({ type: MsgType.STATUS, seq: sent[2]!.seq, peer: 0x300, attrs: [A.objid(0x300)] }));
  await assert.rejects(r3, (e: unknown) => e instanceof UbusStatusError && e.status === Status.INVALID_ARGUMENT);
});

test('a request without its STATUS times out on the injected clock; a late reply is ignored', async (t) => {
  const { c, link, sent, clock } = await scripted(t);
  const box: { outcome: unknown } = { outcome: 'pending' };
  const p = c.invoke(0x100, 'slow', {}, { timeoutMs: 1000 }).then(
    (v) => (box.outcome = v),
    (e) => (box.outcome = e),
  );
  await flush();
  clock.advance(999);
  await flush();
  assert.equal(box.outcome, 'pending');
  clock.advance(1);
  await p;
  const outcome: unknown = box.outcome;
  assert.ok(outcome instanceof UbusTimeoutError);
  assert.equal(outcome.code, 'ERR_UBUS_TIMEOUT');
  link.push(encodeMessage({ type: MsgType.STATUS, seq: sent[0]!.seq, peer: 0x100, attrs: [A.status(0), A.objid(0x100)] }));
  assert.equal(c.connected, true);
});

test('garbage from the broker drops the connection; the in-flight call rejects at once', async (t) => {
  const { c, link } = await scripted(t);
  const events: ClientEvent[] = [];
  c.onEvent((e) => events.push(e));
  const p = c.invoke(0x100, 'x');
  await flush();
  link.push(Uint8Array.from([9, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4]));
  await assert.rejects(p, (e: unknown) => e instanceof UbusDisconnectedError && e.code === 'ERR_UBUS_DISCONNECTED' && e.cause instanceof UbusProtocolError);
  assert.equal(link.closed, true);
  assert.equal(c.connected, false);
  assert.equal(events[0]?.kind, 'disconnected');
  assert.equal(((events[0] as { error?: UbusProtocolError }).error)?.code, 'ERR_UBUS_BAD_VERSION');
  await assert.rejects(c.invoke(0x100, 'x'), (e: unknown) => e instanceof UbusDisconnectedError);
});

test('incoming INVOKEs are answered as libubus does: unknown object, missing data, unknown method', async (t) => {
  const { c, link, sent } = await scripted(t);
  const pAdd = c.addObject('o', { m: { handler: () => ({ ok: 1 }) } });
  await flush();
  const add = sent[0]!;
  assert.equal(add.type, MsgType.ADD_OBJECT);
  assert.equal(attrsOf(add).objpath, 'o');
  link.push(encodeMessage({ type: MsgType.DATA, seq: add.seq, peer: 0, attrs: [A.objid(0x77), A.objtype(0x88)] }));
  link.push(encodeMessage({ type: MsgType.STATUS, seq: add.seq, peer: 0, attrs: [A.status(0)] }));
  const obj = await pAdd;
  assert.equal(obj.id, 0x77);
  const invoke = (seq: number, attrs: ReturnType<typeof A.objid>[]): void =>
    link.push(encodeMessage({ type: MsgType.INVOKE, seq, peer: 0x5555, attrs }));
  const replies = (seq: number) => sent.filter((m) => m.seq === seq && m.peer === 0x5555).map((m) => [m.type, attrsOf(m)]);
  invoke(11, [A.objid(0x99), A.method('m'), A.data({})]);
  assert.deepEqual(replies(11), [[MsgType.STATUS, { status: Status.NOT_FOUND, objid: 0 }]]);
  invoke(12, [A.objid(0x77), A.method('m')]);
  assert.deepEqual(replies(12), [[MsgType.STATUS, { status: Status.INVALID_ARGUMENT, objid: 0x77 }]]);
  invoke(13, [A.objid(0x77), A.method('nope'), A.data({})]);
  assert.deepEqual(replies(13), [[MsgType.STATUS, { status: Status.METHOD_NOT_FOUND, objid: 0x77 }]]);
  invoke(14, [A.objid(0x77), A.method('m'), A.data({})]);
  const ok = replies(14);
  assert.equal(ok.length, 2);
  assert.equal(ok[0]![0], MsgType.DATA);
  assert.deepEqual(tableToJs((ok[0]![1] as { data: never }).data), { ok: 1 });
  assert.deepEqual(ok[1], [MsgType.STATUS, { status: 0, objid: 0x77 }]);
  // NO_REPLY: the handler runs, nothing is sent back
  const before = sent.length;
  invoke(15, [A.objid(0x77), A.method('m'), A.data({}), A.noReply(true)]);
  assert.equal(sent.length, before);
});

test('reconnect backoff doubles from the initial delay up to the maximum, on the injected clock', async (t) => {
  const clock = new FakeClock();
  const link = new MemoryLink();
  const transport = memoryTransport([link]);
  const p = connect({ transport, clock, reconnectDelayMs: { initial: 100, max: 1000 } });
  await flush();
  link.push(hello());
  const c: UbusClient = await p;
  t.after(() => c.close());
  const kinds: string[] = [];
  c.onEvent((e) => kinds.push(e.kind));
  const mark = clock.requested.length;
  link.end();
  for (let i = 0; i < 6; i++) {
    await flush();
    clock.advance(10_000);
  }
  await flush();
  assert.deepEqual(clock.requested.slice(mark), [100, 200, 400, 800, 1000, 1000, 1000]);
  assert.equal(transport.opened, 7);
  assert.deepEqual(kinds, ['disconnected']);
  await c.close();
  assert.equal(clock.pending, 0);
});

test('after a reconnect the client registers its objects again and says so', async (t) => {
  const clock = new FakeClock();
  const l1 = new MemoryLink();
  const l2 = new MemoryLink();
  const sent2: UbusMessage[] = [];
  l2.onWrite = (b) => {
    const m = decodeMessage(b);
    sent2.push(m);
    // play ubusd: ADD_OBJECT → id 0x42, everything else OK
    if (m.type === MsgType.ADD_OBJECT) l2.push(encodeMessage({ type: MsgType.DATA, seq: m.seq, peer: 0, attrs: [A.objid(0x42), A.objtype(1)] }));
    queueMicrotask(() => l2.push(encodeMessage({ type: MsgType.STATUS, seq: m.seq, peer: m.peer, attrs: [A.status(0)] })));
  };
  l1.onWrite = (b) => {
    const m = decodeMessage(b);
    if (m.type === MsgType.ADD_OBJECT) l1.push(encodeMessage({ type: MsgType.DATA, seq: m.seq, peer: 0, attrs: [A.objid(0x41), A.objtype(1)] }));
    queueMicrotask(() => l1.push(encodeMessage({ type: MsgType.STATUS, seq: m.seq, peer: m.peer, attrs: [A.status(0)] })));
  };
  const p = connect({ transport: memoryTransport([l1, l2]), clock, reconnectDelayMs: { initial: 50 } });
  await flush();
  l1.push(hello());
  const c = await p;
  t.after(() => c.close());
  const obj = await c.addObject('svc', { m: { handler: () => undefined } });
  await c.listen('ev.*', () => undefined);
  assert.equal(obj.id, 0x41);
  const events: ClientEvent[] = [];
  c.onEvent((e) => events.push(e));
  l1.end();
  assert.equal(obj.id, 0);
  clock.advance(50);
  await flush();
  l2.push(encodeMessage({ type: MsgType.HELLO, seq: 0, peer: 0x2222, attrs: [] }));
  for (let i = 0; i < 5; i++) await flush();
  assert.deepEqual(events, [{ kind: 'disconnected' }, { kind: 'reconnected', clientId: 0x2222 }]);
  assert.equal(obj.id, 0x42);
  assert.equal(c.clientId, 0x2222);
  const adds = sent2.filter((m) => m.type === MsgType.ADD_OBJECT).map((m) => attrsOf(m).objpath);
  assert.deepEqual(adds, ['svc', undefined]);
  const reg = sent2.find((m) => m.type === MsgType.INVOKE && attrsOf(m).method === 'register')!;
  assert.deepEqual(tableToJs(attrsOf(reg).data!), { object: 0x42, pattern: 'ev.*' });
});

test('a new object is bound on its DATA reply: a NOTIFY and an INVOKE in the same chunk reach it', async (t) => {
  const { c, link, sent } = await scripted(t);
  const calls: string[] = [];
  const p = c.addObject('o', { m: { handler: (req) => void calls.push(req.method) } });
  await flush();
  const add = sent[0]!;
  const chunk = [
    encodeMessage({ type: MsgType.DATA, seq: add.seq, peer: 0, attrs: [A.objid(0x77), A.objtype(1)] }),
    encodeMessage({ type: MsgType.STATUS, seq: add.seq, peer: 0, attrs: [A.status(0)] }),
    encodeMessage({ type: MsgType.NOTIFY, seq: 1, peer: 0, attrs: [A.objid(0x77), A.active(true)] }),
    encodeMessage({ type: MsgType.INVOKE, seq: 9, peer: 0x5555, attrs: [A.objid(0x77), A.method('m'), A.data({})] }),
  ];
  link.push(Buffer.concat(chunk));
  const obj = await p;
  assert.equal(obj.subscriberCount, 1);
  assert.deepEqual(calls, ['m']);
  const reply = sent.find((m) => m.seq === 9 && m.type === MsgType.STATUS)!;
  assert.deepEqual(attrsOf(reply), { status: 0, objid: 0x77 });
});

test('waitForBroker: connect keeps trying with backoff until a broker answers', async (t) => {
  const clock = new FakeClock();
  const link = new MemoryLink();
  const links: MemoryLink[] = [];
  const transport = memoryTransport(links);
  let done = false;
  const p = connect({ transport, clock, waitForBroker: true, reconnectDelayMs: { initial: 100, max: 400 } }).then((c) => {
    done = true;
    return c;
  });
  for (let i = 0; i < 4; i++) {
    await flush();
    clock.advance(1000);
  }
  assert.equal(done, false);
  assert.deepEqual(clock.requested, [100, 200, 400, 400]);
  links.push(...Array.from({ length: transport.opened + 1 }, () => link));
  clock.advance(1000);
  await flush();
  link.push(hello());
  const c = await p;
  t.after(() => c.close());
  assert.equal(c.clientId, CLIENT_ID);
  // without it, connect fails at once
  await assert.rejects(connect({ transport: memoryTransport([]), clock }));
});

test('after a reconnect an object the broker refuses is reported and the rest is restored', async (t) => {
  const clock = new FakeClock();
  const playBroker = (l: MemoryLink, refuse: string | null): void => {
    let next = 0x40;
    l.onWrite = (b) => {
      const m = decodeMessage(b);
      let status = 0;
      if (m.type === MsgType.ADD_OBJECT) {
        if (attrsOf(m).objpath !== undefined && attrsOf(m).objpath === refuse) status = Status.INVALID_ARGUMENT;
        else l.push(encodeMessage({ type: MsgType.DATA, seq: m.seq, peer: 0, attrs: [A.objid(++next)] }));
      }
      queueMicrotask(() => l.push(encodeMessage({ type: MsgType.STATUS, seq: m.seq, peer: m.peer, attrs: [A.status(status)] })));
    };
  };
  const l1 = new MemoryLink();
  const l2 = new MemoryLink();
  playBroker(l1, null);
  playBroker(l2, 'taken');
  const p = connect({ transport: memoryTransport([l1, l2]), clock, reconnectDelayMs: { initial: 10 } });
  await flush();
  l1.push(hello());
  const c = await p;
  t.after(() => c.close());
  const taken = await c.addObject('taken', {});
  const kept = await c.addObject('kept', {});
  const events: ClientEvent[] = [];
  c.onEvent((e) => events.push(e));
  l1.end();
  clock.advance(10);
  await flush();
  l2.push(hello());
  for (let i = 0; i < 6; i++) await flush();
  assert.deepEqual(events.map((e) => e.kind), ['disconnected', 'restore-failed', 'reconnected']);
  const failed = events[1] as { path?: string; error: Error };
  assert.equal(failed.path, 'taken');
  assert.ok(failed.error instanceof UbusStatusError && failed.error.status === Status.INVALID_ARGUMENT);
  assert.equal(taken.id, 0);
  assert.notEqual(kept.id, 0);
  assert.equal(c.connected, true);
});
