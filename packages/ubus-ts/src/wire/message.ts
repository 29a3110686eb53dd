/**
 * ubus messages: `struct ubus_msghdr` followed by one top-level blob_attr (id 0) holding
 * UBUS_ATTR_* attributes (or UBUS_MONITOR_* ones in a MONITOR message). Attribute order is kept,
 * so a decoded message re-encodes byte for byte.
 */
import {
  Attr,
  BLOB_ATTR_EXTENDED,
  BLOB_ATTR_ID_MASK,
  BLOB_ATTR_LEN_MASK,
  HEADER_LEN,
  MAX_MSG_LEN,
  MonitorAttr,
  MsgType,
  MSG_TYPE_LAST,
  PROTOCOL_VERSION,
} from './constants.js';
import {
  BlobWriter,
  decodeBlobmsgList,
  encodeBlobmsgList,
  pad4,
  readAttrs,
  readCStringExact,
  stringBytes,
  tableFromJs,
  tableToJs,
  type BlobmsgJs,
  type BlobmsgNode,
} from './blobmsg.js';
import { UbusEncodeError, UbusProtocolError } from '../errors.js';

/** How an attribute's payload is laid out. */
export type AttrKind = 'u32' | 'u8' | 'string' | 'blobmsg' | 'nested' | 'raw';

export type MessageAttr =
  | { id: number; kind: 'u32'; value: number }
  | { id: number; kind: 'u8'; value: number }
  | { id: number; kind: 'string'; value: string; bytes?: Uint8Array }
  | { id: number; kind: 'blobmsg'; value: BlobmsgNode[] }
  | { id: number; kind: 'nested'; value: MessageAttr[] }
  | { id: number; kind: 'raw'; value: Uint8Array; ext?: boolean };

export interface UbusMessage {
  version?: number;
  type: number;
  seq: number;
  peer: number;
  attrs: MessageAttr[];
}

/** Payload layout of each UBUS_ATTR_* (as ubusd's and libubus's blob policies declare them). */
export const ATTR_KIND: Readonly<Record<number, AttrKind>> = {
  [Attr.STATUS]: 'u32',
  [Attr.OBJPATH]: 'string',
  [Attr.OBJID]: 'u32',
  [Attr.METHOD]: 'string',
  [Attr.OBJTYPE]: 'u32',
  [Attr.SIGNATURE]: 'blobmsg',
  [Attr.DATA]: 'blobmsg',
  [Attr.TARGET]: 'u32',
  [Attr.ACTIVE]: 'u8',
  [Attr.NO_REPLY]: 'u8',
  [Attr.SUBSCRIBERS]: 'nested',
  [Attr.USER]: 'string',
  [Attr.GROUP]: 'string',
};

/** Payload layout of each UBUS_MONITOR_* attribute. */
export const MONITOR_ATTR_KIND: Readonly<Record<number, AttrKind>> = {
  [MonitorAttr.CLIENT]: 'u32',
  [MonitorAttr.PEER]: 'u32',
  [MonitorAttr.SEND]: 'u8',
  [MonitorAttr.SEQ]: 'u32',
  [MonitorAttr.TYPE]: 'u32',
  [MonitorAttr.DATA]: 'nested',
};

// ---------------------------------------------------------------------------------------------
// decode

/** Decodes one complete frame (header + top-level attr, padding optional). */
export function decodeMessage(frame: Uint8Array): UbusMessage {
  if (frame.length < HEADER_LEN + 4) throw new UbusProtocolError('ERR_UBUS_FRAME_TOO_SHORT', `frame of ${frame.length} bytes is shorter than a header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const version = view.getUint8(0);
  if (version !== PROTOCOL_VERSION) throw new UbusProtocolError('ERR_UBUS_BAD_VERSION', `unsupported protocol version ${version}`, 0);
  const type = view.getUint8(1);
  if (type >= MSG_TYPE_LAST) throw new UbusProtocolError('ERR_UBUS_BAD_MSG_TYPE', `unknown message type ${type}`, 1);
  const top = view.getUint32(HEADER_LEN);
  const len = top & BLOB_ATTR_LEN_MASK;
  if ((top & (BLOB_ATTR_ID_MASK | BLOB_ATTR_EXTENDED)) !== 0) throw new UbusProtocolError('ERR_UBUS_BAD_TOP_ATTR', 'top-level attribute must have id 0 and no extended bit', HEADER_LEN);
  if (len < 4) throw new UbusProtocolError('ERR_UBUS_BAD_TOP_ATTR', `top-level attribute length ${len} is shorter than its header`, HEADER_LEN);
  if (HEADER_LEN + len > frame.length) throw new UbusProtocolError('ERR_UBUS_FRAME_TOO_SHORT', `top-level attribute of ${len} bytes runs past the frame`, HEADER_LEN);
  const kinds = type === MsgType.MONITOR ? MONITOR_ATTR_KIND : ATTR_KIND;
  return {
    type,
    seq: view.getUint16(2),
    peer: view.getUint32(4),
    attrs: decodeAttrs(frame, HEADER_LEN + 4, HEADER_LEN + len, kinds),
  };
}

function decodeAttrs(buf: Uint8Array, start: number, end: number, kinds: Readonly<Record<number, AttrKind>>): MessageAttr[] {
  return readAttrs(buf, start, end).map((a): MessageAttr => {
    const kind = a.ext ? 'raw' : (kinds[a.id] ?? 'raw');
    const p = a.payload;
    const inner = p.byteOffset - buf.byteOffset;
    switch (kind) {
      case 'u32':
        if (p.length !== 4) throw new UbusProtocolError('ERR_UBUS_BAD_ATTR', `attribute ${a.id} needs 4 payload bytes, has ${p.length}`, a.offset);
        return { id: a.id, kind, value: new DataView(p.buffer, p.byteOffset, 4).getUint32(0) };
      case 'u8':
        if (p.length !== 1) throw new UbusProtocolError('ERR_UBUS_BAD_ATTR', `attribute ${a.id} needs 1 payload byte, has ${p.length}`, a.offset);
        return { id: a.id, kind, value: p[0]! };
      case 'string': {
        const str = readCStringExact(p, a.offset);
        return { id: a.id, kind, value: str.value, ...(str.bytes ? { bytes: str.bytes } : {}) };
      }
      case 'blobmsg':
        return { id: a.id, kind, value: decodeBlobmsgList(buf, inner, inner + p.length, false) };
      case 'nested':
        return { id: a.id, kind, value: decodeAttrs(buf, inner, inner + p.length, ATTR_KIND) };
      default:
        return { id: a.id, kind: 'raw', value: p.slice(), ...(a.ext ? { ext: true } : {}) };
    }
  });
}

// ---------------------------------------------------------------------------------------------
// encode

/** Encodes a message; the result is padded to 4 bytes as ubus writes it. */
export function encodeMessage(msg: UbusMessage): Uint8Array {
  const w = new BlobWriter(64);
  w.u8(msg.version ?? PROTOCOL_VERSION);
  w.u8(msg.type);
  w.u16(msg.seq & 0xffff);
  w.u32(msg.peer >>> 0);
  const top = w.begin(0);
  encodeAttrs(w, msg.attrs);
  w.end(top);
  if (w.length - HEADER_LEN > MAX_MSG_LEN) throw new UbusEncodeError(`message of ${w.length - HEADER_LEN} bytes exceeds the ${MAX_MSG_LEN}-byte limit`);
  return w.toBytes();
}

function encodeAttrs(w: BlobWriter, attrs: readonly MessageAttr[]): void {
  for (const a of attrs) {
    const at = w.begin(a.id, a.kind === 'raw' && a.ext === true);
    switch (a.kind) {
      case 'u32':
        w.u32(a.value);
        break;
      case 'u8':
        w.u8(a.value);
        break;
      case 'string':
        w.bytes(stringBytes(a.value, a.bytes));
        break;
      case 'blobmsg':
        encodeBlobmsgList(w, a.value);
        break;
      case 'nested':
        encodeAttrs(w, a.value);
        break;
      case 'raw':
        w.bytes(a.value);
        break;
    }
    w.end(at);
  }
}

/** Total padded frame length announced by a 12-byte prefix (header + top attr header). */
export function frameLength(prefix: Uint8Array): number {
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  return HEADER_LEN + pad4(view.getUint32(HEADER_LEN) & BLOB_ATTR_LEN_MASK);
}

// ---------------------------------------------------------------------------------------------
// convenient access

/** The attributes of a (non-monitor) message by name, last one wins as blob_parse does. */
export interface Attrs {
  status?: number;
  objpath?: string;
  objid?: number;
  method?: string;
  objtype?: number;
  signature?: BlobmsgNode[];
  data?: BlobmsgNode[];
  target?: number;
  active?: number;
  noReply?: number;
  subscribers?: MessageAttr[];
  user?: string;
  group?: string;
}

const ATTR_FIELD: Readonly<Record<number, keyof Attrs>> = {
  [Attr.STATUS]: 'status',
  [Attr.OBJPATH]: 'objpath',
  [Attr.OBJID]: 'objid',
  [Attr.METHOD]: 'method',
  [Attr.OBJTYPE]: 'objtype',
  [Attr.SIGNATURE]: 'signature',
  [Attr.DATA]: 'data',
  [Attr.TARGET]: 'target',
  [Attr.ACTIVE]: 'active',
  [Attr.NO_REPLY]: 'noReply',
  [Attr.SUBSCRIBERS]: 'subscribers',
  [Attr.USER]: 'user',
  [Attr.GROUP]: 'group',
};

export function attrsOf(msg: UbusMessage): Attrs {
  const out: Record<string, unknown> = {};
  for (const a of msg.attrs) {
    const field = ATTR_FIELD[a.id];
    if (field && a.kind === ATTR_KIND[a.id]) out[field] = a.value;
  }
  return out as Attrs;
}

/** Attribute constructors, so callers never spell kinds by hand. */
export const A = {
  status: (v: number): MessageAttr => ({ id: Attr.STATUS, kind: 'u32', value: v >>> 0 }),
  objpath: (v: string): MessageAttr => ({ id: Attr.OBJPATH, kind: 'string', value: v }),
  objid: (v: number): MessageAttr => ({ id: Attr.OBJID, kind: 'u32', value: v >>> 0 }),
  method: (v: string): MessageAttr => ({ id: Attr.METHOD, kind: 'string', value: v }),
  objtype: (v: number): MessageAttr => ({ id: Attr.OBJTYPE, kind: 'u32', value: v >>> 0 }),
  signature: (v: BlobmsgNode[]): MessageAttr => ({ id: Attr.SIGNATURE, kind: 'blobmsg', value: v }),
  data: (v: BlobmsgNode[] | { [key: string]: BlobmsgJs | undefined }): MessageAttr => ({
    id: Attr.DATA,
    kind: 'blobmsg',
    value: Array.isArray(v) ? v : tableFromJs(v),
  }),
  target: (v: number): MessageAttr => ({ id: Attr.TARGET, kind: 'u32', value: v >>> 0 }),
  active: (v: boolean): MessageAttr => ({ id: Attr.ACTIVE, kind: 'u8', value: v ? 1 : 0 }),
  noReply: (v: boolean): MessageAttr => ({ id: Attr.NO_REPLY, kind: 'u8', value: v ? 1 : 0 }),
  subscribers: (ids: readonly number[]): MessageAttr => ({
    id: Attr.SUBSCRIBERS,
    kind: 'nested',
    value: ids.map((id) => ({ id: Attr.OBJID, kind: 'u32', value: id >>> 0 })),
  }),
  user: (v: string): MessageAttr => ({ id: Attr.USER, kind: 'string', value: v }),
  group: (v: string): MessageAttr => ({ id: Attr.GROUP, kind: 'string', value: v }),
} as const;

/** DATA attribute content as a plain JS object (or undefined when absent). */
export function dataOf(msg: UbusMessage): { [key: string]: BlobmsgJs } | undefined {
  const d = attrsOf(msg).data;
  return d === undefined ? undefined : tableToJs(d);
}
