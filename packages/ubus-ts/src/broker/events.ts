/**
 * The event object (id 1) as ubusd_event.c implements it: `register {object, pattern}` binds a
 * pattern (exact, or prefix with a trailing `*`) to one of the caller's objects; `send {id, data}`
 * delivers INVOKE(peer 0, method = event id, DATA = data's members) once per matching object,
 * never back to the sender, each delivery with the next value of one global event seq.
 */
import { Attr, BlobmsgType, MsgType, Status } from '../wire/constants.js';
import { BlobWriter, encodeBlobmsgList, type BlobmsgNode } from '../wire/blobmsg.js';
import { SortedPrefixList, parsePattern } from './prefix-match.js';
import { blobmsgField, blobmsgFields, buildFrame, fieldString, fieldU32 } from './frames.js';
import type { BrokerObject } from './registry.js';
import type { BrokerClient } from './client.js';
import type { Acl } from './acl.js';

interface EventSource {
  key: string;
  partial: boolean;
  obj: BrokerObject;
}

export interface EventDeps {
  acl: Acl;
  findObject(id: number): BrokerObject | undefined;
}

/** Offset of the OBJID value in a frame whose first attribute is OBJID. */
const OBJID_VALUE_OFFSET = 16;

export class EventHub {
  private readonly patterns = new SortedPrefixList<EventSource>();
  private readonly byObject = new Map<BrokerObject, EventSource[]>();
  private eventSeq = 0;
  private objEventSeq = 1;
  /** deliveries made, for statistics */
  delivered = 0;

  constructor(private readonly deps: EventDeps) {}

  /** INVOKE on object 1. Returns a ubus status. */
  invoke(cl: BrokerClient, method: string, data: Uint8Array | undefined): number {
    if (method === 'register') return this.register(cl, data);
    if (method === 'send') return this.forward(cl, data);
    return Status.INVALID_COMMAND;
  }

  private register(cl: BrokerClient, data: Uint8Array | undefined): number {
    if (!data) return Status.INVALID_ARGUMENT;
    const fields = safeFields(data);
    const objF = blobmsgField(fields, 'object', BlobmsgType.INT32);
    const patF = blobmsgField(fields, 'pattern', BlobmsgType.STRING);
    const id = objF && fieldU32(objF);
    const pattern = patF && fieldString(patF);
    if (id === undefined || pattern === undefined) return Status.INVALID_ARGUMENT;
    if (id < 1024) return Status.PERMISSION_DENIED;
    const obj = this.deps.findObject(id);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== cl) return Status.PERMISSION_DENIED;
    if (pattern.length === 0) return Status.PERMISSION_DENIED;
    const { key, partial } = parsePattern(pattern);
    if (!this.deps.acl.allowed(cl.creds, key, undefined, 'listen')) return Status.PERMISSION_DENIED;
    const ev: EventSource = { key, partial, obj };
    this.patterns.insert(ev);
    const list = this.byObject.get(obj);
    if (list) list.push(ev);
    else this.byObject.set(obj, [ev]);
    return Status.OK;
  }

  private forward(cl: BrokerClient, data: Uint8Array | undefined): number {
    if (!data) return Status.INVALID_ARGUMENT;
    const fields = safeFields(data);
    const idF = blobmsgField(fields, 'id', BlobmsgType.STRING);
    const dataF = blobmsgField(fields, 'data', BlobmsgType.TABLE);
    const id = idF && fieldString(idF);
    if (id === undefined || !dataF) return Status.INVALID_ARGUMENT;
    if (id.startsWith('ubus.')) return Status.PERMISSION_DENIED;
    return this.send(cl, id, dataF.value);
  }

  /**
   * ubusd_send_event. `from` undefined = the broker itself (object add/remove, acl sequence).
   * `body` is the DATA payload (blobmsg table members).
   */
  send(from: BrokerClient | undefined, id: string, body: Uint8Array): number {
    if (!this.deps.acl.allowed(from?.creds, id, undefined, 'send')) return Status.PERMISSION_DENIED;
    this.objEventSeq++;
    let template: Uint8Array | undefined;
    for (const ev of this.patterns.matches(id)) {
      const obj = ev.obj;
      if (!obj.client || obj.client === from) continue;
      if (obj.eventSeen === this.objEventSeq) continue;
      obj.eventSeen = this.objEventSeq;
      template ??= buildFrame(MsgType.INVOKE, 0, 0, [
        { id: Attr.OBJID, u32: 0 },
        { id: Attr.METHOD, str: id },
        { id: Attr.DATA, raw: body },
      ]);
      const frame = template.slice();
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      this.eventSeq = (this.eventSeq + 1) | 0;
      view.setUint16(2, this.eventSeq & 0xffff);
      view.setUint32(OBJID_VALUE_OFFSET, obj.id);
      obj.client.send(frame);
      this.delivered++;
    }
    return Status.OK;
  }

  /** `ubus.object.add` / `ubus.object.remove` {id, path} */
  objectEvent(obj: BrokerObject, add: boolean): void {
    if (this.patterns.size === 0) return;
    this.send(undefined, add ? 'ubus.object.add' : 'ubus.object.remove', blobmsgBody([
      { type: BlobmsgType.INT32, name: 'id', value: obj.id | 0 },
      { type: BlobmsgType.STRING, name: 'path', value: obj.path ?? '' },
    ]));
  }

  /** ubusd_event_cleanup_object */
  cleanupObject(obj: BrokerObject): void {
    const list = this.byObject.get(obj);
    if (!list) return;
    this.byObject.delete(obj);
    const gone = new Set(list);
    this.patterns.removeWhere((e) => gone.has(e));
  }
}

export function blobmsgBody(nodes: BlobmsgNode[]): Uint8Array {
  const w = new BlobWriter(64);
  encodeBlobmsgList(w, nodes);
  return w.toBytes();
}

function safeFields(data: Uint8Array): ReturnType<typeof blobmsgFields> {
  try {
    return blobmsgFields(data);
  } catch {
    return [];
  }
}
