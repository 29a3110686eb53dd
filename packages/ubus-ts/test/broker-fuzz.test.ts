/**
 * Structured fuzzing: peers send thousands of random but well-framed messages (random types,
 * attribute sets, ids, wrong payload sizes, garbage blobmsg). No handler may throw, the broker
 * must keep serving, and after the fuzzing peers leave no state may be left behind.
 * Seeded, so a failure reproduces: FUZZ_SEED=<n>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Attr, BlobmsgType, MsgType, encodeMessage, type MessageAttr } from '../src/wire/index.js';
import { FrameReader, parseFrame } from '../src/broker/frames.js';
import { peer, sig, withBroker } from './broker-peer.js';

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}

interface RawPeer {
  sock: Socket;
  ids: number[];
}

function rawPeer(path: string, pool: Set<number>): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    const reader = new FrameReader();
    const p: RawPeer = { sock, ids: [] };
    sock.on('data', (c) => {
      try {
        reader.push(c, (bytes) => {
          const f = parseFrame(bytes);
          if (f.peer >= 1024) pool.add(f.peer);
          for (const v of [f.attrs.objid, f.attrs.objtype, f.attrs.target]) if (v !== undefined && v >= 1024) pool.add(v);
        });
      } catch { /* a fuzz peer does not care */ }
    });
    sock.on('error', () => {});
    sock.once('connect', () => resolve(p));
    sock.once('error', reject);
  });
}

test('random well-framed messages never break the broker', async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261123);
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const { path, broker } = await withBroker(t);
  const pool = new Set<number>([1, 2, 3, 0, 5, 1023, 0xffffffff]);
  const ids = (): number => pick([...pool]);
  const strings = ['', 'a', 'a*', '*', 'test', 'test.x', 'ubus.x', 'register', 'send', 'add', 'remove', 'query', 'evt*', 'evt.one'];
  const dataTables: (() => MessageAttr)[] = [
    () => ({ id: Attr.DATA, kind: 'blobmsg', value: [{ type: BlobmsgType.INT32, name: 'object', value: ids() | 0 }, { type: BlobmsgType.STRING, name: 'pattern', value: pick(strings) }] }),
    () => ({ id: Attr.DATA, kind: 'blobmsg', value: [{ type: BlobmsgType.STRING, name: 'id', value: pick(strings) }, { type: BlobmsgType.TABLE, name: 'data', value: [] }] }),
    () => ({ id: Attr.DATA, kind: 'raw', value: Uint8Array.from({ length: Math.floor(rnd() * 24) }, () => Math.floor(rnd() * 256)) }),
    () => ({ id: Attr.DATA, kind: 'blobmsg', value: [] }),
  ];
  const attrGen: (() => MessageAttr)[] = [
    () => ({ id: Attr.STATUS, kind: 'u32', value: Math.floor(rnd() * 16) }),
    () => ({ id: Attr.OBJPATH, kind: 'string', value: pick(strings) }),
    () => ({ id: Attr.OBJID, kind: 'u32', value: ids() }),
    () => ({ id: Attr.METHOD, kind: 'string', value: pick(strings) }),
    () => ({ id: Attr.OBJTYPE, kind: 'u32', value: ids() }),
    () => sig({ m: { a: BlobmsgType.INT32 } }),
    () => ({ id: Attr.SIGNATURE, kind: 'raw', value: Uint8Array.from({ length: Math.floor(rnd() * 20) }, () => Math.floor(rnd() * 256)) }),
    () => pick(dataTables)(),
    () => ({ id: Attr.TARGET, kind: 'u32', value: ids() }),
    () => ({ id: Attr.ACTIVE, kind: 'u8', value: Math.floor(rnd() * 2) }),
    () => ({ id: Attr.NO_REPLY, kind: 'u8', value: Math.floor(rnd() * 2) }),
    () => ({ id: Math.floor(rnd() * 14), kind: 'raw', value: Uint8Array.from({ length: Math.floor(rnd() * 7) }, () => 0) }),
    () => ({ id: Attr.USER, kind: 'string', value: 'root' }),
  ];
  const peers: RawPeer[] = [];
  for (let i = 0; i < 4; i++) peers.push(await rawPeer(path, pool));
  for (let i = 0; i < 3000; i++) {
    const p = pick(peers);
    const attrs: MessageAttr[] = [];
    const n = Math.floor(rnd() * 5);
    for (let k = 0; k < n; k++) attrs.push(pick(attrGen)());
    const type = rnd() < 0.8 ? pick([MsgType.ADD_OBJECT, MsgType.INVOKE, MsgType.LOOKUP, MsgType.SUBSCRIBE, MsgType.NOTIFY, MsgType.STATUS, MsgType.DATA, MsgType.REMOVE_OBJECT, MsgType.UNSUBSCRIBE]) : Math.floor(rnd() * 14);
    p.sock.write(encodeMessage({ type, seq: Math.floor(rnd() * 65536), peer: ids(), attrs }));
    if (rnd() < 0.004) {
      p.sock.destroy();
      peers[peers.indexOf(p)] = await rawPeer(path, pool);
    }
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  // a good client is still served
  const srv = await peer(t, path);
  const cli = await peer(t, path);
  const o = await srv.addObject('after.fuzz', sig({ m: {} }));
  const seq = cli.send(MsgType.INVOKE, o.id, [{ id: Attr.OBJID, kind: 'u32', value: o.id }, { id: Attr.METHOD, kind: 'string', value: 'm' }]);
  const inv = await srv.next((m) => m.type === MsgType.INVOKE, 5000);
  srv.send(MsgType.STATUS, inv.peer, [{ id: Attr.STATUS, kind: 'u32', value: 0 }, { id: Attr.OBJID, kind: 'u32', value: o.id }], inv.seq);
  await cli.next((m) => m.type === MsgType.STATUS && m.seq === seq, 5000);
  const during = broker.stats();
  assert.equal(during.internalErrors, 0, `seed ${seed}: ${during.lastInternalError}`);
  // once the fuzzing peers are gone, only the good client's object (and the 3 system objects) remain
  for (const p of peers) p.sock.destroy();
  const deadline = Date.now() + 5000;
  while (broker.stats().clients > 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const after = broker.stats();
  assert.equal(after.clients, 2);
  assert.equal(after.objects, 3 + 1);
  assert.equal(after.paths, 1);
  assert.equal(after.types, 1);
  assert.equal(after.internalErrors, 0);
});
