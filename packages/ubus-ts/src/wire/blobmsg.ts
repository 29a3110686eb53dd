/**
 * blob_attr and blobmsg encoding (libubox): big-endian 4-byte attr header
 * `[ext:1][id:7][len:24]`, len counting the header and not the padding, every attr padded to 4.
 * A blobmsg attr has the ext bit, its type in `id`, then a name block
 * `u16 namelen | name | NUL | pad to 4`, then the payload.
 *
 * Two representations: `BlobmsgNode` keeps every wire detail (type, name, ext bit) so a decoded
 * message re-encodes byte for byte; plain JS values (`BlobmsgJs`) are what applications use,
 * converted with the rules libubox's blobmsg_json applies.
 */
import {
  BLOB_ATTR_EXTENDED,
  BLOB_ATTR_ID_MASK,
  BLOB_ATTR_ID_SHIFT,
  BLOB_ATTR_LEN_MASK,
  BLOBMSG_TYPE_LAST,
  BlobmsgType,
} from './constants.js';
import { UbusEncodeError, UbusProtocolError } from '../errors.js';

export const pad4 = (n: number): number => (n + 3) & ~3;

/** One blobmsg attribute with everything needed to re-encode it exactly. */
export type BlobmsgNode =
  | { type: typeof BlobmsgType.TABLE; name: string; ext?: boolean; value: BlobmsgNode[] }
  | { type: typeof BlobmsgType.ARRAY; name: string; ext?: boolean; value: BlobmsgNode[] }
  | { type: typeof BlobmsgType.STRING; name: string; ext?: boolean; value: string; bytes?: Uint8Array }
  | { type: typeof BlobmsgType.INT64; name: string; ext?: boolean; value: bigint }
  | { type: typeof BlobmsgType.INT32; name: string; ext?: boolean; value: number }
  | { type: typeof BlobmsgType.INT16; name: string; ext?: boolean; value: number }
  | { type: typeof BlobmsgType.INT8; name: string; ext?: boolean; value: number }
  | { type: typeof BlobmsgType.DOUBLE; name: string; ext?: boolean; value: number }
  | { type: typeof BlobmsgType.UNSPEC; name: string; ext?: boolean; value: Uint8Array };

/** Plain JS values as applications see blobmsg content. */
export type BlobmsgJs =
  | string
  | number
  | bigint
  | boolean
  | null
  | TypedValue
  | BlobmsgJs[]
  | { [key: string]: BlobmsgJs | undefined };

/**
 * A JS value with an explicit wire type, for when the default mapping is not what the peer
 * expects (procd wants some numbers as strings, some APIs want int8 or int64).
 */
export class TypedValue {
  constructor(
    readonly type: typeof BlobmsgType.INT8 | typeof BlobmsgType.INT16 | typeof BlobmsgType.INT32 | typeof BlobmsgType.INT64 | typeof BlobmsgType.DOUBLE,
    readonly value: number | bigint | boolean,
  ) {}
}
export const int8 = (v: number | boolean): TypedValue => new TypedValue(BlobmsgType.INT8, v);
export const int16 = (v: number): TypedValue => new TypedValue(BlobmsgType.INT16, v);
export const int32 = (v: number): TypedValue => new TypedValue(BlobmsgType.INT32, v);
export const int64 = (v: number | bigint): TypedValue => new TypedValue(BlobmsgType.INT64, v);
export const double = (v: number): TypedValue => new TypedValue(BlobmsgType.DOUBLE, v);

// ---------------------------------------------------------------------------------------------
// Raw blob attributes

/** A blob_attr as found on the wire: id, ext bit, payload view (without padding). */
export interface RawAttr {
  id: number;
  ext: boolean;
  payload: Uint8Array;
  /** offset of the attr header inside the buffer it was read from */
  offset: number;
}

/** Reads consecutive blob attrs filling `buf[start, end)`. Throws on any inconsistency. */
export function readAttrs(buf: Uint8Array, start: number, end: number): RawAttr[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: RawAttr[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 4) throw new UbusProtocolError('ERR_UBUS_BAD_ATTR', 'truncated attribute header', pos);
    const idLen = view.getUint32(pos);
    const len = idLen & BLOB_ATTR_LEN_MASK;
    if (len < 4) throw new UbusProtocolError('ERR_UBUS_BAD_ATTR', `attribute length ${len} is shorter than its header`, pos);
    if (pos + len > end) throw new UbusProtocolError('ERR_UBUS_BAD_ATTR', `attribute length ${len} runs past its container`, pos);
    out.push({
      id: (idLen & BLOB_ATTR_ID_MASK) >>> BLOB_ATTR_ID_SHIFT,
      ext: (idLen & BLOB_ATTR_EXTENDED) !== 0,
      payload: buf.subarray(pos + 4, pos + len),
      offset: pos,
    });
    pos += pad4(len);
  }
  return out;
}

/** Growable big-endian writer used by every encoder. */
export class BlobWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.ensure(1); this.view.setUint8(this.length, v); this.length += 1; }
  u16(v: number): void { this.ensure(2); this.view.setUint16(this.length, v); this.length += 2; }
  u32(v: number): void { this.ensure(4); this.view.setUint32(this.length, v >>> 0); this.length += 4; }
  i16(v: number): void { this.ensure(2); this.view.setInt16(this.length, v); this.length += 2; }
  i32(v: number): void { this.ensure(4); this.view.setInt32(this.length, v); this.length += 4; }
  i64(v: bigint): void { this.ensure(8); this.view.setBigInt64(this.length, v); this.length += 8; }
  f64(v: number): void { this.ensure(8); this.view.setFloat64(this.length, v); this.length += 8; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  zeros(n: number): void { this.ensure(n); this.buf.fill(0, this.length, this.length + n); this.length += n; }
  padTo4(): void { this.zeros(pad4(this.length) - this.length); }
  /** Starts an attr; returns a token for `end()`, which writes the header with the final length. */
  begin(id: number, ext = false): number {
    const at = this.length;
    this.u32(((ext ? BLOB_ATTR_EXTENDED : 0) | ((id << BLOB_ATTR_ID_SHIFT) & BLOB_ATTR_ID_MASK)) >>> 0);
    return at;
  }
  end(at: number): void {
    const len = this.length - at;
    if (len > BLOB_ATTR_LEN_MASK) throw new UbusEncodeError(`attribute of ${len} bytes exceeds the 24-bit length field`);
    const head = this.view.getUint32(at) & ~BLOB_ATTR_LEN_MASK;
    this.view.setUint32(at, (head | len) >>> 0);
    this.padTo4();
  }
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const textDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const textEncoder = new TextEncoder();

/** Decodes a NUL-terminated string payload, as blob_check_type(STRING) demands. */
export function readCString(payload: Uint8Array, offset: number): string {
  return readCStringExact(payload, offset).value;
}

/**
 * Like readCString, but when the bytes are not valid UTF-8 it also returns them, so the string
 * is forwarded unchanged (ubus itself never checks encodings).
 */
export function readCStringExact(payload: Uint8Array, offset: number): { value: string; bytes?: Uint8Array } {
  if (payload.length === 0 || payload[payload.length - 1] !== 0) {
    throw new UbusProtocolError('ERR_UBUS_BAD_ATTR', 'string attribute is not NUL-terminated', offset);
  }
  const body = payload.subarray(0, payload.length - 1);
  try {
    return { value: strictDecoder.decode(body) };
  } catch {
    return { value: textDecoder.decode(body), bytes: body.slice() };
  }
}

function stringBytes(value: string, bytes: Uint8Array | undefined): Uint8Array {
  if (!bytes) return encodeCString(value);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

export { stringBytes };

export function encodeCString(s: string): Uint8Array {
  const b = textEncoder.encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

// ---------------------------------------------------------------------------------------------
// blobmsg nodes

const FIXED_LEN: Partial<Record<number, number>> = {
  [BlobmsgType.INT8]: 1,
  [BlobmsgType.INT16]: 2,
  [BlobmsgType.INT32]: 4,
  [BlobmsgType.INT64]: 8,
  [BlobmsgType.DOUBLE]: 8,
};

/** Decodes the blobmsg attrs in `buf[start, end)`; `named` is true inside a table. */
export function decodeBlobmsgList(buf: Uint8Array, start: number, end: number, named: boolean): BlobmsgNode[] {
  return readAttrs(buf, start, end).map((a) => decodeBlobmsgAttr(buf, a, named));
}

function decodeBlobmsgAttr(buf: Uint8Array, a: RawAttr, named: boolean): BlobmsgNode {
  const type = a.id;
  if (type > BLOBMSG_TYPE_LAST) throw new UbusProtocolError('ERR_UBUS_BAD_BLOBMSG', `unknown blobmsg type ${type}`, a.offset);
  let name = '';
  let data = a.payload;
  if (a.ext) {
    if (data.length < 2) throw new UbusProtocolError('ERR_UBUS_BAD_BLOBMSG', 'blobmsg name header truncated', a.offset);
    const nameLen = (data[0]! << 8) | data[1]!;
    const hdrLen = pad4(2 + nameLen + 1);
    if (data.length < hdrLen) throw new UbusProtocolError('ERR_UBUS_BAD_BLOBMSG', 'blobmsg name runs past the attribute', a.offset);
    if (data[2 + nameLen] !== 0) throw new UbusProtocolError('ERR_UBUS_BAD_BLOBMSG', 'blobmsg name is not NUL-terminated', a.offset);
    if (named && nameLen === 0) throw new UbusProtocolError('ERR_UBUS_BAD_BLOBMSG', 'table entry without a name', a.offset);
    const nameBytes = data.subarray(2, 2 + nameLen);
    try {
      name = strictDecoder.decode(nameBytes);
    } catch {
      throw new UbusProtocolError('ERR_UBUS_BAD_BLOBMSG', 'blobmsg name is not valid UTF-8', a.offset);
    }
    data = data.subarray(hdrLen);
  } else if (named) {
    throw new UbusProtocolError('ERR_UBUS_BAD_BLOBMSG', 'table entry without the extended (named) bit', a.offset);
  }
  const fixed = FIXED_LEN[type];
  if (fixed !== undefined && data.length !== fixed) {
    throw new UbusProtocolError('ERR_UBUS_BAD_BLOBMSG', `blobmsg type ${type} needs ${fixed} payload bytes, has ${data.length}`, a.offset);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const base = { name, ...(a.ext ? {} : { ext: false }) };
  const inner = data.byteOffset - buf.byteOffset;
  switch (type) {
    case BlobmsgType.TABLE:
      return { ...base, type, value: decodeBlobmsgList(buf, inner, inner + data.length, true) };
    case BlobmsgType.ARRAY:
      return { ...base, type, value: decodeBlobmsgList(buf, inner, inner + data.length, false) };
    case BlobmsgType.STRING: {
      const str = readCStringExact(data, a.offset);
      return { ...base, type, value: str.value, ...(str.bytes ? { bytes: str.bytes } : {}) };
    }
    case BlobmsgType.INT64:
      return { ...base, type, value: view.getBigInt64(0) };
    case BlobmsgType.INT32:
      return { ...base, type, value: view.getInt32(0) };
    case BlobmsgType.INT16:
      return { ...base, type, value: view.getInt16(0) };
    case BlobmsgType.INT8:
      return { ...base, type, value: view.getUint8(0) };
    case BlobmsgType.DOUBLE:
      return { ...base, type, value: view.getFloat64(0) };
    default:
      return { ...base, type: BlobmsgType.UNSPEC, value: data.slice() };
  }
}

/** Encodes nodes as consecutive blobmsg attrs. */
export function encodeBlobmsgList(w: BlobWriter, nodes: readonly BlobmsgNode[]): void {
  for (const n of nodes) encodeBlobmsgNode(w, n);
}

export function encodeBlobmsgNode(w: BlobWriter, n: BlobmsgNode): void {
  const ext = n.ext !== false;
  const at = w.begin(n.type, ext);
  if (ext) {
    const name = textEncoder.encode(n.name);
    if (name.length > 0xffff) throw new UbusEncodeError(`blobmsg name of ${name.length} bytes is too long`);
    w.u16(name.length);
    w.bytes(name);
    w.u8(0);
    w.padTo4();
  }
  switch (n.type) {
    case BlobmsgType.TABLE:
    case BlobmsgType.ARRAY:
      encodeBlobmsgList(w, n.value);
      break;
    case BlobmsgType.STRING:
      w.bytes(stringBytes(n.value, n.bytes));
      break;
    case BlobmsgType.INT64:
      w.i64(BigInt.asIntN(64, n.value));
      break;
    case BlobmsgType.INT32:
      w.u32(n.value >>> 0);
      break;
    case BlobmsgType.INT16:
      w.u16(n.value & 0xffff);
      break;
    case BlobmsgType.INT8:
      w.u8(n.value & 0xff);
      break;
    case BlobmsgType.DOUBLE:
      w.f64(n.value);
      break;
    case BlobmsgType.UNSPEC:
      w.bytes(n.value);
      break;
  }
  w.end(at);
}

// ---------------------------------------------------------------------------------------------
// JS <-> nodes

/**
 * Converts a JS value to a node, as `blobmsg_add_json_element` does: integers that fit int32
 * become INT32, larger ones INT64, other numbers DOUBLE, booleans BOOL (int8), null UNSPEC.
 */
export function fromJs(name: string, v: BlobmsgJs): BlobmsgNode {
  if (v instanceof TypedValue) return typedNode(name, v);
  if (v === null) return { type: BlobmsgType.UNSPEC, name, value: new Uint8Array(0) };
  if (Array.isArray(v)) return { type: BlobmsgType.ARRAY, name, value: v.map((x) => fromJs('', x)) };
  switch (typeof v) {
    case 'string':
      return { type: BlobmsgType.STRING, name, value: v };
    case 'boolean':
      return { type: BlobmsgType.INT8, name, value: v ? 1 : 0 };
    case 'bigint':
      return { type: BlobmsgType.INT64, name, value: v };
    case 'number':
      if (Number.isInteger(v)) {
        if (v >= -0x80000000 && v <= 0x7fffffff) return { type: BlobmsgType.INT32, name, value: v };
        return { type: BlobmsgType.INT64, name, value: BigInt(v) };
      }
      return { type: BlobmsgType.DOUBLE, name, value: v };
    case 'object':
      return { type: BlobmsgType.TABLE, name, value: tableFromJs(v) };
    default:
      throw new UbusEncodeError(`cannot encode a ${typeof v} as blobmsg (field "${name}")`);
  }
}

/** Object → table entries, skipping `undefined` members as JSON.stringify does. */
export function tableFromJs(obj: { [key: string]: BlobmsgJs | undefined }): BlobmsgNode[] {
  const out: BlobmsgNode[] = [];
  for (const [k, val] of Object.entries(obj)) {
    if (val === undefined) continue;
    out.push(fromJs(k, val));
  }
  return out;
}

function typedNode(name: string, t: TypedValue): BlobmsgNode {
  const num = typeof t.value === 'boolean' ? (t.value ? 1 : 0) : t.value;
  switch (t.type) {
    case BlobmsgType.INT64:
      return { type: t.type, name, value: BigInt(num) };
    case BlobmsgType.DOUBLE:
      return { type: t.type, name, value: Number(num) };
    default: {
      const n = Number(num);
      const bits = t.type === BlobmsgType.INT8 ? 8 : t.type === BlobmsgType.INT16 ? 16 : 32;
      const min = t.type === BlobmsgType.INT8 ? -128 : -(2 ** (bits - 1));
      const max = t.type === BlobmsgType.INT8 ? 255 : 2 ** (bits - 1) - 1;
      if (!Number.isInteger(n) || n < min || n > max) throw new UbusEncodeError(`${n} does not fit int${bits} (field "${name}")`);
      return { type: t.type, name, value: n };
    }
  }
}

/**
 * Converts nodes back to JS, as `blobmsg_format_json` shows them: INT8 as boolean, INT64 as a
 * number when it is exactly representable (else a bigint), UNSPEC as null.
 */
export function toJs(n: BlobmsgNode): BlobmsgJs {
  switch (n.type) {
    case BlobmsgType.TABLE:
      return tableToJs(n.value);
    case BlobmsgType.ARRAY:
      return n.value.map(toJs);
    case BlobmsgType.INT8:
      return n.value !== 0;
    case BlobmsgType.INT64:
      return n.value >= BigInt(Number.MIN_SAFE_INTEGER) && n.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n.value) : n.value;
    case BlobmsgType.UNSPEC:
      return null;
    default:
      return n.value;
  }
}

export function tableToJs(nodes: readonly BlobmsgNode[]): { [key: string]: BlobmsgJs } {
  const out: { [key: string]: BlobmsgJs } = {};
  for (const c of nodes) out[c.name] = toJs(c);
  return out;
}
