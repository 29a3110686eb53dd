/**
 * The public shape of the ubus client. Other packages code against these interfaces; the
 * implementation lives beside this file. Mirrors libubus's API (ubus_lookup, ubus_invoke,
 * ubus_add_object, ubus_register_event_handler, ubus_send_event, ubus_subscribe, ubus_notify).
 */
import type { BlobmsgJs, BlobmsgNode } from '../wire/blobmsg.js';
import type { UbusMessage } from '../wire/message.js';
import type { Clock } from '../clock.js';
import type { Transport } from './transport.js';

/** Plain JSON-like object as carried in UBUS_ATTR_DATA. */
export type UbusData = { [key: string]: BlobmsgJs };

export type { Clock } from '../clock.js';

export interface ConnectOptions {
  /** ubus socket path; default /var/run/ubus/ubus.sock (as libubus) */
  socketPath?: string;
  /** default per-request timeout in ms (ubus CLI default is 30 s) */
  timeoutMs?: number;
  /** reconnect automatically when the broker goes away (default true), re-registering objects, listeners and subscriptions */
  reconnect?: boolean;
  clock?: Clock;
  /** byte pipe to the broker; default a unix socket at socketPath (tests pass their own) */
  transport?: Transport;
  /** reconnect backoff: first delay, doubled per failed attempt up to max (default 250 ms → 5 s) */
  reconnectDelayMs?: { initial?: number; max?: number };
  /** keep trying (with the reconnect backoff) until a broker answers, instead of failing at once (libubus ubus_auto_connect) */
  waitForBroker?: boolean;
}

/** One object as LOOKUP reports it. */
export interface ObjectInfo {
  path: string;
  id: number;
  typeId: number;
  /** method name → argument name → BLOBMSG_TYPE_* number */
  signature: Record<string, Record<string, number>>;
  /** the signature exactly as received (method order and wire types kept), for printing */
  rawSignature: BlobmsgNode[];
}

/** Per-call options. */
export interface CallOptions {
  timeoutMs?: number;
  /** sees every DATA reply as it arrives, before the final status (the CLI prints these even when the call then fails) */
  onData?: (data: BlobmsgNode[]) => void;
}

/** An incoming method call on one of our objects. */
export interface UbusRequest {
  readonly path: string;
  readonly method: string;
  readonly args: UbusData;
  /** caller's client id (hdr.peer of the INVOKE) */
  readonly peer: number;
  /** UBUS_ATTR_USER / UBUS_ATTR_GROUP as the broker inserted them (may be undefined) */
  readonly user: string | undefined;
  readonly group: string | undefined;
  /** send an extra DATA reply before the final status (libubus ubus_send_reply) */
  reply(data: UbusData): void;
}

/**
 * A method handler. Return a UbusData (sent as DATA, then STATUS 0), return undefined (STATUS 0
 * only), or throw UbusStatusError(status) for an error status. An async handler is a deferred
 * reply (libubus ubus_defer_request/ubus_complete_deferred_request).
 */
export type MethodHandler = (req: UbusRequest) => UbusData | void | Promise<UbusData | void>;

export interface MethodDef {
  /** argument name → BLOBMSG_TYPE_*; arguments present with another type give INVALID_ARGUMENT, as libubus checks them */
  policy?: Record<string, number>;
  handler: MethodHandler;
}

export interface UbusObject {
  readonly path: string;
  /** object id; changes after a reconnect */
  readonly id: number;
  /** number of current subscribers (updated by the broker's NOTIFY) */
  readonly subscriberCount: number;
  /** notify all subscribers (libubus ubus_notify); resolves when delivered (or at once with noReply) */
  notify(type: string, data: UbusData, opts?: { timeoutMs?: number; noReply?: boolean }): Promise<void>;
  onSubscribersChanged(cb: (count: number) => void): void;
  remove(): Promise<void>;
}

/** `raw` is the event data as received (wire types kept), for callers that print it */
export type EventHandler = (type: string, data: UbusData, raw: BlobmsgNode[]) => void;
export type NotifyHandler = (type: string, data: UbusData, raw: BlobmsgNode[]) => void | UbusData | Promise<void | UbusData>;

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export type ClientEvent =
  | { kind: 'connected'; clientId: number }
  | { kind: 'disconnected'; error?: Error }
  | { kind: 'reconnected'; clientId: number }
  /** after a reconnect the broker refused to take back one of our objects (e.g. its path is taken); the rest is restored */
  | { kind: 'restore-failed'; path: string | undefined; error: Error };

export interface UbusClient {
  /** our client id (hdr.peer of HELLO); changes after a reconnect */
  readonly clientId: number;
  readonly connected: boolean;
  lookup(pattern?: string): Promise<ObjectInfo[]>;
  lookupId(path: string): Promise<number>;
  /** call a method; resolves with the last DATA reply (undefined when none) */
  call(path: string, method: string, args?: UbusData, opts?: CallOptions): Promise<UbusData | undefined>;
  /** call a method; resolves with every DATA reply in order */
  callAll(path: string, method: string, args?: UbusData, opts?: CallOptions): Promise<UbusData[]>;
  /** like callAll, but arguments and replies stay blobmsg nodes (exact wire types; the CLI prints these) */
  callRaw(path: string, method: string, args?: BlobmsgNode[], opts?: CallOptions): Promise<BlobmsgNode[][]>;
  /** call by object id, skipping the lookup; resolves with every DATA reply */
  invoke(objectId: number, method: string, args?: UbusData | BlobmsgNode[], opts?: CallOptions): Promise<UbusData[]>;
  addObject(path: string, methods: Record<string, MethodDef>): Promise<UbusObject>;
  /** send an event; `data` may be blobmsg nodes to keep exact wire types */
  sendEvent(type: string, data?: UbusData | BlobmsgNode[]): Promise<void>;
  /** listen for events matching `pattern` (exact, or prefix with a trailing `*`); returns a stop function */
  listen(pattern: string, handler: EventHandler): Promise<() => Promise<void>>;
  /** subscribe to an object's notifications */
  subscribe(path: string, handler: NotifyHandler): Promise<Subscription>;
  /** resolve when every path exists (ubus wait_for) */
  waitFor(paths: string[], opts?: { timeoutMs?: number }): Promise<void>;
  onEvent(cb: (e: ClientEvent) => void): void;
  /** receive a copy of every message the broker routes (ubus monitor); returns a stop function */
  monitor(cb: (msg: UbusMessage) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
