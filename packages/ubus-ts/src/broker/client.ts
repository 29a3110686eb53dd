/**
 * One connected peer: its socket, credentials, objects and bounded send queue. Frames arrive
 * through a FrameReader; a framing error drops this client only. Sending follows ubusd's
 * `ubus_msg_send`: while earlier data is still queued, a message that would push the queue past
 * UBUS_CLIENT_MAX_TXQ_LEN (1 MiB) is dropped (counted in `dropped`), never buffered without bound.
 */
import type { Socket } from 'node:net';
import { MAX_MSG_LEN } from '../wire/constants.js';
import { FrameReader } from '../wire/decoder.js';
import { parseFrame, type BrokerFrame } from './frames.js';
import { UbusProtocolError } from '../errors.js';
import type { BrokerObject } from './registry.js';
import type { PeerCreds } from './creds.js';

/** UBUS_CLIENT_MAX_TXQ_LEN */
export const CLIENT_MAX_TXQ_LEN = MAX_MSG_LEN;

/** A LOOKUP of all objects paused because the client stopped reading (ubusd's cmd_queue). */
export interface PendingLookup {
  frame: BrokerFrame;
  /** path of the next object to send; undefined = start */
  resumeAt: string | undefined;
}

export interface ClientHooks {
  /** every frame this client sent us, in order */
  onFrame(cl: BrokerClient, frame: BrokerFrame): void;
  /** before a frame is written to this client (monitor) */
  onSend(cl: BrokerClient, bytes: Uint8Array): void;
  onClose(cl: BrokerClient): void;
  /** the socket can take more data again: resume paused lookups */
  onDrain(cl: BrokerClient): void;
  /** a handler threw (a bug, not bad input) */
  onInternalError(cl: BrokerClient, err: unknown): void;
}

export class BrokerClient {
  readonly objects: BrokerObject[] = [];
  readonly cmdQueue: PendingLookup[] = [];
  /** messages dropped because the send queue was full */
  dropped = 0;
  closed = false;
  private readonly reader = new FrameReader();

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly creds: PeerCreds,
    private readonly hooks: ClientHooks,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => hooks.onDrain(this));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.close());
  }

  /** True while the kernel buffer is full and node holds data for us (ubusd: tx_queue non-empty). */
  get buffering(): boolean {
    return this.socket.writableNeedDrain;
  }

  send(bytes: Uint8Array, monitor = true): void {
    if (this.closed) return;
    if (monitor) this.hooks.onSend(this, bytes);
    const queued = this.socket.writableLength;
    if (queued > 0 && queued + bytes.length > CLIENT_MAX_TXQ_LEN) {
      this.dropped++;
      return;
    }
    this.socket.write(bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.hooks.onClose(this);
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.reader.push(chunk, (bytes) => {
        if (this.closed) return;
        this.hooks.onFrame(this, parseFrame(bytes));
      });
    } catch (err) {
      // lost framing or a broken attribute chain: this peer is gone, nobody else is affected.
      // Anything else is a broker bug: counted, and the peer that triggered it is dropped.
      if (!(err instanceof UbusProtocolError)) this.hooks.onInternalError(this, err);
      this.close();
    }
  }
}
