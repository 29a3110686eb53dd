/**
 * Object and object-type tables (ubusd_obj.c, ubusd_id.c): ids are random u32 values at or
 * above UBUS_SYSTEM_OBJECT_MAX (1024), unique within their table; paths live in a sorted index
 * so LOOKUP walks them in strcmp order as ubusd's avl tree does.
 */
import { randomBytes } from 'node:crypto';
import { SystemObject } from '../wire/constants.js';
import { strcmp } from './prefix-match.js';
import type { BrokerClient } from './client.js';

/** Source of random u32 ids (injectable so tests can make ids predictable). */
export type RandomU32 = () => number;

export const cryptoRandomU32: RandomU32 = () => randomBytes(4).readUInt32BE(0);

/** Allocates ids as ubus_alloc_id: random, ≥ 1024, not in use. */
export class IdTable<T> {
  private readonly map = new Map<number, T>();
  constructor(private readonly random: RandomU32) {}

  alloc(value: T, fixed?: number): number {
    if (fixed !== undefined) {
      if (this.map.has(fixed)) throw new Error(`id ${fixed} in use`);
      this.map.set(fixed, value);
      return fixed;
    }
    for (;;) {
      const id = this.random() >>> 0;
      if (id < SystemObject.MAX || this.map.has(id)) continue;
      this.map.set(id, value);
      return id;
    }
  }

  /** Picks a free random id without a value yet (set() it before anyone looks it up). */
  reserve(): number {
    for (;;) {
      const id = this.random() >>> 0;
      if (id < SystemObject.MAX || this.map.has(id)) continue;
      this.map.set(id, undefined as T);
      return id;
    }
  }

  set(id: number, value: T): void {
    this.map.set(id, value);
  }

  get(id: number): T | undefined {
    return this.map.get(id);
  }

  free(id: number): void {
    this.map.delete(id);
  }

  get size(): number {
    return this.map.size;
  }
}

/** One method of a type: its name and its blobmsg TABLE exactly as registered. */
export interface TypeMethod {
  name: string;
  /** the whole blobmsg attribute (header, name, members), unpadded */
  raw: Uint8Array;
}

export interface ObjectType {
  id: number;
  methods: TypeMethod[];
  refcount: number;
}

/** Messages sent to a broker-internal object (event, acl, monitor) are handled in-process. */
export type InternalHandler = (cl: BrokerClient, frame: import('./frames.js').BrokerFrame, method: string, data: Uint8Array | undefined) => number;

export interface Subscription {
  subscriber: BrokerObject;
  target: BrokerObject;
}

export interface BrokerObject {
  id: number;
  path: string | undefined;
  type: ObjectType | undefined;
  client: BrokerClient | undefined;
  /** subscriptions to this object, newest first (ubusd list_add) */
  subscribers: Subscription[];
  /** subscriptions this object holds on targets, newest first */
  targets: Subscription[];
  /** seq counter for NOTIFY / UNSUBSCRIBE sent to the owner */
  invokeSeq: number;
  /** last event serial delivered to this object (de-duplicates matches of several patterns) */
  eventSeen: number;
  recv: InternalHandler | undefined;
}

/** Sorted index path → object. */
export class PathIndex {
  private keys: string[] = [];
  private readonly map = new Map<string, BrokerObject>();

  get(path: string): BrokerObject | undefined {
    return this.map.get(path);
  }

  has(path: string): boolean {
    return this.map.has(path);
  }

  insert(path: string, obj: BrokerObject): boolean {
    if (this.map.has(path)) return false;
    this.map.set(path, obj);
    this.keys.splice(this.lowerBound(path), 0, path);
    return true;
  }

  delete(path: string): void {
    if (!this.map.delete(path)) return;
    const i = this.lowerBound(path);
    if (this.keys[i] === path) this.keys.splice(i, 1);
  }

  /** index of the first key ≥ `path` */
  lowerBound(path: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (strcmp(this.keys[mid]!, path) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first path strictly after `path` (for resuming a paused listing). */
  next(path: string | undefined): string | undefined {
    if (path === undefined) return this.keys[0];
    const i = this.lowerBound(path);
    return this.keys[this.keys[i] === path ? i + 1 : i];
  }

  /** Keys ≥ `from`, in order. */
  *from(from: string): Generator<BrokerObject> {
    for (let i = this.lowerBound(from); i < this.keys.length; i++) yield this.map.get(this.keys[i]!)!;
  }

  get size(): number {
    return this.map.size;
  }
}

export function newObject(id: number, type: ObjectType | undefined): BrokerObject {
  return { id, path: undefined, type, client: undefined, subscribers: [], targets: [], invokeSeq: 0, eventSeen: 0, recv: undefined };
}
