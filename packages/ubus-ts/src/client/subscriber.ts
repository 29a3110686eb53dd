/**
 * A subscription to one object's notifications (libubus ubus_subscriber + ubus_subscribe): an
 * anonymous object that the broker forwards the target's NOTIFYs to, as INVOKEs. When the
 * target goes away (UNSUBSCRIBE from the broker) or is missing after a reconnect, the
 * subscription waits for `ubus.object.add` of the same path and subscribes again, so a
 * restarted publisher is followed without the caller doing anything.
 */
import { A, MsgType, tableToJs, type Attrs, type UbusMessage } from '../wire/index.js';
import { Status } from '../wire/constants.js';
import { UbusStatusError } from '../errors.js';
import type { Connection } from './connection.js';
import type { ClientCore, LocalObject } from './core.js';
import { answerInvoke } from './invoke.js';
import type { NotifyHandler, Subscription } from './types.js';

export class Subscriber implements LocalObject, Subscription {
  id = 0;
  /** object id of the target while subscribed, 0 while waiting for it */
  targetId = 0;
  readonly path: string;
  private readonly core: ClientCore;
  private readonly handler: NotifyHandler;
  private stopped = false;

  constructor(core: ClientCore, path: string, handler: NotifyHandler) {
    this.core = core;
    this.path = path;
    this.handler = handler;
  }

  /** Creates the subscriber object and subscribes; a missing target leaves it waiting. */
  async register(): Promise<void> {
    const r = await this.core.addObject(this, []);
    this.id = r.id;
    this.targetId = 0;
    try {
      await this.attach(await this.core.lookupId(this.path));
    } catch (err) {
      if (!(err instanceof UbusStatusError && err.status === Status.NOT_FOUND)) throw err;
    }
  }

  /** First registration: the target must exist (as ubus_subscribe would fail). */
  async start(): Promise<void> {
    await this.register();
    if (this.targetId === 0) {
      await this.core.removeObject(this).catch(() => undefined);
      throw new UbusStatusError(Status.NOT_FOUND, `subscribe ${this.path}`);
    }
  }

  /** `ubus.object.add` was seen for `path` with id `id` */
  objectAdded(path: string, id: number): void {
    if (this.stopped || this.id === 0 || this.targetId !== 0 || path !== this.path) return;
    this.attach(id).catch(() => undefined);
  }

  private async attach(target: number): Promise<void> {
    // set before the reply: an UNSUBSCRIBE right behind the STATUS must find it
    this.targetId = target;
    try {
      await this.core.requestOk(MsgType.SUBSCRIBE, [A.objid(this.id), A.target(target)], 0, { timeoutMs: this.core.defaultTimeoutMs });
    } catch (err) {
      if (this.targetId === target) this.targetId = 0;
      throw err;
    }
  }

  lost(): void {
    this.id = 0;
    this.targetId = 0;
  }

  invoke(conn: Connection, msg: UbusMessage, a: Attrs): void {
    const noReply = a.noReply !== undefined && a.noReply !== 0;
    const objectId = this.id;
    if (a.method === undefined || a.data === undefined) {
      if (!noReply) answerInvoke(conn, msg, objectId, false, () => Promise.reject(new UbusStatusError(Status.INVALID_ARGUMENT)));
      return;
    }
    const method = a.method;
    const data = a.data;
    answerInvoke(conn, msg, objectId, noReply, () => this.handler(method, tableToJs(data), data));
  }

  brokerUnsubscribe(a: Attrs): void {
    if (a.target !== undefined && a.target === this.targetId) this.targetId = 0;
  }

  get waiting(): boolean {
    return this.targetId === 0;
  }

  async unsubscribe(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.targetId !== 0 && this.id !== 0) {
      await this.core
        .requestOk(MsgType.UNSUBSCRIBE, [A.objid(this.id), A.target(this.targetId)], 0, { timeoutMs: this.core.defaultTimeoutMs })
        .catch(() => undefined);
    }
    await this.core.removeObject(this);
    this.id = 0;
    this.targetId = 0;
  }
}
