/**
 * The ubus wire vocabulary, mirroring openwrt/ubus `ubusmsg.h` and libubox `blob.h`/`blobmsg.h`
 * one to one. Numbers are protocol facts; names follow the C enums without their prefixes.
 */

/** `struct ubus_msghdr` is 8 bytes: u8 version, u8 type, u16 seq, u32 peer (big-endian). */
export const HEADER_LEN = 8;
/** Header plus the top-level blob_attr header: what a reader needs before it knows the frame size. */
export const FRAME_PREFIX_LEN = 12;
/** The only protocol version ubusd accepts. */
export const PROTOCOL_VERSION = 0;
/** UBUS_MAX_MSGLEN: the largest padded top-level blob a peer may send (1 MiB). */
export const MAX_MSG_LEN = 1048576;
export const MSG_CHUNK_SIZE = 65536;
export const MAX_NOTIFY_PEERS = 16;

export const CLIENT_ID_CHANNEL = 1;
export const SystemObject = {
  EVENT: 1,
  ACL: 2,
  MONITOR: 3,
  MAX: 1024,
} as const;

/** enum ubus_msg_type */
export const MsgType = {
  HELLO: 0,
  STATUS: 1,
  DATA: 2,
  PING: 3,
  LOOKUP: 4,
  INVOKE: 5,
  ADD_OBJECT: 6,
  REMOVE_OBJECT: 7,
  SUBSCRIBE: 8,
  UNSUBSCRIBE: 9,
  NOTIFY: 10,
  MONITOR: 11,
} as const;
export type MsgType = (typeof MsgType)[keyof typeof MsgType];
export const MSG_TYPE_LAST = 12;
export const MSG_TYPE_NAME: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(MsgType).map(([k, v]) => [v, k]),
);

/** enum ubus_msg_attr */
export const Attr = {
  UNSPEC: 0,
  STATUS: 1,
  OBJPATH: 2,
  OBJID: 3,
  METHOD: 4,
  OBJTYPE: 5,
  SIGNATURE: 6,
  DATA: 7,
  TARGET: 8,
  ACTIVE: 9,
  NO_REPLY: 10,
  SUBSCRIBERS: 11,
  USER: 12,
  GROUP: 13,
} as const;
export type Attr = (typeof Attr)[keyof typeof Attr];
export const ATTR_MAX = 14;
export const ATTR_NAME: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Attr).map(([k, v]) => [v, k]),
);

/** enum ubus_monitor_attr: the attribute space of MONITOR messages. */
export const MonitorAttr = {
  CLIENT: 0,
  PEER: 1,
  SEND: 2,
  SEQ: 3,
  TYPE: 4,
  DATA: 5,
} as const;
export type MonitorAttr = (typeof MonitorAttr)[keyof typeof MonitorAttr];
export const MONITOR_ATTR_MAX = 6;

/** enum ubus_msg_status */
export const Status = {
  OK: 0,
  INVALID_COMMAND: 1,
  INVALID_ARGUMENT: 2,
  METHOD_NOT_FOUND: 3,
  NOT_FOUND: 4,
  NO_DATA: 5,
  PERMISSION_DENIED: 6,
  TIMEOUT: 7,
  NOT_SUPPORTED: 8,
  UNKNOWN_ERROR: 9,
  CONNECTION_FAILED: 10,
  NO_MEMORY: 11,
  PARSE_ERROR: 12,
  SYSTEM_ERROR: 13,
} as const;
export type Status = (typeof Status)[keyof typeof Status];
export const STATUS_LAST = 14;

/** The text `ubus_strerror()` gives for each status (what the stock CLI prints). */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  0: 'Success',
  1: 'Invalid command',
  2: 'Invalid argument',
  3: 'Method not found',
  4: 'Not found',
  5: 'No response',
  6: 'Permission denied',
  7: 'Request timed out',
  8: 'Operation not supported',
  9: 'Unknown error',
  10: 'Connection failed',
  11: 'Out of memory',
  12: 'Parsing message data failed',
  13: 'System error',
};

/** libubox blob.h */
export const BLOB_ATTR_ID_MASK = 0x7f000000;
export const BLOB_ATTR_ID_SHIFT = 24;
export const BLOB_ATTR_LEN_MASK = 0x00ffffff;
export const BLOB_ATTR_ALIGN = 4;
export const BLOB_ATTR_EXTENDED = 0x80000000;

/** libubox blobmsg.h: enum blobmsg_type */
export const BlobmsgType = {
  UNSPEC: 0,
  ARRAY: 1,
  TABLE: 2,
  STRING: 3,
  INT64: 4,
  INT32: 5,
  INT16: 6,
  INT8: 7,
  BOOL: 7,
  DOUBLE: 8,
} as const;
export type BlobmsgType = (typeof BlobmsgType)[keyof typeof BlobmsgType];
export const BLOBMSG_TYPE_LAST = 8;

/** ubus_common.h: extra type codes used only inside object signatures. */
export const UBUS_SIGNATURE_METHOD = BLOBMSG_TYPE_LAST + 1;
export const UBUS_SIGNATURE_END = BLOBMSG_TYPE_LAST + 2;
