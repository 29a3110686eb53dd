/**
 * Replays the recorded ubusd session (shared/fixtures/ubus-wire/ubusd-session-decoded.txt) against
 * ubusd-ts: every client→broker message is sent as recorded (ids translated), and every
 * broker→client message must arrive on the same connection, in the same order, byte for byte,
 * once random ids are translated (learned by role the first time each appears).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { FrameReader } from '../src/broker/frames.js';
import { loadWireFixtures } from './wire-fixtures.js';
import { withBroker } from './broker-peer.js';

interface Conn {
  sock: Socket;
  frames: Uint8Array[];
  waiter: (() => void) | undefined;
}

const word = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

test('the recorded ubusd session replays byte for byte (ids by role)', async (t) => {
  const blocks = loadWireFixtures().filter((f) => f.file === 'ubusd-session-decoded.txt');
  assert.ok(blocks.length > 50, 'session capture present');
  // the capture's peers ran as root: USER/GROUP in forwarded calls are 'root'
  const { path } = await withBroker(t, { credentials: async () => ({ uid: 0, gid: 0, groups: [], user: 'root', group: 'root', pid: undefined }) });
  const conns = new Map<number, Conn>();
  /** captured id → our id, and back */
  const fwd = new Map<number, number>();
  const back = new Map<number, number>();

  const open = async (n: number): Promise<Conn> => {
    const sock = connect(path);
    const c: Conn = { sock, frames: [], waiter: undefined };
    const reader = new FrameReader();
    sock.on('data', (d) => reader.push(d, (f) => {
      c.frames.push(f);
      c.waiter?.();
    }));
    t.after(() => sock.destroy());
    await new Promise((r) => sock.once('connect', r));
    conns.set(n, c);
    return c;
  };
  const nextFrame = async (c: Conn, what: string): Promise<Uint8Array> => {
    const deadline = Date.now() + 3000;
    while (c.frames.length === 0) {
      if (Date.now() > deadline) throw new Error(`no frame for ${what}`);
      await new Promise<void>((r) => {
        c.waiter = r;
        setTimeout(r, 50);
      });
    }
    return c.frames.shift()!;
  };

  for (const b of blocks) {
    const what = `#${b.index} conn${b.conn} ${b.direction} ${b.typeName}`;
    const c = conns.get(b.conn) ?? (await open(b.conn));
    if (b.direction === 'client->ubusd') {
      const out = b.raw.slice();
      const view = new DataView(out.buffer);
      for (let i = 4; i + 4 <= out.length; i += 4) {
        const mapped = fwd.get(word(out, i));
        if (mapped !== undefined) view.setUint32(i, mapped);
      }
      c.sock.write(out);
      continue;
    }
    const got = await nextFrame(c, what);
    assert.equal(got.length, b.raw.length, `${what}: length`);
    for (let i = 0; i < got.length; i += 4) {
      if (i + 4 > got.length) break;
      const want = word(b.raw, i);
      const ours = word(got, i);
      if (want === ours && !fwd.has(want)) continue;
      if (fwd.has(want)) {
        assert.equal(ours, fwd.get(want), `${what}: word at ${i} is id ${want.toString(16)}`);
      } else {
        // a random id seen for the first time: learn its role
        assert.ok(want >= 1024 && ours >= 1024 && !back.has(ours), `${what}: byte ${i} differs (${want.toString(16)} vs ${ours.toString(16)})`);
        fwd.set(want, ours);
        back.set(ours, want);
      }
    }
    assert.deepEqual([...got.subarray(0, 4)], [...b.raw.subarray(0, 4)], `${what}: version, type, seq`);
  }
  assert.ok(fwd.size >= 10, 'client and object ids were matched by role');
});
