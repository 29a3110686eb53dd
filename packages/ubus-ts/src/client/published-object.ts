/**
 * An object we publish (libubus ubus_add_object): path + methods, INVOKEs checked against the
 * method's policy, answered by its handler. Tracks subscriber presence from the broker's NOTIFY
 * and sends notifications to subscribers (ubus_notify).
 */
import { A, MsgType, tableFromJs, tableToJs, type Attrs, type UbusMessage } from '../wire/index.js';
import { Status } from '../wire/constants.js';
import { UbusStatusError } from '../errors.js';
import type { Connection } from './connection.js';
import { statusReply } from './connection.js';
import type { ClientCore, LocalObject } from './core.js';
import { answerInvoke, dataReply } from './invoke.js';
import { buildSignature, policyViolation } from './signature.js';
import type { MethodDef, UbusData, UbusObject, UbusRequest } from './types.js';

export class PublishedObject implements UbusObject, LocalObject {
  readonly path: string;
  id = 0;
  typeId = 0;
  subscriberCount = 0;
  private readonly methods: Record<string, MethodDef>;
  private readonly core: ClientCore;
  private readonly subscriberCbs: Array<(count: number) => void> = [];
  private removed = false;

  constructor(core: ClientCore, path: string, methods: Record<string, MethodDef>) {
    this.core = core;
    this.path = path;
    this.methods = methods;
  }

  async register(): Promise<void> {
    const r = await this.core.addObject(this, [A.objpath(this.path), A.signature(buildSignature(this.methods))]);
    this.id = r.id;
    this.typeId = r.typeId;
  }

  lost(): void {
    this.id = 0;
    this.setCount(0);
  }

  invoke(conn: Connection, msg: UbusMessage, a: Attrs): void {
    const objectId = this.id;
    const noReply = a.noReply !== undefined && a.noReply !== 0;
    const fail = (status: number): void => {
      if (!noReply) conn.send(statusReply(msg, objectId, status));
    };
    if (a.method === undefined) return fail(Status.INVALID_ARGUMENT);
    const def = Object.prototype.hasOwnProperty.call(this.methods, a.method) ? this.methods[a.method] : undefined;
    if (!def) return fail(Status.METHOD_NOT_FOUND);
    if (a.data === undefined) return fail(Status.INVALID_ARGUMENT);
    if (policyViolation(def.policy, a.data) !== undefined) return fail(Status.INVALID_ARGUMENT);
    const req: UbusRequest = {
      path: this.path,
      method: a.method,
      args: tableToJs(a.data),
      peer: msg.peer >>> 0,
      user: a.user,
      group: a.group,
      reply: (data) => {
        if (!noReply) conn.send(dataReply(msg, objectId, data));
      },
    };
    answerInvoke(conn, msg, objectId, noReply, () => def.handler(req));
  }

  brokerNotify(a: Attrs): void {
    if (a.active === undefined) return;
    // ubusd only says whether there are subscribers; the exact count is learnt from notify()
    this.setCount(a.active ? Math.max(1, this.subscriberCount) : 0);
  }

  onSubscribersChanged(cb: (count: number) => void): void {
    this.subscriberCbs.push(cb);
  }

  async notify(type: string, data: UbusData, opts: { timeoutMs?: number; noReply?: boolean } = {}): Promise<void> {
    if (this.removed) throw new UbusStatusError(Status.NOT_FOUND, `object ${this.path} was removed`);
    const attrs = [A.objid(this.id), A.method(type), A.data(tableFromJs(data))];
    if (opts.noReply) {
      attrs.push(A.noReply(true));
      // ubusd sends no STATUS for a no-reply NOTIFY, so there is nothing to wait for
      this.core.post(MsgType.NOTIFY, attrs, this.id);
      return;
    }
    const r = await this.core.requestOk(MsgType.NOTIFY, attrs, this.id, {
      notify: true,
      timeoutMs: opts.timeoutMs ?? this.core.defaultTimeoutMs,
    });
    this.setCount(r.subscribers.length);
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await this.core.removeObject(this);
    this.id = 0;
  }

  private setCount(n: number): void {
    if (n === this.subscriberCount) return;
    this.subscriberCount = n;
    for (const cb of this.subscriberCbs) cb(n);
  }
}
