/**
 * An event listener (libubus ubus_register_event_handler): an anonymous object registered with
 * the broker's event object (id 1) under one pattern. Events arrive as INVOKE with the event
 * type as METHOD; each is answered with STATUS 0.
 */
import { A, BlobmsgType, MsgType, tableToJs, type Attrs, type BlobmsgNode, type UbusMessage } from '../wire/index.js';
import { Status, SystemObject } from '../wire/constants.js';
import type { Connection } from './connection.js';
import { statusReply } from './connection.js';
import type { ClientCore, LocalObject } from './core.js';
import type { EventHandler } from './types.js';

export class EventListener implements LocalObject {
  id = 0;
  private readonly core: ClientCore;
  readonly pattern: string;
  private readonly handler: EventHandler;

  constructor(core: ClientCore, pattern: string, handler: EventHandler) {
    this.core = core;
    this.pattern = pattern;
    this.handler = handler;
  }

  async register(): Promise<void> {
    const r = await this.core.addObject(this, []);
    this.id = r.id;
    const data: BlobmsgNode[] = [
      // ubusd's policy wants int32; ids above 2^31 must still go as int32 bits
      { type: BlobmsgType.INT32, name: 'object', value: this.id | 0 },
      { type: BlobmsgType.STRING, name: 'pattern', value: this.pattern },
    ];
    await this.core.requestOk(MsgType.INVOKE, [A.objid(SystemObject.EVENT), A.method('register'), A.data(data)], SystemObject.EVENT, {
      timeoutMs: this.core.defaultTimeoutMs,
    });
  }

  lost(): void {
    this.id = 0;
  }

  invoke(conn: Connection, msg: UbusMessage, a: Attrs): void {
    const noReply = a.noReply !== undefined && a.noReply !== 0;
    const reply = (status: number): void => {
      if (!noReply) conn.send(statusReply(msg, this.id, status));
    };
    if (a.method === undefined || a.data === undefined) return reply(Status.INVALID_ARGUMENT);
    reply(Status.OK);
    try {
      this.handler(a.method, tableToJs(a.data), a.data);
    } catch {
      // a throwing listener must not break the connection; the event was delivered
    }
  }

  /** removes the anonymous object; the broker drops its pattern with it */
  async remove(): Promise<void> {
    await this.core.removeObject(this);
    this.id = 0;
  }
}
