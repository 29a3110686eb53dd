import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Attr,
  ATTR_NAME,
  BlobmsgType,
  FrameDecoder,
  MSG_TYPE_NAME,
  MsgType,
  attrsOf,
  decodeMessage,
  encodeMessage,
  fromJs,
  tableToJs,
  toJs,
  A,
  int64,
  type UbusMessage,
} from '../src/wire/index.js';
import { UbusProtocolError } from '../src/errors.js';
import { loadWireFixtures, hex } from './wire-fixtures.js';

const fixtures = loadWireFixtures();

describe('wire codec against the reference ubusd captures', () => {
  test('the capture set is there and non-trivial', () => {
    assert.ok(fixtures.length >= 60, `only ${fixtures.length} raw messages found`);
    const types = new Set(fixtures.map((f) => f.typeName));
    for (const t of ['HELLO', 'STATUS', 'DATA', 'LOOKUP', 'INVOKE', 'ADD_OBJECT']) assert.ok(types.has(t), `no ${t} capture`);
  });

  for (const f of fixtures) {
    test(`${f.file} #${f.index} ${f.direction} ${f.typeName}: decodes to the documented fields and re-encodes byte for byte`, () => {
      const msg = decodeMessage(f.raw);
      assert.equal(MSG_TYPE_NAME[msg.type], f.typeName);
      assert.equal(msg.type, f.header.type);
      assert.equal(msg.seq, f.header.seq);
      assert.equal(msg.peer, f.header.peer);
      assert.deepEqual(
        msg.attrs.map((a) => ({ name: ATTR_NAME[a.id], id: a.id })),
        f.attrs.map((a) => ({ name: a.name, id: a.id })),
      );
      for (const [i, doc] of f.attrs.entries()) {
        const a = msg.attrs[i]!;
        if (doc.scalar === undefined) continue;
        const str = /^'(.*)' \(NUL-terminated\)$/.exec(doc.scalar);
        if (str) assert.equal(a.value, str[1]);
        const num = /^(\d+)(?: \(0x[0-9a-f]+\))?$/.exec(doc.scalar);
        if (num) assert.equal(a.value, Number(num[1]));
      }
      assert.deepEqual(encodeMessage(msg), f.raw);
    });
  }

  test('feeding every capture byte by byte gives the same messages as whole frames', () => {
    const whole = fixtures.map((f) => decodeMessage(f.raw));
    const dec = new FrameDecoder();
    const got: UbusMessage[] = [];
    for (const f of fixtures) for (const b of f.raw) got.push(...dec.push(Uint8Array.of(b)));
    assert.deepEqual(got, whole);
    assert.equal(dec.buffered, 0);
  });

  test('all captures in one chunk give every message in order', () => {
    const total = fixtures.reduce((n, f) => n + f.raw.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const f of fixtures) { all.set(f.raw, o); o += f.raw.length; }
    const got = new FrameDecoder().push(all);
    assert.equal(got.length, fixtures.length);
    assert.deepEqual(got.map((m) => m.seq), fixtures.map((f) => f.header.seq));
  });
});

describe('blobmsg values', () => {
  test('the every-type event decodes to JSON as blobmsg_format_json shows it', () => {
    // #60 in 05-event-send.txt: the broker delivering an event with every blobmsg type
    const ev = fixtures.find((f) => f.file === '05-event-send.txt' && f.index === 61) ?? fixtures.find((f) => f.file === '05-event-send.txt' && f.index === 60)!;
    const msg = decodeMessage(ev.raw);
    const data = attrsOf(msg).data!;
    const js = JSON.stringify(tableToJs(data), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    assert.match(js, /5000000000/);
    const types = new Set<number>();
    const walk = (ns: typeof data) => { for (const n of ns) { types.add(n.type); if (n.type === BlobmsgType.TABLE || n.type === BlobmsgType.ARRAY) walk(n.value); } };
    walk(data);
    for (const t of [BlobmsgType.STRING, BlobmsgType.ARRAY, BlobmsgType.TABLE, BlobmsgType.INT8, BlobmsgType.INT64, BlobmsgType.INT32, BlobmsgType.DOUBLE, BlobmsgType.UNSPEC]) {
      assert.ok(types.has(t), `type ${t} missing from the every-type capture`);
    }
  });

  test('JS values map to wire types as blobmsg_add_json does', () => {
    assert.equal(fromJs('a', 1).type, BlobmsgType.INT32);
    assert.equal(fromJs('a', -2147483648).type, BlobmsgType.INT32);
    assert.equal(fromJs('a', 2147483648).type, BlobmsgType.INT64);
    assert.equal(fromJs('a', 1.5).type, BlobmsgType.DOUBLE);
    assert.equal(fromJs('a', true).type, BlobmsgType.INT8);
    assert.equal(fromJs('a', null).type, BlobmsgType.UNSPEC);
    assert.equal(fromJs('a', 'x').type, BlobmsgType.STRING);
    assert.equal(fromJs('a', int64(3)).type, BlobmsgType.INT64);
    assert.deepEqual(toJs(fromJs('', { a: [1, 'b', { c: false }], d: null })), { a: [1, 'b', { c: false }], d: null });
  });

  test('an INVOKE built from JS encodes to the captured bytes of `ubus call test count`', () => {
    const f = fixtures.find((x) => x.file === '04-invoke.txt' && x.index === 15)!;
    const bytes = encodeMessage({ type: MsgType.INVOKE, seq: 2, peer: f.header.peer, attrs: [A.objid(f.header.peer), A.method('count'), A.data({ to: 3, string: '1 2 3' })] });
    assert.deepEqual(bytes, f.raw);
  });
});

describe('malformed input', () => {
  const cases: [string, string, string][] = [
    ['version 1', '01 00 00 00 00 00 00 00 00 00 00 04', 'ERR_UBUS_BAD_VERSION'],
    ['top attr with id', '00 00 00 00 00 00 00 00 01 00 00 04', 'ERR_UBUS_BAD_TOP_ATTR'],
    ['top attr with ext bit', '00 00 00 00 00 00 00 00 80 00 00 04', 'ERR_UBUS_BAD_TOP_ATTR'],
    ['top attr shorter than header', '00 00 00 00 00 00 00 00 00 00 00 02', 'ERR_UBUS_BAD_TOP_ATTR'],
    ['frame over 1 MiB', '00 00 00 00 00 00 00 00 00 10 00 08', 'ERR_UBUS_FRAME_TOO_LARGE'],
    ['unknown message type', '00 0c 00 00 00 00 00 00 00 00 00 04', 'ERR_UBUS_BAD_MSG_TYPE'],
    ['inner attr past container', '00 01 00 00 00 00 00 00 00 00 00 0c 01 00 00 10 00 00 00 00', 'ERR_UBUS_BAD_ATTR'],
    ['status attr with 2 bytes', '00 01 00 00 00 00 00 00 00 00 00 0a 01 00 00 06 00 00 00 00', 'ERR_UBUS_BAD_ATTR'],
    ['string without NUL', '00 01 00 00 00 00 00 00 00 00 00 0c 02 00 00 08 61 62 63 64', 'ERR_UBUS_BAD_ATTR'],
    ['blobmsg table entry without name', '00 02 00 00 00 00 00 00 00 00 00 10 07 00 00 0c 85 00 00 08 00 00 00 00', 'ERR_UBUS_BAD_BLOBMSG'],
    ['blobmsg int32 with 2 bytes', '00 02 00 00 00 00 00 00 00 00 00 14 07 00 00 10 85 00 00 0a 00 01 61 00 00 01 00 00', 'ERR_UBUS_BAD_BLOBMSG'],
    ['blobmsg unknown type 9', '00 02 00 00 00 00 00 00 00 00 00 14 07 00 00 10 89 00 00 0c 00 01 61 00 00 00 00 00', 'ERR_UBUS_BAD_BLOBMSG'],
  ];
  for (const [what, bytes, code] of cases) {
    test(`${what} → ${code}`, () => {
      assert.throws(() => new FrameDecoder().push(hex(bytes)), (e: unknown) => e instanceof UbusProtocolError && e.code === code);
    });
  }

  test('a decoder that failed stays failed (framing is lost)', () => {
    const d = new FrameDecoder();
    assert.throws(() => d.push(hex('01 00 00 00 00 00 00 00 00 00 00 04')));
    assert.throws(() => d.push(hex('00 00 00 00 00 00 00 00 00 00 00 04')), (e: unknown) => e instanceof UbusProtocolError);
  });

  test('the size check happens before the frame is allocated', () => {
    const d = new FrameDecoder({ maxMessageLength: 64 });
    assert.throws(() => d.push(hex('00 02 00 00 00 00 00 00 00 00 01 00')), (e: unknown) => e instanceof UbusProtocolError && e.code === 'ERR_UBUS_FRAME_TOO_LARGE');
  });

  const crashDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'fuzz-crashes');
  test('every kept fuzz reproducer decodes or fails with a typed error', () => {
    const files = existsSync(crashDir) ? readdirSync(crashDir).filter((f) => f.endsWith('.hex')) : [];
    for (const f of files) {
      const bytes = hex(readFileSync(join(crashDir, f), 'utf8'));
      try { new FrameDecoder().push(bytes); } catch (e) { assert.ok(e instanceof UbusProtocolError, `${f}: ${String(e)}`); }
    }
  });
});

test('attrsOf gives named access', () => {
  const m = decodeMessage(encodeMessage({ type: MsgType.STATUS, seq: 1, peer: 7, attrs: [A.status(4), A.objid(99)] }));
  assert.deepEqual(attrsOf(m), { status: 4, objid: 99 });
  assert.equal(Attr.STATUS, 1);
});
