/**
 * The broker's view of a frame. Unlike the client codec, the broker never decodes blobmsg
 * payloads it only forwards (DATA, SIGNATURE): they stay raw bytes, so a call costs one copy and
 * the bytes arrive at the peer exactly as sent. Attributes are checked the way ubusd's
 * `blob_parse_untrusted` with `ubus_policy` checks them: a STRING must be NUL-terminated, an
 * INT32 must have 4 bytes; an attribute failing its check is ignored, not fatal.
 */
import { Attr, BLOB_ATTR_LEN_MASK, HEADER_LEN, PROTOCOL_VERSION } from '../wire/constants.js';
import { BlobWriter, pad4, readAttrs } from '../wire/blobmsg.js';

/** The UBUS_ATTR_* a broker acts on; blobmsg ones as raw payload bytes. */
export interface BrokerAttrs {
  status?: number;
  objpath?: string;
  objid?: number;
  method?: string;
  objtype?: number;
  signature?: Uint8Array;
  data?: Uint8Array;
  target?: number;
  active?: number;
  noReply?: number;
  user?: string;
  group?: string;
}

export interface BrokerFrame {
  type: number;
  seq: number;
  peer: number;
  /** the complete frame (header + padded top-level attr) */
  bytes: Uint8Array;
  /** payload of the top-level attr (the concatenated ubus attrs) */
  body: Uint8Array;
  attrs: BrokerAttrs;
}

const utf8 = new TextDecoder();

function cstring(p: Uint8Array): string | undefined {
  if (p.length < 1 || p[p.length - 1] !== 0) return undefined;
  return utf8.decode(p.subarray(0, p.length - 1));
}

function u32(p: Uint8Array): number | undefined {
  if (p.length !== 4) return undefined;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** Parses the attrs of one complete frame; throws UbusProtocolError when the attr chain is broken. */
export function parseFrame(bytes: Uint8Array): BrokerFrame {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(HEADER_LEN) & BLOB_ATTR_LEN_MASK;
  const body = bytes.subarray(HEADER_LEN + 4, HEADER_LEN + len);
  const attrs: BrokerAttrs = {};
  for (const a of readAttrs(bytes, HEADER_LEN + 4, HEADER_LEN + len)) {
    if (a.ext) continue;
    const p = a.payload;
    switch (a.id) {
      case Attr.STATUS: { const v = u32(p); if (v !== undefined) attrs.status = v; break; }
      case Attr.OBJID: { const v = u32(p); if (v !== undefined) attrs.objid = v; break; }
      case Attr.OBJTYPE: { const v = u32(p); if (v !== undefined) attrs.objtype = v; break; }
      case Attr.TARGET: { const v = u32(p); if (v !== undefined) attrs.target = v; break; }
      case Attr.OBJPATH: { const v = cstring(p); if (v !== undefined) attrs.objpath = v; break; }
      case Attr.METHOD: { const v = cstring(p); if (v !== undefined) attrs.method = v; break; }
      case Attr.USER: { const v = cstring(p); if (v !== undefined) attrs.user = v; break; }
      case Attr.GROUP: { const v = cstring(p); if (v !== undefined) attrs.group = v; break; }
      case Attr.SIGNATURE: attrs.signature = p; break;
      case Attr.DATA: attrs.data = p; break;
      case Attr.ACTIVE: if (p.length >= 1) attrs.active = p[0]!; break;
      case Attr.NO_REPLY: if (p.length >= 1) attrs.noReply = p[0]!; break;
      default: break;
    }
  }
  return { type: view.getUint8(1), seq: view.getUint16(2), peer: view.getUint32(4), bytes, body, attrs };
}

/** The broker reads raw frames with the wire codec's reader (it forwards them without decoding). */
export { FrameReader } from '../wire/decoder.js';

/** One outgoing attribute: a u32, a u8, a C string, or raw payload bytes. */
export type OutAttr =
  | { id: number; u32: number }
  | { id: number; u8: number }
  | { id: number; str: string }
  | { id: number; raw: Uint8Array };

const utf8enc = new TextEncoder();

/** Builds a frame from attrs in the given order (ubusd's attribute order is part of the contract). */
export function buildFrame(type: number, seq: number, peer: number, attrs: readonly OutAttr[]): Uint8Array {
  const w = new BlobWriter(64);
  w.u8(PROTOCOL_VERSION);
  w.u8(type);
  w.u16(seq & 0xffff);
  w.u32(peer >>> 0);
  const top = w.begin(0);
  for (const a of attrs) {
    const at = w.begin(a.id);
    if ('u32' in a) w.u32(a.u32);
    else if ('u8' in a) w.u8(a.u8);
    else if ('str' in a) { w.bytes(utf8enc.encode(a.str)); w.u8(0); }
    else w.bytes(a.raw);
    w.end(at);
  }
  w.end(top);
  return w.toBytes();
}

/** A copy of `frame` with another header peer (how ubusd routes DATA/STATUS replies). */
export function withPeer(frame: Uint8Array, peer: number): Uint8Array {
  const out = frame.slice();
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(4, peer >>> 0);
  return out;
}

/** A copy of `frame` with another header type (PING is answered by echoing it as DATA). */
export function withType(frame: Uint8Array, type: number): Uint8Array {
  const out = frame.slice();
  out[1] = type;
  return out;
}

/** A blobmsg attribute seen without decoding its value. */
export interface BlobmsgField {
  type: number;
  name: string;
  /** value bytes after the name block, unpadded */
  value: Uint8Array;
  /** the whole attribute, header included, unpadded */
  raw: Uint8Array;
}

/** The named blobmsg attrs of a table body; throws UbusProtocolError on a broken chain. */
export function blobmsgFields(body: Uint8Array): BlobmsgField[] {
  const out: BlobmsgField[] = [];
  for (const a of readAttrs(body, 0, body.length)) {
    if (!a.ext) continue;
    const p = a.payload;
    if (p.length < 2) continue;
    const nameLen = (p[0]! << 8) | p[1]!;
    const hdr = pad4(2 + nameLen + 1);
    if (p.length < hdr || p[2 + nameLen] !== 0) continue;
    out.push({
      type: a.id,
      name: utf8.decode(p.subarray(2, 2 + nameLen)),
      value: p.subarray(hdr),
      raw: body.subarray(a.offset, a.offset + 4 + p.length),
    });
  }
  return out;
}

/** blobmsg_parse for one policy entry: the last attr with that name and type. */
export function blobmsgField(fields: readonly BlobmsgField[], name: string, type: number): BlobmsgField | undefined {
  let found: BlobmsgField | undefined;
  for (const f of fields) if (f.name === name && f.type === type) found = f;
  return found;
}

export function fieldString(f: BlobmsgField): string | undefined {
  return cstring(f.value);
}

export function fieldU32(f: BlobmsgField): number | undefined {
  return u32(f.value);
}
