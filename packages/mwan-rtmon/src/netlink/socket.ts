/**
 * rtnetlink I/O: one socket subscribed to change notifications, one for requests (dumps and
 * route/link writes), so a burst of notifications never delays a reply and vice versa.
 * Sockets belong to the network namespace the process runs in (`ip netns exec NS node ...`).
 *
 * Every message is decoded on its own: a malformed or unknown entry becomes an `onError` call
 * with a NetlinkDecodeError and is dropped; the others are delivered.
 */
import { getSystemErrorName } from 'node:util';
import netlink from 'netlink';
import { NetlinkDecodeError, NetlinkRequestError } from '../errors.js';
import { decodeAddress, decodeLink, decodeMessage, decodeRoute, RTM } from './decode.js';
import { encodeDelRoute, encodeNewRoute } from './encode.js';
import type { Family } from './ip.js';
import type { AddressEntry, LinkEntry, RouteEntry, RtnlEvent, RtnlGroup } from './types.js';

const { rt } = netlink;
const NETLINK_ROUTE = 0;
const NLMSG_ERROR = 2;
const NLM_F = { DUMP: 0x300, REPLACE: 0x100, CREATE: 0x400 } as const;
const GROUPS: Record<RtnlGroup, number> = { LINK: 1, IPV4_IFADDR: 5, IPV4_ROUTE: 7, IPV6_IFADDR: 9, IPV6_ROUTE: 11 };
const AF = { 0: 0, 4: 2, 6: 10 } as const;

export interface RtnlOptions {
  /** multicast groups to join (default: none — requests only) */
  groups?: readonly RtnlGroup[];
  /** called for each dropped entry or socket error; the socket keeps running */
  onError?: (err: Error) => void;
  /** receive buffer for notifications (default 4 MiB, so bursts are not lost) */
  recvBufferBytes?: number;
  /** per-request timeout in ms (default 5000) */
  timeoutMs?: number;
}

/** The rtnetlink operations mwan-rtmon and netifd-ts use. */
export interface Rtnl {
  /** registers a listener for decoded notifications (in kernel order) */
  onEvent(cb: (e: RtnlEvent) => void): void;
  dumpRoutes(family?: Family): Promise<RouteEntry[]>;
  dumpAddresses(family?: Family): Promise<AddressEntry[]>;
  dumpLinks(): Promise<LinkEntry[]>;
  /** `ip route replace table <table> <route>` */
  replaceRoute(route: RouteEntry, table: number): Promise<void>;
  /** `ip route del table <table> <route key>`; resolves quietly when already gone (ESRCH/ENOENT) */
  deleteRoute(route: RouteEntry, table: number): Promise<void>;
  /** `ip link set dev <index> up|down` */
  setLinkUp(index: number, up: boolean): Promise<void>;
  close(): void;
}

type RawMessage = { type: number; flags: number; data: Buffer };

export function openRtnl(opts: RtnlOptions = {}): Rtnl {
  const onError = opts.onError ?? (() => {});
  const timeout = opts.timeoutMs ?? 5000;
  const listeners: ((e: RtnlEvent) => void)[] = [];
  const req = netlink.createNetlink(NETLINK_ROUTE, {} as Parameters<typeof netlink.createNetlink>[1]);
  req.socket.on('truncatedMessage', () => onError(new NetlinkDecodeError('reply datagram truncated', -1)));
  req.on('error', (e) => onError(new NetlinkRequestError('request socket', { cause: e })));
  let events: ReturnType<typeof netlink.createNetlink> | undefined;

  const emit = (e: RtnlEvent): void => {
    for (const l of listeners) {
      try { l(e); } catch (err) { onError(err instanceof Error ? err : new Error(String(err))); }
    }
  };

  if (opts.groups && opts.groups.length > 0) {
    events = netlink.createNetlink(NETLINK_ROUTE, { ref: true } as Parameters<typeof netlink.createNetlink>[1]);
    // a truncated notification lost entries: the listener must re-dump
    events.socket.on('truncatedMessage', () => emit({ kind: 'overrun' }));
    try { events.setRecvBufferSize(opts.recvBufferBytes ?? 4 << 20); } catch { /* capped by rmem_max: fine */ }
    for (const g of opts.groups) events.addMembership(GROUPS[g]);
    events.on('message', (msgs: RawMessage[]) => {
      for (const m of msgs) {
        try { emit(decodeMessage(m.type, m.data)); } catch (err) { onError(asError(err, m.type)); }
      }
    });
    events.on('invalid', (err: unknown) => onError(asError(err, -1)));
    events.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOBUFS') emit({ kind: 'overrun' });
      else onError(new NetlinkRequestError('notification socket', { cause: err }));
    });
  }

  // one request at a time: the library reassembles one multipart reply per socket, so two
  // concurrent dumps would interleave and both fail
  let queue: Promise<unknown> = Promise.resolve();
  function request(type: number, body: Uint8Array[], flags: number, what: string): Promise<RawMessage[]> {
    const run = queue.then(() => requestNow(type, body, flags, what));
    queue = run.catch(() => {});
    return run;
  }

  async function requestNow(type: number, body: Uint8Array[], flags: number, what: string): Promise<RawMessage[]> {
    let msgs: RawMessage[];
    try {
      [msgs] = (await req.request(type, body, { flags, timeout, checkError: false })) as [RawMessage[], unknown];
    } catch (cause) {
      throw new NetlinkRequestError(what, { cause });
    }
    const first = msgs[0];
    if (first && first.type === NLMSG_ERROR) {
      const errno = first.data.length >= 4 ? first.data.readInt32LE(0) : -1;
      if (errno !== 0) {
        let code = `errno ${-errno}`;
        try { code = getSystemErrorName(errno); } catch { /* unknown errno */ }
        throw new NetlinkRequestError(what, { cause: Object.assign(new Error(code), { code }) });
      }
      return [];
    }
    return msgs;
  }

  function body(fill: (s: InstanceType<typeof netlink.AttrStream>) => void): Uint8Array[] {
    const s = new netlink.AttrStream();
    fill(s);
    return s.bufs;
  }

  async function dump<T>(type: number, family: number, decode: (m: ReturnType<typeof rt.parseMessage>, t: number) => T, what: string): Promise<T[]> {
    const b = type === RTM.GETROUTE
      ? body((s) => rt.formatRouteMessage({ kind: 'route', data: { family }, attrs: {} }, s))
      : type === RTM.GETADDR
        ? body((s) => rt.formatAddressMessage({ kind: 'address', data: { family }, attrs: {} }, s))
        : body((s) => rt.formatLinkMessage({ kind: 'link', data: { family }, attrs: {} }, s));
    const out: T[] = [];
    for (const m of await request(type, b, NLM_F.DUMP, what)) {
      try { out.push(decode(rt.parseMessage(m.type, m.data), m.type)); } catch (err) { onError(asError(err, m.type)); }
    }
    return out;
  }

  return {
    onEvent(cb) { listeners.push(cb); },
    dumpRoutes: (family) => dump(RTM.GETROUTE, AF[family ?? 0], decodeRoute, 'dump routes'),
    dumpAddresses: (family) => dump(RTM.GETADDR, AF[family ?? 0], decodeAddress, 'dump addresses'),
    dumpLinks: () => dump(RTM.GETLINK, 0, decodeLink, 'dump links'),
    async replaceRoute(route, table) {
      const { data, attrs } = encodeNewRoute(route, table);
      await request(RTM.NEWROUTE, body((s) => rt.formatRouteMessage({ kind: 'route', data, attrs }, s)), NLM_F.CREATE | NLM_F.REPLACE, `replace route ${route.dst}/${route.dstLen} table ${table}`);
    },
    async deleteRoute(route, table) {
      const { data, attrs } = encodeDelRoute(route, table);
      try {
        await request(RTM.DELROUTE, body((s) => rt.formatRouteMessage({ kind: 'route', data, attrs }, s)), 0, `delete route ${route.dst}/${route.dstLen} table ${table}`);
      } catch (err) {
        if (err instanceof NetlinkRequestError && (err.errno === 'ESRCH' || err.errno === 'ENOENT')) return;
        throw err;
      }
    },
    async setLinkUp(index, up) {
      const b = body((s) => rt.formatLinkMessage({ kind: 'link', data: { index, flags: up ? { up: true } : {}, change: { up: true } }, attrs: {} }, s));
      await request(RTM.NEWLINK, b, 0, `set link ${index} ${up ? 'up' : 'down'}`);
    },
    close() {
      try { req.close(); } catch { /* already closed */ }
      try { events?.close(); } catch { /* already closed */ }
    },
  };
}

function asError(err: unknown, type: number): Error {
  if (err instanceof Error && 'code' in err) return err;
  return new NetlinkDecodeError(err instanceof Error ? err.message : String(err), type, { cause: err });
}
