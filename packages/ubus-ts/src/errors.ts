/**
 * Every error ubus-ts raises. Each has a stable `code`; tests and callers match on the code,
 * never on message text.
 */
import { STATUS_TEXT } from './wire/constants.js';

export type UbusErrorCode =
  | 'ERR_UBUS_BAD_VERSION'
  | 'ERR_UBUS_FRAME_TOO_LARGE'
  | 'ERR_UBUS_FRAME_TOO_SHORT'
  | 'ERR_UBUS_BAD_TOP_ATTR'
  | 'ERR_UBUS_BAD_ATTR'
  | 'ERR_UBUS_BAD_MSG_TYPE'
  | 'ERR_UBUS_BAD_BLOBMSG'
  | 'ERR_UBUS_ENCODE'
  | 'ERR_UBUS_STATUS'
  | 'ERR_UBUS_TIMEOUT'
  | 'ERR_UBUS_DISCONNECTED'
  | 'ERR_UBUS_CONNECT'
  | 'ERR_UBUS_CLOSED'
  | 'ERR_UBUS_INVALID_ARGS'
  | 'ERR_UBUS_ACL';

/** Base class of all ubus-ts errors. */
export class UbusError extends Error {
  override readonly name: string = 'UbusError';
  readonly code: UbusErrorCode;
  constructor(code: UbusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Malformed bytes on the wire: bad header, bad length, bad attribute or blobmsg. */
export class UbusProtocolError extends UbusError {
  override readonly name = 'UbusProtocolError';
  /** Byte offset inside the frame where the problem was found, when known. */
  readonly offset: number | undefined;
  constructor(code: UbusErrorCode, message: string, offset?: number, options?: { cause?: unknown }) {
    super(code, offset === undefined ? message : `${message} (at byte ${offset})`, options);
    this.offset = offset;
  }
}

/** A value that cannot be put on the wire (out of range integer, unsupported JS type...). */
export class UbusEncodeError extends UbusError {
  override readonly name = 'UbusEncodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_UBUS_ENCODE', message, options);
  }
}

/** A request that ended with a non-zero ubus status (UBUS_STATUS_*). */
export class UbusStatusError extends UbusError {
  override readonly name = 'UbusStatusError';
  readonly status: number;
  constructor(status: number, context?: string, options?: { cause?: unknown }) {
    const text = STATUS_TEXT[status] ?? `Unknown status ${status}`;
    super('ERR_UBUS_STATUS', context ? `${context}: ${text}` : text, options);
    this.status = status;
  }
}

/** A request that got no final STATUS within its timeout. */
export class UbusTimeoutError extends UbusError {
  override readonly name = 'UbusTimeoutError';
  constructor(message: string) {
    super('ERR_UBUS_TIMEOUT', message);
  }
}

/** The connection to the broker went away while a request was in flight, or before it was sent. */
export class UbusDisconnectedError extends UbusError {
  override readonly name = 'UbusDisconnectedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_UBUS_DISCONNECTED', message, options);
  }
}
