/**
 * The narrow view of the client that local objects (published objects, event listeners,
 * subscribers) get: enough to (re)register themselves and send requests, nothing else.
 */
import type { Attrs, MessageAttr, UbusMessage } from '../wire/index.js';
import type { Connection, RequestOptions, RequestResult } from './connection.js';
import type { Clock } from './types.js';

export interface ClientCore {
  readonly clock: Clock;
  readonly defaultTimeoutMs: number;
  /** a request on the current connection; rejects with UbusDisconnectedError when there is none */
  request(type: number, attrs: MessageAttr[], peer: number, opts?: RequestOptions): Promise<RequestResult>;
  /** like request, but a non-zero status rejects with UbusStatusError */
  requestOk(type: number, attrs: MessageAttr[], peer: number, opts?: RequestOptions): Promise<RequestResult>;
  /** sends a request nobody answers (NOTIFY with NO_REPLY); throws when disconnected */
  post(type: number, attrs: MessageAttr[], peer: number): void;
  /**
   * ADD_OBJECT; binds `obj` to the new id (and sets `obj.id`) as soon as the DATA reply is
   * read, before the STATUS: the broker may send INVOKE/NOTIFY for it right behind the reply,
   * in the same chunk (libubus inserts the object in its raw data callback for the same reason)
   */
  addObject(obj: LocalObject, attrs: MessageAttr[]): Promise<{ id: number; typeId: number }>;
  /** REMOVE_OBJECT and forget `obj` (also across reconnects) */
  removeObject(obj: LocalObject): Promise<void>;
  lookupId(path: string): Promise<number>;
}

/** Something of ours that has an object id on the bus. */
export interface LocalObject {
  /** current id, 0 while not registered; set by ClientCore.addObject the moment the reply arrives */
  id: number;
  /** (re)creates it on the current connection, with everything hanging off it */
  register(): Promise<void>;
  /** the connection went away: the id is no longer valid */
  lost(): void;
  /** an INVOKE addressed to it */
  invoke(conn: Connection, msg: UbusMessage, attrs: Attrs): void;
  /** a NOTIFY from the broker about it (subscriber presence) */
  brokerNotify?(attrs: Attrs): void;
  /** an UNSUBSCRIBE from the broker (the object we watched went away) */
  brokerUnsubscribe?(attrs: Attrs): void;
}
