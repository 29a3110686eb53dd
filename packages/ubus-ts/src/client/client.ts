/**
 * The ubus client: one live Connection at a time plus the registry of everything we own on the
 * bus (published objects, event listeners, subscriptions), so that after a reconnect all of it
 * is registered again — libubus re-adds objects only; we also restore listeners and
 * subscriptions, since mwan's daemons must survive a broker restart.
 */
import { A, attrsOf, BlobmsgType, MsgType, tableFromJs, tableToJs, type BlobmsgNode, type MessageAttr, type UbusMessage } from '../wire/index.js';
import { Status, SystemObject } from '../wire/constants.js';
import { UbusDisconnectedError, UbusError, UbusStatusError, UbusTimeoutError } from '../errors.js';
import { systemClock } from '../clock.js';
import { Connection, statusReply, type RequestOptions, type RequestResult } from './connection.js';
import type { ClientCore, LocalObject } from './core.js';
import { EventListener } from './event-listener.js';
import { PublishedObject } from './published-object.js';
import { parseSignature } from './signature.js';
import { Subscriber } from './subscriber.js';
import { DEFAULT_SOCKET_PATH, unixTransport, type Transport } from './transport.js';
import type {
  CallOptions,
  ClientEvent,
  Clock,
  ConnectOptions,
  EventHandler,
  MethodDef,
  NotifyHandler,
  ObjectInfo,
  Subscription,
  UbusClient,
  UbusData,
  UbusObject,
} from './types.js';

/** The stock CLI's default request timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Connects to ubus and resolves once HELLO gave us a client id. */
export async function connect(opts: ConnectOptions = {}): Promise<UbusClient> {
  const client = new Client(opts);
  await client.start(opts.waitForBroker ?? false);
  return client;
}

class Client implements UbusClient, ClientCore {
  readonly clock: Clock;
  readonly defaultTimeoutMs: number;
  private readonly transport: Transport;
  private readonly autoReconnect: boolean;
  private readonly delayInitial: number;
  private readonly delayMax: number;
  private conn: Connection | null = null;
  /** everything to restore after a reconnect, in registration order */
  private readonly owned = new Set<LocalObject>();
  private readonly byId = new Map<number, LocalObject>();
  private readonly eventCbs: Array<(e: ClientEvent) => void> = [];
  private readonly monitorCbs = new Set<(msg: UbusMessage) => void>();
  private objectAddWatch: EventListener | null = null;
  private readonly subscribers = new Set<Subscriber>();
  private isClosed = false;
  /** waiters to fail when the client is closed (waitFor) */
  private readonly onClose = new Set<(err: Error) => void>();
  private attempt = 0;
  private reconnectTimer: unknown = undefined;

  constructor(opts: ConnectOptions) {
    this.clock = opts.clock ?? systemClock;
    this.defaultTimeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.transport = opts.transport ?? unixTransport(opts.socketPath ?? DEFAULT_SOCKET_PATH);
    this.autoReconnect = opts.reconnect ?? true;
    this.delayInitial = opts.reconnectDelayMs?.initial ?? 250;
    this.delayMax = opts.reconnectDelayMs?.max ?? 5000;
  }

  async start(waitForBroker = false): Promise<void> {
    for (;;) {
      try {
        this.attach(await Connection.open(this.transport, this.clock));
        break;
      } catch (err) {
        if (!waitForBroker || this.isClosed) throw err;
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.nextDelay(), { keepAlive: true }));
      }
    }
    this.attempt = 0;
    this.emit({ kind: 'connected', clientId: this.clientId });
  }

  private nextDelay(): number {
    const delay = Math.min(this.delayInitial * 2 ** this.attempt, this.delayMax);
    this.attempt++;
    return delay;
  }

  get clientId(): number {
    return this.conn?.clientId ?? 0;
  }

  get connected(): boolean {
    return this.conn !== null && !this.conn.closed;
  }

  onEvent(cb: (e: ClientEvent) => void): void {
    this.eventCbs.push(cb);
  }

  // ------------------------------------------------------------------------------------------
  // ClientCore

  request(type: number, attrs: MessageAttr[], peer: number, opts?: RequestOptions): Promise<RequestResult> {
    if (this.isClosed) return Promise.reject(new UbusError('ERR_UBUS_CLOSED', 'ubus client is closed'));
    if (!this.conn) return Promise.reject(new UbusDisconnectedError('not connected to ubus'));
    return this.conn.request(type, attrs, peer, opts);
  }

  async requestOk(type: number, attrs: MessageAttr[], peer: number, opts?: RequestOptions): Promise<RequestResult> {
    const r = await this.request(type, attrs, peer, opts);
    if (r.status !== Status.OK) throw new UbusStatusError(r.status);
    return r;
  }

  post(type: number, attrs: MessageAttr[], peer: number): void {
    if (!this.conn) throw new UbusDisconnectedError('not connected to ubus');
    this.conn.post(type, attrs, peer);
  }

  async addObject(obj: PublishedObject | LocalObject, attrs: MessageAttr[]): Promise<{ id: number; typeId: number }>;
  async addObject(path: string, methods: Record<string, MethodDef>): Promise<UbusObject>;
  async addObject(a: unknown, b: unknown): Promise<unknown> {
    if (typeof a === 'string') return this.publish(a, b as Record<string, MethodDef>);
    const obj = a as LocalObject;
    const conn = this.conn;
    let id = 0;
    let typeId = 0;
    await this.requestOk(MsgType.ADD_OBJECT, b as MessageAttr[], 0, {
      timeoutMs: this.defaultTimeoutMs,
      onData: (m) => {
        const reply = attrsOf(m);
        // a reply from a connection that died meanwhile means nothing on the new one
        if (id !== 0 || !reply.objid || conn !== this.conn) return;
        id = reply.objid;
        typeId = reply.objtype ?? 0;
        obj.id = id;
        this.byId.set(id, obj);
      },
    });
    if (id === 0) throw new UbusStatusError(Status.NO_DATA, 'ADD_OBJECT reply without an object id');
    return { id, typeId };
  }

  async removeObject(obj: LocalObject): Promise<void> {
    this.owned.delete(obj);
    const id = obj.id;
    if (id === 0) return;
    this.byId.delete(id);
    if (!this.conn) return;
    await this.requestOk(MsgType.REMOVE_OBJECT, [A.objid(id)], 0, { timeoutMs: this.defaultTimeoutMs }).catch((err) => {
      if (!(err instanceof UbusDisconnectedError)) throw err;
    });
  }

  // ------------------------------------------------------------------------------------------
  // lookups and calls

  async lookup(pattern?: string): Promise<ObjectInfo[]> {
    const attrs = pattern === undefined ? [] : [A.objpath(pattern)];
    const r = await this.requestOk(MsgType.LOOKUP, attrs, 0, { timeoutMs: this.defaultTimeoutMs });
    const out: ObjectInfo[] = [];
    for (const m of r.data) {
      const a = attrsOf(m);
      // libubus skips entries without id, path or type
      if (a.objid === undefined || a.objpath === undefined || a.objtype === undefined) continue;
      out.push({ path: a.objpath, id: a.objid, typeId: a.objtype, signature: parseSignature(a.signature), rawSignature: a.signature ?? [] });
    }
    return out;
  }

  async lookupId(path: string): Promise<number> {
    const r = await this.request(MsgType.LOOKUP, [A.objpath(path)], 0, { timeoutMs: this.defaultTimeoutMs });
    if (r.status !== Status.OK) throw new UbusStatusError(r.status, `lookup ${path}`);
    for (const m of r.data) {
      const id = attrsOf(m).objid;
      if (id !== undefined) return id;
    }
    throw new UbusStatusError(Status.NOT_FOUND, `lookup ${path}`);
  }

  async call(path: string, method: string, args?: UbusData, opts?: CallOptions): Promise<UbusData | undefined> {
    const all = await this.callAll(path, method, args, opts);
    return all.length > 0 ? all[all.length - 1] : undefined;
  }

  async callAll(path: string, method: string, args: UbusData = {}, opts?: CallOptions): Promise<UbusData[]> {
    return (await this.callRaw(path, method, tableFromJs(args), opts)).map(tableToJs);
  }

  async callRaw(path: string, method: string, args: BlobmsgNode[] = [], opts?: CallOptions): Promise<BlobmsgNode[][]> {
    const id = await this.lookupId(path);
    return this.invokeRaw(id, method, args, opts, `${path}.${method}`);
  }

  async invoke(objectId: number, method: string, args: UbusData | BlobmsgNode[] = {}, opts?: CallOptions): Promise<UbusData[]> {
    const nodes = Array.isArray(args) ? args : tableFromJs(args);
    return (await this.invokeRaw(objectId, method, nodes, opts, `object ${objectId}.${method}`)).map(tableToJs);
  }

  private async invokeRaw(id: number, method: string, args: BlobmsgNode[], opts: CallOptions | undefined, what: string): Promise<BlobmsgNode[][]> {
    const onData = opts?.onData;
    const r = await this.request(MsgType.INVOKE, [A.objid(id), A.method(method), A.data(args)], id, {
      timeoutMs: opts?.timeoutMs ?? this.defaultTimeoutMs,
      ...(onData
        ? {
            onData: (m: UbusMessage) => {
              const d = attrsOf(m).data;
              if (d !== undefined) onData(d);
            },
          }
        : {}),
    });
    if (r.status !== Status.OK) throw new UbusStatusError(r.status, what);
    const out: BlobmsgNode[][] = [];
    for (const m of r.data) {
      const d = attrsOf(m).data;
      if (d !== undefined) out.push(d);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // objects, events, subscriptions

  private async publish(path: string, methods: Record<string, MethodDef>): Promise<UbusObject> {
    const obj = new PublishedObject(this, path, methods);
    await obj.register();
    this.owned.add(obj);
    return obj;
  }

  async sendEvent(type: string, data: UbusData | BlobmsgNode[] = {}): Promise<void> {
    const body: BlobmsgNode[] = [
      { type: BlobmsgType.STRING, name: 'id', value: type },
      { type: BlobmsgType.TABLE, name: 'data', value: Array.isArray(data) ? data : tableFromJs(data) },
    ];
    await this.requestOk(MsgType.INVOKE, [A.objid(SystemObject.EVENT), A.method('send'), A.data(body)], SystemObject.EVENT, {
      timeoutMs: this.defaultTimeoutMs,
    });
  }

  async listen(pattern: string, handler: EventHandler): Promise<() => Promise<void>> {
    const l = await this.addListener(pattern, handler);
    return () => l.remove();
  }

  private async addListener(pattern: string, handler: EventHandler): Promise<EventListener> {
    const l = new EventListener(this, pattern, handler);
    try {
      await l.register();
    } catch (err) {
      await this.removeObject(l).catch(() => undefined);
      throw err;
    }
    this.owned.add(l);
    return l;
  }

  async subscribe(path: string, handler: NotifyHandler): Promise<Subscription> {
    await this.ensureObjectAddWatch();
    const s = new Subscriber(this, path, handler);
    await s.start();
    this.owned.add(s);
    this.subscribers.add(s);
    return {
      unsubscribe: async () => {
        this.subscribers.delete(s);
        await s.unsubscribe();
      },
    };
  }

  /** one shared listener for `ubus.object.add`, so lost subscriptions can follow their target */
  private async ensureObjectAddWatch(): Promise<void> {
    if (this.objectAddWatch) return;
    this.objectAddWatch = await this.addListener('ubus.object.add', (_type, data) => {
      if (typeof data.path !== 'string' || typeof data.id !== 'number') return;
      for (const s of this.subscribers) s.objectAdded(data.path, data.id >>> 0);
    });
  }

  async waitFor(paths: string[], opts: { timeoutMs?: number } = {}): Promise<void> {
    const pending = new Set(paths);
    if (pending.size === 0) return;
    let wake: (() => void) | null = null;
    const check = (path: string): void => {
      pending.delete(path);
      if (pending.size === 0 && wake) wake();
    };
    // listen first, then look up, so an object added in between is not missed (cli.c wait_for)
    const stop = await this.listen('ubus.object.add', (_type, data) => {
      if (typeof data.path === 'string') check(data.path);
    });
    try {
      for (const o of await this.lookup()) check(o.path);
      if (pending.size === 0) return;
      const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
      await new Promise<void>((resolve, reject) => {
        const closed = (err: Error): void => {
          if (timer !== undefined) this.clock.clearTimeout(timer);
          reject(err);
        };
        const timer = timeoutMs > 0
          ? this.clock.setTimeout(() => {
              this.onClose.delete(closed);
              reject(new UbusTimeoutError(`timed out waiting for ${[...pending].join(', ')}`));
            }, timeoutMs)
          : undefined;
        this.onClose.add(closed);
        wake = () => {
          this.onClose.delete(closed);
          if (timer !== undefined) this.clock.clearTimeout(timer);
          resolve();
        };
      });
    } finally {
      await stop().catch(() => undefined);
    }
  }

  async monitor(cb: (msg: UbusMessage) => void): Promise<() => Promise<void>> {
    this.monitorCbs.add(cb);
    if (this.monitorCbs.size === 1) {
      try {
        await this.monitorRequest('add');
      } catch (err) {
        this.monitorCbs.delete(cb);
        throw err;
      }
    }
    return async () => {
      if (!this.monitorCbs.delete(cb) || this.monitorCbs.size > 0) return;
      await this.monitorRequest('remove').catch(() => undefined);
    };
  }

  private async monitorRequest(method: string): Promise<void> {
    const id = SystemObject.MONITOR;
    await this.requestOk(MsgType.INVOKE, [A.objid(id), A.method(method), A.data([])], id, { timeoutMs: this.defaultTimeoutMs });
  }

  // ------------------------------------------------------------------------------------------
  // connection lifecycle

  private attach(conn: Connection): void {
    this.conn = conn;
    conn.onMessage((msg) => this.onBrokerMessage(conn, msg));
    conn.onClose((err) => this.onConnectionClosed(conn, err));
  }

  private onBrokerMessage(conn: Connection, msg: UbusMessage): void {
    if (msg.type === MsgType.MONITOR) {
      for (const cb of this.monitorCbs) cb(msg);
      return;
    }
    const a = attrsOf(msg);
    if (a.objid === undefined) return;
    const obj = this.byId.get(a.objid);
    switch (msg.type) {
      case MsgType.INVOKE:
        if (!obj) {
          // libubus answers NOT_FOUND for an object it does not know
          if (!a.noReply) conn.send(statusReply(msg, 0, Status.NOT_FOUND));
          return;
        }
        obj.invoke(conn, msg, a);
        return;
      case MsgType.NOTIFY:
        obj?.brokerNotify?.(a);
        return;
      case MsgType.UNSUBSCRIBE:
        obj?.brokerUnsubscribe?.(a);
        return;
    }
  }

  private onConnectionClosed(conn: Connection, err: Error | undefined): void {
    if (conn !== this.conn) return;
    this.conn = null;
    this.byId.clear();
    for (const o of this.owned) o.lost();
    this.emit({ kind: 'disconnected', ...(err ? { error: err } : {}) });
    if (!this.isClosed && this.autoReconnect) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.nextDelay();
    this.reconnectTimer = this.clock.setTimeout(
      () => {
        this.reconnectTimer = undefined;
        void this.reconnectOnce();
      },
      delay,
      { keepAlive: true },
    );
  }

  private async reconnectOnce(): Promise<void> {
    if (this.isClosed) return;
    let conn: Connection;
    try {
      conn = await Connection.open(this.transport, this.clock);
    } catch {
      if (!this.isClosed) this.scheduleReconnect();
      return;
    }
    if (this.isClosed) {
      conn.close();
      return;
    }
    this.attach(conn);
    for (const o of [...this.owned]) {
      try {
        await o.register();
      } catch (err) {
        if (err instanceof UbusStatusError && conn === this.conn) {
          // the broker answered but refused this one: report it and restore the rest
          this.emit({ kind: 'restore-failed', path: (o as { path?: string }).path, error: err });
          continue;
        }
        // the new connection failed or hung while restoring: start over on a fresh one (the
        // close handler schedules the next try)
        if (conn === this.conn) conn.close();
        return;
      }
    }
    if (conn !== this.conn) return;
    if (this.monitorCbs.size > 0) {
      try {
        await this.monitorRequest('add');
      } catch (err) {
        if (conn === this.conn) this.emit({ kind: 'restore-failed', path: undefined, error: err as Error });
      }
    }
    if (conn !== this.conn) return;
    this.attempt = 0;
    this.emit({ kind: 'reconnected', clientId: conn.clientId });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer);
    const waiters = [...this.onClose];
    this.onClose.clear();
    for (const w of waiters) w(new UbusError('ERR_UBUS_CLOSED', 'ubus client closed while waiting'));
    const conn = this.conn;
    this.conn = null;
    conn?.close();
  }

  private emit(e: ClientEvent): void {
    for (const cb of this.eventCbs) {
      try {
        cb(e);
      } catch {
        // a listener's bug must not break the connection bookkeeping
      }
    }
  }
}
