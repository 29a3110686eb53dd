/**
 * The broker's protocol core (ubusd_proto.c + ubusd_obj.c): clients, objects, object types,
 * message dispatch and reply routing. No sockets are created here; a BrokerClient wraps one.
 */
import type { Socket } from 'node:net';
import { Attr, MsgType, Status, SystemObject } from '../wire/constants.js';
import { decodeBlobmsgList, pad4 } from '../wire/blobmsg.js';
import { buildFrame, blobmsgFields, withPeer, withType, type BrokerFrame, type OutAttr } from './frames.js';
import { BrokerClient, type ClientHooks } from './client.js';
import { IdTable, PathIndex, newObject, type BrokerObject, type ObjectType, type RandomU32, type Subscription } from './registry.js';
import { EventHub } from './events.js';
import { aclQueryReply } from './acl-object.js';
import { Monitor } from './monitor.js';
import type { Acl } from './acl.js';
import type { PeerCreds } from './creds.js';

/** Handler results besides a status: -1 = no reply from the broker, -2 = queued (LOOKUP). */
const NO_REPLY = -1;
const QUEUED = -2;
/** calls tracked per owner for the NO_DATA answer when the object goes away */
export const MAX_PENDING_PER_OWNER = 65536;

export interface BusStats {
  clients: number;
  objects: number;
  types: number;
  paths: number;
  /** messages dropped because a client's send queue was full */
  dropped: number;
  /** invocations waiting for their owner's final STATUS */
  pendingCalls: number;
  /** bytes waiting in send queues, summed over clients, and the largest single queue */
  queuedBytes: number;
  maxClientQueue: number;
  /** handler exceptions (bugs); the client that triggered one was dropped */
  internalErrors: number;
  lastInternalError: string | undefined;
}

interface PendingCall {
  caller: number;
  seq: number;
  objid: number;
}

export class Bus implements ClientHooks {
  readonly clients: IdTable<BrokerClient>;
  readonly objects: IdTable<BrokerObject>;
  readonly types: IdTable<ObjectType>;
  readonly paths = new PathIndex();
  readonly events: EventHub;
  readonly monitor: Monitor;
  /** per owner client: calls routed to it and not finished yet */
  private readonly pending = new Map<BrokerClient, Map<string, PendingCall>>();
  private droppedByClosed = 0;
  private internalErrors = 0;
  private lastInternalError: string | undefined;

  constructor(random: RandomU32, readonly acl: Acl) {
    this.clients = new IdTable(random);
    this.objects = new IdTable(random);
    this.types = new IdTable(random);
    this.events = new EventHub({ acl, findObject: (id) => this.objects.get(id) });
    this.monitor = new Monitor();
    this.internalObject(SystemObject.EVENT, (cl, _f, method, data) => this.events.invoke(cl, method, data));
    this.internalObject(SystemObject.ACL, (cl, f, method) => {
      if (method !== 'query') return Status.INVALID_COMMAND;
      const reply = aclQueryReply(acl, cl, f);
      if (typeof reply === 'number') return reply;
      this.sendFromRequest(cl, f, MsgType.DATA, reply);
      return Status.OK;
    });
    this.internalObject(SystemObject.MONITOR, (cl, _f, method) => this.monitor.invoke(cl, method));
  }

  private internalObject(id: number, recv: BrokerObject['recv']): void {
    const obj = newObject(id, undefined);
    obj.recv = recv;
    this.objects.alloc(obj, id);
  }

  // -------------------------------------------------------------------------------------------
  // client lifecycle

  /** ubusd_proto_new_client: allocates the id and sends HELLO. */
  addClient(socket: Socket, creds: PeerCreds): BrokerClient {
    const id = this.clients.reserve();
    const cl = new BrokerClient(id, socket, creds, this);
    this.clients.set(id, cl);
    this.track(cl);
    cl.send(buildFrame(MsgType.HELLO, 0, id, []));
    return cl;
  }

  onClose(cl: BrokerClient): void {
    this.monitor.disconnect(cl);
    for (const obj of [...cl.objects]) this.freeObject(obj);
    this.pending.delete(cl);
    this.droppedByClosed += cl.dropped;
    this.clients.free(cl.id);
  }

  onSend(cl: BrokerClient, bytes: Uint8Array): void {
    if (this.monitor.active && bytes[1] !== MsgType.MONITOR) this.monitor.message(cl, bytes, true);
  }

  onInternalError(_cl: BrokerClient, err: unknown): void {
    this.internalErrors++;
    this.lastInternalError = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }

  onDrain(cl: BrokerClient): void {
    while (cl.cmdQueue.length > 0 && !cl.closed) {
      const cmd = cl.cmdQueue[0]!;
      const ret = this.lookup(cl, cmd.frame, cmd);
      if (ret === QUEUED) return;
      cl.cmdQueue.shift();
      this.reply(cl, cmd.frame, ret);
    }
    if (cl.cmdQueue.length === 0 && cl.socket.isPaused()) cl.socket.resume();
  }

  stats(): BusStats {
    let dropped = this.droppedByClosed;
    let pendingCalls = 0;
    for (const m of this.pending.values()) pendingCalls += m.size;
    let queuedBytes = 0;
    let maxClientQueue = 0;
    for (const cl of this.clientList()) {
      dropped += cl.dropped;
      queuedBytes += cl.socket.writableLength;
      maxClientQueue = Math.max(maxClientQueue, cl.socket.writableLength);
    }
    return { clients: this.clientList().length, objects: this.objects.size, types: this.types.size, paths: this.paths.size, dropped, pendingCalls, queuedBytes, maxClientQueue,
      internalErrors: this.internalErrors, lastInternalError: this.lastInternalError };
  }

  /** Every connected client (for shutdown and stats). */
  clientList(): BrokerClient[] {
    return this.connected;
  }
  private connected: BrokerClient[] = [];
  private track(cl: BrokerClient): void {
    this.connected.push(cl);
    cl.socket.once('close', () => {
      this.connected = this.connected.filter((c) => c !== cl);
    });
  }

  // -------------------------------------------------------------------------------------------
  // dispatch (ubusd_proto_receive_message)

  onFrame(cl: BrokerClient, f: BrokerFrame): void {
    if (this.monitor.active) this.monitor.message(cl, f.bytes, false);
    let ret: number;
    switch (f.type) {
      case MsgType.PING: cl.send(withType(f.bytes, MsgType.DATA)); ret = Status.OK; break;
      case MsgType.ADD_OBJECT: ret = this.addObject(cl, f); break;
      case MsgType.REMOVE_OBJECT: ret = this.removeObject(cl, f); break;
      case MsgType.LOOKUP: ret = this.handleLookup(cl, f); break;
      case MsgType.INVOKE: ret = this.invoke(cl, f); break;
      case MsgType.STATUS:
      case MsgType.DATA: ret = this.response(cl, f); break;
      case MsgType.SUBSCRIBE: ret = this.subscribe(cl, f); break;
      case MsgType.UNSUBSCRIBE: ret = this.unsubscribe(cl, f); break;
      case MsgType.NOTIFY: ret = this.notify(cl, f); break;
      default: ret = Status.INVALID_COMMAND;
    }
    if (ret === QUEUED || ret === NO_REPLY) return;
    this.reply(cl, f, ret);
  }

  /** ubusd's retmsg: STATUS with only UBUS_ATTR_STATUS, seq and peer echoed. */
  private reply(cl: BrokerClient, f: BrokerFrame, status: number): void {
    cl.send(buildFrame(MsgType.STATUS, f.seq, f.peer, [{ id: Attr.STATUS, u32: status }]));
  }

  /** A DATA/other reply built like ubus_proto_send_msg_from_blob (seq and peer of the request). */
  private sendFromRequest(cl: BrokerClient, f: BrokerFrame, type: number, attrs: OutAttr[]): void {
    cl.send(buildFrame(type, f.seq, f.peer, attrs));
  }

  // -------------------------------------------------------------------------------------------
  // objects

  private createType(signature: Uint8Array): ObjectType | undefined {
    const methods: ObjectType['methods'] = [];
    try {
      // blobmsg_check_attr(pos, true) on each method: named, well-formed
      decodeBlobmsgList(signature, 0, signature.length, true);
      for (const m of blobmsgFields(signature)) methods.push({ name: m.name, raw: m.raw });
    } catch {
      return undefined;
    }
    const type: ObjectType = { id: 0, methods, refcount: 0 };
    type.id = this.types.alloc(type);
    return type;
  }

  private unrefType(type: ObjectType): void {
    if (--type.refcount > 0) return;
    this.types.free(type.id);
  }

  private addObject(cl: BrokerClient, f: BrokerFrame): number {
    const a = f.attrs;
    let type: ObjectType | undefined;
    if (a.objtype !== undefined) {
      type = this.types.get(a.objtype);
    } else if (a.signature) {
      type = this.createType(a.signature);
      if (!type) return Status.INVALID_ARGUMENT;
    }
    const obj = newObject(0, type);
    obj.id = this.objects.alloc(obj);
    if (type) type.refcount++;
    if (a.objpath !== undefined) {
      if (!this.acl.allowed(cl.creds, a.objpath, undefined, 'publish') || this.paths.has(a.objpath)) {
        this.freeObject(obj);
        return Status.INVALID_ARGUMENT;
      }
      obj.path = a.objpath;
      this.paths.insert(a.objpath, obj);
      this.events.objectEvent(obj, true);
    }
    obj.client = cl;
    cl.objects.unshift(obj);
    const reply: OutAttr[] = [{ id: Attr.OBJID, u32: obj.id }];
    if (a.signature && type) reply.push({ id: Attr.OBJTYPE, u32: type.id });
    this.sendFromRequest(cl, f, MsgType.DATA, reply);
    return Status.OK;
  }

  private removeObject(cl: BrokerClient, f: BrokerFrame): number {
    if (f.attrs.objid === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.objects.get(f.attrs.objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== cl) return Status.PERMISSION_DENIED;
    const reply: OutAttr[] = [{ id: Attr.OBJID, u32: obj.id }];
    if (obj.type && obj.type.refcount === 1) reply.push({ id: Attr.OBJTYPE, u32: obj.type.id });
    this.sendFromRequest(cl, f, MsgType.DATA, reply);
    this.freeObject(obj);
    return Status.OK;
  }

  /** ubusd_free_object */
  freeObject(obj: BrokerObject): void {
    for (const s of [...obj.targets]) this.unsubscribeOne(s);
    for (const s of [...obj.subscribers]) {
      const sub = s.subscriber;
      sub.client?.send(buildFrame(MsgType.UNSUBSCRIBE, ++sub.invokeSeq, 0, [
        { id: Attr.OBJID, u32: sub.id },
        { id: Attr.TARGET, u32: obj.id },
      ]));
      this.unsubscribeOne(s);
    }
    this.events.cleanupObject(obj);
    if (obj.path !== undefined) {
      this.events.objectEvent(obj, false);
      this.paths.delete(obj.path);
    }
    if (obj.client) {
      const i = obj.client.objects.indexOf(obj);
      if (i >= 0) obj.client.objects.splice(i, 1);
      this.failPending(obj);
    }
    this.objects.free(obj.id);
    if (obj.type) this.unrefType(obj.type);
  }

  // -------------------------------------------------------------------------------------------
  // lookup

  private handleLookup(cl: BrokerClient, f: BrokerFrame): number {
    if (cl.buffering || cl.cmdQueue.length > 0) return this.queueLookup(cl, { frame: f, resumeAt: undefined });
    return this.lookup(cl, f, undefined);
  }

  private queueLookup(cl: BrokerClient, cmd: { frame: BrokerFrame; resumeAt: string | undefined }): number {
    cl.cmdQueue.push(cmd);
    // a client that does not read its replies is not read from either, so queued work stays bounded
    cl.socket.pause();
    return QUEUED;
  }

  private lookup(cl: BrokerClient, f: BrokerFrame, cmd: { frame: BrokerFrame; resumeAt: string | undefined } | undefined): number {
    const path = f.attrs.objpath;
    if (path === undefined) {
      let next = cmd?.resumeAt ?? this.paths.next(undefined);
      while (next !== undefined) {
        if (cl.buffering) {
          if (cmd) {
            cmd.resumeAt = next;
            return QUEUED;
          }
          return this.queueLookup(cl, { frame: f, resumeAt: next });
        }
        this.sendObj(cl, f, this.paths.get(next)!);
        next = this.paths.next(next);
      }
      return Status.OK;
    }
    if (path.length === 0) return Status.INVALID_ARGUMENT;
    if (!path.endsWith('*')) {
      const obj = this.paths.get(path);
      if (!obj) return Status.NOT_FOUND;
      this.sendObj(cl, f, obj);
      return Status.OK;
    }
    const prefix = path.slice(0, -1);
    let found = false;
    for (const obj of this.paths.from(prefix)) {
      if (!obj.path!.startsWith(prefix)) break;
      found = true;
      this.sendObj(cl, f, obj);
    }
    return found ? Status.OK : Status.NOT_FOUND;
  }

  /** ubusd_send_obj: OBJPATH, OBJID, OBJTYPE, SIGNATURE (methods the peer may call). */
  private sendObj(cl: BrokerClient, f: BrokerFrame, obj: BrokerObject): void {
    if (!obj.type) return;
    const parts: Uint8Array[] = [];
    let size = 0;
    for (const m of obj.type.methods) {
      if (!this.acl.allowed(cl.creds, obj.path, m.name, 'access')) continue;
      parts.push(m.raw);
      size += pad4(m.raw.length);
    }
    if (parts.length === 0 && obj.type.methods.length > 0) return;
    const sig = new Uint8Array(size);
    let pos = 0;
    for (const p of parts) {
      sig.set(p, pos);
      pos += pad4(p.length);
    }
    this.sendFromRequest(cl, f, MsgType.DATA, [
      { id: Attr.OBJPATH, str: obj.path! },
      { id: Attr.OBJID, u32: obj.id },
      { id: Attr.OBJTYPE, u32: obj.type.id },
      { id: Attr.SIGNATURE, raw: sig },
    ]);
  }

  // -------------------------------------------------------------------------------------------
  // invoke and replies

  private forwardInvoke(from: BrokerClient, to: BrokerObject, method: string, f: BrokerFrame, noReply: boolean): void {
    const attrs: OutAttr[] = [];
    if (noReply) attrs.push({ id: Attr.NO_REPLY, u8: 1 });
    attrs.push({ id: Attr.OBJID, u32: to.id }, { id: Attr.METHOD, str: method });
    attrs.push({ id: Attr.USER, str: from.creds.user }, { id: Attr.GROUP, str: from.creds.group });
    if (f.attrs.data) attrs.push({ id: Attr.DATA, raw: f.attrs.data });
    to.client!.send(buildFrame(MsgType.INVOKE, f.seq, from.id, attrs));
  }

  private invoke(cl: BrokerClient, f: BrokerFrame): number {
    const { method, objid } = f.attrs;
    if (method === undefined || objid === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.objects.get(objid);
    if (!obj) return Status.NOT_FOUND;
    if (!this.acl.allowed(cl.creds, obj.path, method, 'access')) return Status.PERMISSION_DENIED;
    if (!obj.client) return obj.recv ? obj.recv(cl, f, method, f.attrs.data) : Status.NOT_FOUND;
    this.forwardInvoke(cl, obj, method, f, false);
    let m = this.pending.get(obj.client);
    if (!m) this.pending.set(obj.client, (m = new Map()));
    // bounded bookkeeping: past the cap a caller just waits for its own timeout, as with ubusd
    if (m.size < MAX_PENDING_PER_OWNER) m.set(`${cl.id}/${f.seq}/${obj.id}`, { caller: cl.id, seq: f.seq, objid: obj.id });
    return NO_REPLY;
  }

  /** ubusd_handle_response: DATA/STATUS from an object owner back to the caller (peer = OBJID). */
  private response(cl: BrokerClient, f: BrokerFrame): number {
    const a = f.attrs;
    if (a.objid === undefined) return NO_REPLY;
    if (f.type === MsgType.STATUS && a.status === undefined) return NO_REPLY;
    if (f.type === MsgType.DATA && a.data === undefined) return NO_REPLY;
    const obj = this.objects.get(a.objid);
    if (!obj || obj.client !== cl) return NO_REPLY;
    if (f.type === MsgType.STATUS) this.pending.get(cl)?.delete(`${f.peer}/${f.seq}/${a.objid}`);
    const caller = this.clients.get(f.peer);
    if (!caller) return NO_REPLY;
    caller.send(withPeer(f.bytes, a.objid));
    return NO_REPLY;
  }

  /**
   * Calls routed to an object that goes away (its owner disconnected or removed it) can never be
   * answered; ubusd leaves the caller to time out, we answer NO_DATA ("No response") at once.
   */
  private failPending(obj: BrokerObject): void {
    const m = obj.client && this.pending.get(obj.client);
    if (!m) return;
    for (const [key, p] of m) {
      if (p.objid !== obj.id) continue;
      m.delete(key);
      this.clients.get(p.caller)?.send(buildFrame(MsgType.STATUS, p.seq, p.objid, [
        { id: Attr.STATUS, u32: Status.NO_DATA },
        { id: Attr.OBJID, u32: p.objid },
      ]));
    }
  }

  // -------------------------------------------------------------------------------------------
  // subscriptions and notify

  private notifySubscription(obj: BrokerObject): void {
    obj.client?.send(buildFrame(MsgType.NOTIFY, ++obj.invokeSeq, 0, [
      { id: Attr.OBJID, u32: obj.id },
      { id: Attr.ACTIVE, u8: obj.subscribers.length > 0 ? 1 : 0 },
    ]));
  }

  private unsubscribeOne(s: Subscription): void {
    const t = s.target;
    const i = t.subscribers.indexOf(s);
    if (i < 0) return;
    t.subscribers.splice(i, 1);
    const j = s.subscriber.targets.indexOf(s);
    if (j >= 0) s.subscriber.targets.splice(j, 1);
    if (t.subscribers.length === 0) this.notifySubscription(t);
  }

  private subscribe(cl: BrokerClient, f: BrokerFrame): number {
    const { objid, target: tid } = f.attrs;
    if (objid === undefined || tid === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.objects.get(objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== cl) return Status.INVALID_ARGUMENT;
    const target = this.objects.get(tid);
    if (!target || !target.client) return Status.NOT_FOUND;
    if (target.client === cl) return Status.INVALID_ARGUMENT;
    if (target.path === undefined) {
      const tc = target.client.creds;
      if (tc.user !== cl.creds.user && tc.group !== cl.creds.group) return Status.NOT_FOUND;
    } else if (!this.acl.allowed(cl.creds, target.path, undefined, 'subscribe')) {
      return Status.NOT_FOUND;
    }
    const first = target.subscribers.length === 0;
    const s: Subscription = { subscriber: obj, target };
    target.subscribers.unshift(s);
    obj.targets.unshift(s);
    if (first) this.notifySubscription(target);
    return Status.OK;
  }

  private unsubscribe(cl: BrokerClient, f: BrokerFrame): number {
    const { objid, target: tid } = f.attrs;
    if (objid === undefined || tid === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.objects.get(objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== cl) return Status.INVALID_ARGUMENT;
    const s = obj.targets.find((x) => x.target.id === tid);
    if (!s) return Status.NOT_FOUND;
    this.unsubscribeOne(s);
    return Status.OK;
  }

  private notify(cl: BrokerClient, f: BrokerFrame): number {
    const { method, objid } = f.attrs;
    if (method === undefined || objid === undefined) return Status.INVALID_ARGUMENT;
    const noReply = (f.attrs.noReply ?? 0) !== 0;
    const obj = this.objects.get(objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== cl) return Status.PERMISSION_DENIED;
    if (!noReply) {
      const w: OutAttr[] = [{ id: Attr.OBJID, u32: obj.id }];
      const subs = new Uint8Array(8 * obj.subscribers.length);
      const view = new DataView(subs.buffer);
      obj.subscribers.forEach((s, i) => {
        view.setUint32(i * 8, 8);
        view.setUint32(i * 8 + 4, s.subscriber.id);
      });
      w.push({ id: Attr.SUBSCRIBERS, raw: subs }, { id: Attr.STATUS, u32: 0 });
      this.sendFromRequest(cl, f, MsgType.STATUS, w);
    }
    for (const s of [...obj.subscribers]) this.forwardInvoke(cl, s.subscriber, method, f, noReply);
    return NO_REPLY;
  }
}
