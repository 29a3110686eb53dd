/**
 * One connection to the broker: frames in and out, the HELLO handshake, and request/reply
 * bookkeeping. A request is matched to its DATA/STATUS replies by sequence number and peer, as
 * libubus's ubus_find_request does; a NOTIFY request waits for ubusd's STATUS (which lists the
 * subscribers) and then for one STATUS per subscriber. Everything else the broker sends (INVOKE,
 * NOTIFY, UNSUBSCRIBE, MONITOR) goes to the message listener. When the link dies every pending
 * request is rejected at once with UbusDisconnectedError.
 */
import { A, attrsOf, encodeMessage, FrameDecoder, MsgType, type MessageAttr, type UbusMessage } from '../wire/index.js';
import { CLIENT_ID_CHANNEL } from '../wire/constants.js';
import { UbusDisconnectedError, UbusError, UbusTimeoutError } from '../errors.js';
import type { Link, Transport } from './transport.js';
import type { Clock } from './types.js';

/** What a finished request brought back. */
export interface RequestResult {
  /** UBUS_ATTR_STATUS of the final STATUS (INVALID_ARGUMENT when it had none, as libubus) */
  status: number;
  /** every DATA reply, in order */
  data: UbusMessage[];
  /** for NOTIFY: the subscriber object ids ubusd listed */
  subscribers: number[];
}

export interface RequestOptions {
  /** ms until the request fails with UbusTimeoutError; 0 or undefined = wait forever (libubus) */
  timeoutMs?: number;
  /** NOTIFY bookkeeping: wait for every listed subscriber's STATUS */
  notify?: boolean;
  /** called for each DATA reply as it arrives */
  onData?: (msg: UbusMessage) => void;
}

interface Pending {
  peer: number;
  notify: Set<number> | null;
  subscribers: number[];
  data: UbusMessage[];
  onData: ((msg: UbusMessage) => void) | undefined;
  timer: unknown;
  resolve(r: RequestResult): void;
  reject(e: Error): void;
}

const STATUS_INVALID_ARGUMENT = 2;

export class Connection {
  /** our client id, from the broker's HELLO */
  readonly clientId: number;
  private readonly link: Link;
  private readonly clock: Clock;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private isClosed = false;
  private closeError: Error | undefined;
  private messageCbs: Array<(msg: UbusMessage) => void> = [];
  private closeCbs: Array<(error?: Error) => void> = [];

  private constructor(link: Link, clock: Clock, decoder: FrameDecoder, clientId: number) {
    this.link = link;
    this.clock = clock;
    this.decoder = decoder;
    this.clientId = clientId;
  }

  /** Opens a link and waits for HELLO (which carries our client id). */
  static async open(transport: Transport, clock: Clock, helloTimeoutMs = 5000): Promise<Connection> {
    const link = await transport.open();
    const decoder = new FrameDecoder();
    return new Promise<Connection>((resolve, reject) => {
      let conn: Connection | null = null;
      let backlog: UbusMessage[] = [];
      const fail = (why: string, cause?: unknown): void => {
        if (conn) return;
        clock.clearTimeout(timer);
        conn = null;
        link.close();
        reject(new UbusError('ERR_UBUS_CONNECT', `ubus handshake with ${transport.describe} failed: ${why}`, { cause }));
      };
      const timer = clock.setTimeout(() => fail('no HELLO from the broker'), helloTimeoutMs);
      link.onData((bytes) => {
        if (conn) return conn.receive(bytes);
        let msgs: UbusMessage[];
        try {
          msgs = decoder.push(bytes);
        } catch (err) {
          return fail('undecodable data', err);
        }
        if (msgs.length === 0) return;
        const hello = msgs[0]!;
        if (hello.type !== MsgType.HELLO) return fail(`first message has type ${hello.type}, not HELLO`);
        if (hello.peer <= CLIENT_ID_CHANNEL) return fail(`invalid client id ${hello.peer}`);
        clock.clearTimeout(timer);
        conn = new Connection(link, clock, decoder, hello.peer >>> 0);
        backlog = msgs.slice(1);
        link.onClose((err) => conn!.handleClose(err));
        resolve(conn);
        // anything that came in the same chunk as HELLO is handled after the caller has had a
        // chance to attach listeners
        queueMicrotask(() => {
          for (const m of backlog) conn!.dispatch(m);
        });
      });
      link.onClose((err) => {
        if (!conn) fail('connection closed before HELLO', err);
      });
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Registers a listener for broker-initiated messages (INVOKE, NOTIFY, UNSUBSCRIBE, MONITOR). */
  onMessage(cb: (msg: UbusMessage) => void): void {
    this.messageCbs.push(cb);
  }

  /** Called once when the connection is gone. */
  onClose(cb: (error?: Error) => void): void {
    if (this.isClosed) queueMicrotask(() => cb(this.closeError));
    else this.closeCbs.push(cb);
  }

  /** Sends a message that expects no reply (DATA/STATUS answers to an INVOKE). */
  send(msg: UbusMessage): void {
    if (this.isClosed) return;
    this.link.write(encodeMessage(msg));
  }

  /** Sends a request that gets no reply (NOTIFY with NO_REPLY), with a fresh sequence number. */
  post(type: number, attrs: MessageAttr[], peer: number): void {
    if (this.isClosed) throw new UbusDisconnectedError('not connected to ubus', { cause: this.closeError });
    this.link.write(encodeMessage({ type, seq: this.nextSeq(), peer: peer >>> 0, attrs }));
  }

  /** Sends a request and resolves with its replies once the final STATUS arrives. */
  request(type: number, attrs: MessageAttr[], peer: number, opts: RequestOptions = {}): Promise<RequestResult> {
    if (this.isClosed) return Promise.reject(new UbusDisconnectedError('not connected to ubus', { cause: this.closeError }));
    const seq = this.nextSeq();
    // encode first: an unencodable message must fail without leaving a pending entry
    const bytes = encodeMessage({ type, seq, peer: peer >>> 0, attrs });
    return new Promise<RequestResult>((resolve, reject) => {
      const p: Pending = {
        peer: peer >>> 0,
        notify: opts.notify ? new Set([peer >>> 0]) : null,
        subscribers: [],
        data: [],
        onData: opts.onData,
        timer: undefined,
        resolve,
        reject,
      };
      if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
        p.timer = this.clock.setTimeout(() => {
          if (this.pending.get(seq) !== p) return;
          this.pending.delete(seq);
          reject(new UbusTimeoutError(`ubus request timed out after ${opts.timeoutMs} ms`));
        }, opts.timeoutMs);
      }
      this.pending.set(seq, p);
      this.link.write(bytes);
    });
  }

  /** Closes the link; pending requests reject with UbusDisconnectedError. */
  close(): void {
    if (this.isClosed) return;
    this.handleClose(undefined);
    this.link.close();
  }

  private nextSeq(): number {
    for (let i = 0; i < 0x10000; i++) {
      this.seq = (this.seq + 1) & 0xffff;
      if (!this.pending.has(this.seq)) return this.seq;
    }
    throw new UbusError('ERR_UBUS_CLOSED', 'too many requests in flight');
  }

  private receive(bytes: Uint8Array): void {
    if (this.isClosed) return;
    let msgs: UbusMessage[];
    try {
      msgs = this.decoder.push(bytes);
    } catch (err) {
      // the stream has lost framing: drop the connection, as ubusd/libubus do
      this.handleClose(err as Error);
      this.link.close();
      return;
    }
    for (const m of msgs) {
      if (this.isClosed) return;
      this.dispatch(m);
    }
  }

  private dispatch(msg: UbusMessage): void {
    if (msg.type === MsgType.STATUS || msg.type === MsgType.DATA) {
      this.handleReply(msg);
      return;
    }
    for (const cb of this.messageCbs) cb(msg);
  }

  private handleReply(msg: UbusMessage): void {
    const p = this.pending.get(msg.seq);
    if (!p) return;
    const peer = msg.peer >>> 0;
    if (p.notify) {
      if (!p.notify.has(peer)) return;
      if (msg.type === MsgType.DATA) return;
      const a = attrsOf(msg);
      p.notify.delete(peer);
      if (peer === p.peer && a.subscribers) {
        for (const s of a.subscribers) {
          // ubusd nests the ids as attr 0 (not OBJID); libubus only checks for a 4-byte payload
          const id = s.kind === 'u32' ? s.value : s.kind === 'raw' && s.value.length === 4 ? new DataView(s.value.buffer, s.value.byteOffset, 4).getUint32(0) : undefined;
          if (id === undefined) continue;
          p.subscribers.push(id);
          // a subscriber id equal to the object id cannot happen; guard anyway
          if (id !== p.peer) p.notify.add(id);
        }
      }
      if (p.notify.size === 0) this.finish(msg.seq, p, 0);
      return;
    }
    if (peer !== p.peer) return;
    if (msg.type === MsgType.DATA) {
      p.data.push(msg);
      if (p.onData) {
        try {
          p.onData(msg);
        } catch {
          // a caller's callback must not break reply matching
        }
      }
      return;
    }
    this.finish(msg.seq, p, attrsOf(msg).status ?? STATUS_INVALID_ARGUMENT);
  }

  private finish(seq: number, p: Pending, status: number): void {
    this.pending.delete(seq);
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.resolve({ status, data: p.data, subscribers: p.subscribers });
  }

  private handleClose(err: Error | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeError = err;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
      p.reject(new UbusDisconnectedError('connection to ubus lost while a request was in flight', { cause: err }));
    }
    const cbs = this.closeCbs;
    this.closeCbs = [];
    for (const cb of cbs) cb(err);
  }
}

/** STATUS reply to an INVOKE (libubus ubus_complete_deferred_request). */
export function statusReply(req: UbusMessage, objectId: number, status: number): UbusMessage {
  return { type: MsgType.STATUS, seq: req.seq, peer: req.peer, attrs: [A.status(status), A.objid(objectId)] };
}
