/**
 * Answering an INVOKE addressed to one of our objects: run the handler, send its DATA reply (if
 * any) and then the STATUS, as libubus does for a plain or deferred request. A handler that
 * returns a promise is a deferred request: the STATUS goes out when it settles.
 */
import { A, MsgType, tableFromJs, type BlobmsgJs, type UbusMessage } from '../wire/index.js';
import { Status } from '../wire/constants.js';
import { UbusStatusError } from '../errors.js';
import type { Connection } from './connection.js';
import { statusReply } from './connection.js';
import type { UbusData } from './types.js';

export type HandlerResult = UbusData | void | Promise<UbusData | void>;

/** The UBUS_STATUS_* a thrown error stands for. */
export function statusOf(err: unknown): number {
  if (err instanceof UbusStatusError) return err.status;
  return Status.UNKNOWN_ERROR;
}

/** A DATA reply to an INVOKE (libubus ubus_send_reply). */
export function dataReply(req: UbusMessage, objectId: number, data: { [key: string]: BlobmsgJs | undefined }): UbusMessage {
  return { type: MsgType.DATA, seq: req.seq, peer: req.peer, attrs: [A.objid(objectId), A.data(tableFromJs(data))] };
}

/**
 * Runs `fn` for the INVOKE `req` and answers it on `conn`. With `noReply` nothing is sent.
 * Replies to a connection that has meanwhile closed are dropped (the caller got
 * UbusDisconnectedError already).
 */
export function answerInvoke(conn: Connection, req: UbusMessage, objectId: number, noReply: boolean, fn: () => HandlerResult): void {
  const finish = (value: UbusData | void): void => {
    if (noReply) return;
    let reply: UbusMessage | undefined;
    try {
      if (value !== undefined && value !== null) reply = dataReply(req, objectId, value);
    } catch (err) {
      conn.send(statusReply(req, objectId, statusOf(err)));
      return;
    }
    if (reply) conn.send(reply);
    conn.send(statusReply(req, objectId, Status.OK));
  };
  const fail = (err: unknown): void => {
    if (!noReply) conn.send(statusReply(req, objectId, statusOf(err)));
  };
  let result: HandlerResult;
  try {
    result = fn();
  } catch (err) {
    fail(err);
    return;
  }
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<UbusData | void>).then(finish, fail);
  } else {
    finish(result as UbusData | void);
  }
}
