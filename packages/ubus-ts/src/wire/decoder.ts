/**
 * Sans-IO streaming frame decoding: push bytes in, get complete frames out. The 12-byte prefix
 * is validated (version, top attr, length ≤ UBUS_MAX_MSGLEN) before the frame buffer is
 * allocated, so a hostile peer cannot make us allocate more than one maximal frame. After a
 * framing error the reader is poisoned: the stream has lost framing and the connection must be
 * dropped. FrameReader yields raw frames (the broker forwards them as they are); FrameDecoder
 * decodes them into messages (the client).
 */
import {
  BLOB_ATTR_EXTENDED,
  BLOB_ATTR_ID_MASK,
  BLOB_ATTR_LEN_MASK,
  FRAME_PREFIX_LEN,
  HEADER_LEN,
  MAX_MSG_LEN,
  PROTOCOL_VERSION,
} from './constants.js';
import { decodeMessage, type UbusMessage } from './message.js';
import { pad4 } from './blobmsg.js';
import { UbusProtocolError } from '../errors.js';

export interface DecoderOptions {
  /** Largest padded top-level blob accepted (defaults to UBUS_MAX_MSGLEN, 1 MiB). */
  maxMessageLength?: number;
}

/** Splits a byte stream into complete raw frames (header + padded top-level attr), each its own copy. */
export class FrameReader {
  private readonly max: number;
  private prefix = new Uint8Array(FRAME_PREFIX_LEN);
  private prefixFill = 0;
  private frame: Uint8Array | null = null;
  private frameFill = 0;
  private failed: UbusProtocolError | null = null;

  constructor(opts: DecoderOptions = {}) {
    this.max = opts.maxMessageLength ?? MAX_MSG_LEN;
  }

  /** Bytes held for an incomplete frame (bounded by 12 + max message length). */
  get buffered(): number {
    return this.frame ? this.frameFill : this.prefixFill;
  }

  /**
   * Feeds bytes; calls `onFrame` for each frame they complete, in order, as soon as it is
   * complete (frames before a framing error are delivered). Throws UbusProtocolError on bad
   * framing; an error thrown by `onFrame` propagates and leaves the reader usable.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    if (this.failed) throw this.failed;
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.frame) {
        // fast path: a whole frame inside the chunk needs no copy of the prefix
        if (this.prefixFill === 0 && chunk.length - pos >= FRAME_PREFIX_LEN) {
          const total = this.checkPrefix(chunk.subarray(pos, pos + FRAME_PREFIX_LEN));
          if (chunk.length - pos >= total) {
            const f = chunk.slice(pos, pos + total);
            pos += total;
            onFrame(f);
            continue;
          }
          this.frame = new Uint8Array(total);
          this.frame.set(chunk.subarray(pos), 0);
          this.frameFill = chunk.length - pos;
          break;
        }
        const take = Math.min(FRAME_PREFIX_LEN - this.prefixFill, chunk.length - pos);
        this.prefix.set(chunk.subarray(pos, pos + take), this.prefixFill);
        this.prefixFill += take;
        pos += take;
        if (this.prefixFill < FRAME_PREFIX_LEN) break;
        const total = this.checkPrefix(this.prefix);
        this.frame = new Uint8Array(total);
        this.frame.set(this.prefix);
        this.frameFill = FRAME_PREFIX_LEN;
        this.prefixFill = 0;
      }
      const take = Math.min(this.frame.length - this.frameFill, chunk.length - pos);
      this.frame.set(chunk.subarray(pos, pos + take), this.frameFill);
      this.frameFill += take;
      pos += take;
      if (this.frameFill === this.frame.length) {
        const f = this.frame;
        this.frame = null;
        this.frameFill = 0;
        onFrame(f);
      }
    }
  }

  private checkPrefix(p: Uint8Array): number {
    const view = new DataView(p.buffer, p.byteOffset, FRAME_PREFIX_LEN);
    const version = view.getUint8(0);
    if (version !== PROTOCOL_VERSION) this.fail('ERR_UBUS_BAD_VERSION', `unsupported protocol version ${version}`, 0);
    const top = view.getUint32(HEADER_LEN);
    if ((top & (BLOB_ATTR_ID_MASK | BLOB_ATTR_EXTENDED)) !== 0) this.fail('ERR_UBUS_BAD_TOP_ATTR', 'top-level attribute must have id 0 and no extended bit', HEADER_LEN);
    const len = top & BLOB_ATTR_LEN_MASK;
    if (len < 4) this.fail('ERR_UBUS_BAD_TOP_ATTR', `top-level attribute length ${len} is shorter than its header`, HEADER_LEN);
    if (pad4(len) > this.max) this.fail('ERR_UBUS_FRAME_TOO_LARGE', `message of ${pad4(len)} bytes exceeds the ${this.max}-byte limit`, HEADER_LEN);
    return HEADER_LEN + pad4(len);
  }

  private fail(code: 'ERR_UBUS_BAD_VERSION' | 'ERR_UBUS_BAD_TOP_ATTR' | 'ERR_UBUS_FRAME_TOO_LARGE', msg: string, offset: number): never {
    this.failed = new UbusProtocolError(code, msg, offset);
    throw this.failed;
  }
}

/** Decodes a byte stream into messages; after any error (framing or a frame's attrs) it stays failed. */
export class FrameDecoder {
  private readonly reader: FrameReader;
  private failed: UbusProtocolError | null = null;

  constructor(opts: DecoderOptions = {}) {
    this.reader = new FrameReader(opts);
  }

  /** Bytes held for an incomplete frame (bounded by 12 + max message length). */
  get buffered(): number {
    return this.reader.buffered;
  }

  /** Feeds bytes; returns every message completed by them. Throws UbusProtocolError on bad input. */
  push(chunk: Uint8Array): UbusMessage[] {
    if (this.failed) throw this.failed;
    const out: UbusMessage[] = [];
    try {
      this.reader.push(chunk, (f) => out.push(decodeMessage(f)));
    } catch (err) {
      this.failed = err instanceof UbusProtocolError ? err : new UbusProtocolError('ERR_UBUS_BAD_ATTR', 'undecodable frame', undefined, { cause: err });
      throw this.failed;
    }
    return out;
  }
}
