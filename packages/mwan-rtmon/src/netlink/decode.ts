/**
 * Kernel rtnetlink messages → plain records. Each function takes one message and either returns
 * a record or throws NetlinkDecodeError; callers drop that one entry and keep going.
 */
import netlink from 'netlink';
import { NetlinkDecodeError } from '../errors.js';
import { bytesToIp, type Family } from './ip.js';
import { RT_TABLE, type AddressEntry, type LinkEntry, type RouteEntry, type RtnlEvent } from './types.js';

const { rt } = netlink;

/** rtnetlink message types we decode (linux/rtnetlink.h). */
export const RTM = {
  NEWLINK: 16, DELLINK: 17, GETLINK: 18, SETLINK: 19,
  NEWADDR: 20, DELADDR: 21, GETADDR: 22,
  NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26,
} as const;

const AF_INET = 2;
const AF_INET6 = 10;

type RtMessage = ReturnType<typeof rt.parseMessage>;

function familyOf(af: number | undefined, type: number): Family {
  if (af === AF_INET) return 4;
  if (af === AF_INET6) return 6;
  throw new NetlinkDecodeError(`unsupported address family ${af}`, type);
}

function ip(buf: Buffer | undefined, family: Family, type: number, what: string): string | undefined {
  if (buf === undefined) return undefined;
  const text = bytesToIp(buf);
  if (text === undefined || (family === 4) !== (buf.length === 4)) {
    throw new NetlinkDecodeError(`${what} has ${buf.length} bytes for IPv${family}`, type);
  }
  return text;
}

/** enum member → number (the library gives names for known values, numbers otherwise) */
function num(v: unknown, table: Record<string, unknown>, type: number, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && typeof table[v] === 'number') return table[v] as number;
  if (v === undefined) return 0;
  throw new NetlinkDecodeError(`${what} ${String(v)} unknown`, type);
}

/** Interface indexes named by an RTA_MULTIPATH blob (struct rtnexthop: u16 len, u8 flags, u8 hops, s32 ifindex). */
export function multipathDevices(buf: Buffer, type: number): number[] {
  const out: number[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < 8 || off + len > buf.length) throw new NetlinkDecodeError(`multipath nexthop length ${len} at ${off}`, type);
    out.push(buf.readInt32LE(off + 4));
    off += (len + 3) & ~3;
  }
  return out;
}

/** RTNH_F_DEAD | OFFLOAD | LINKDOWN | UNRESOLVED | TRAP: kernel state, not configuration */
const RTNH_STATE_FLAGS = 0x01 | 0x08 | 0x10 | 0x20 | 0x40;

/** Copy of a multipath blob with the kernel-state nexthop flags cleared (a copy must not carry them). */
export function normalizeMultipath(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  let off = 0;
  while (off + 8 <= out.length) {
    const len = out.readUInt16LE(off);
    if (len < 8) break;
    out[off + 2] = out[off + 2]! & ~RTNH_STATE_FLAGS;
    off += (len + 3) & ~3;
  }
  return out;
}

export function decodeRoute(msg: RtMessage, type: number): RouteEntry {
  if (msg.kind !== 'route') throw new NetlinkDecodeError(`expected a route, got ${msg.kind}`, type);
  const { data, attrs } = msg;
  const family = familyOf(data.family, type);
  const zero = family === 4 ? '0.0.0.0' : '::';
  const dstLen = data.dstLen ?? 0;
  const srcLen = data.srcLen ?? 0;
  if (dstLen > (family === 4 ? 32 : 128) || srcLen > (family === 4 ? 32 : 128)) {
    throw new NetlinkDecodeError(`prefix length ${dstLen}/${srcLen} too long`, type);
  }
  const route: RouteEntry = {
    family,
    table: attrs.table ?? data.table ?? RT_TABLE.UNSPEC,
    dst: ip(attrs.dst, family, type, 'RTA_DST') ?? zero,
    dstLen,
    srcLen,
    tos: data.tos ?? 0,
    priority: attrs.priority ?? 0,
    type: num(data.type, rt.RouteType as unknown as Record<string, unknown>, type, 'route type'),
    protocol: num(data.protocol, rt.RouteProtocol as unknown as Record<string, unknown>, type, 'route protocol'),
    scope: num(data.scope, rt.RouteScope as unknown as Record<string, unknown>, type, 'route scope'),
    devices: [],
    cloned: data.flags?.cloned === true,
  };
  const src = ip(attrs.src, family, type, 'RTA_SRC');
  if (src !== undefined) route.src = src;
  const gw = ip(attrs.gateway, family, type, 'RTA_GATEWAY');
  if (gw !== undefined) route.gateway = gw;
  const prefsrc = ip(attrs.prefsrc, family, type, 'RTA_PREFSRC');
  if (prefsrc !== undefined) route.prefsrc = prefsrc;
  if (attrs.oif !== undefined) { route.oif = attrs.oif; route.devices.push(attrs.oif); }
  if (attrs.pref !== undefined && attrs.pref.length >= 1) route.pref = attrs.pref[0]!;
  if (attrs.multipath !== undefined) {
    route.multipath = normalizeMultipath(attrs.multipath).toString('hex');
    route.devices.push(...multipathDevices(attrs.multipath, type));
  }
  if (attrs.metrics) {
    const m: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs.metrics)) if (Buffer.isBuffer(v)) m[k] = v.toString('hex');
    if (Object.keys(m).length) route.metrics = m;
  }
  return route;
}

export function decodeAddress(msg: RtMessage, type: number): AddressEntry {
  if (msg.kind !== 'address') throw new NetlinkDecodeError(`expected an address, got ${msg.kind}`, type);
  const { data, attrs } = msg;
  const family = familyOf(data.family, type);
  const local = ip(attrs.local, family, type, 'IFA_LOCAL');
  const address = ip(attrs.address, family, type, 'IFA_ADDRESS');
  const primary = local ?? address;
  if (primary === undefined) throw new NetlinkDecodeError('address without IFA_LOCAL/IFA_ADDRESS', type);
  if (data.index === undefined) throw new NetlinkDecodeError('address without interface index', type);
  const flags = attrs.flags ?? data.flags ?? {};
  const entry: AddressEntry = {
    family,
    index: data.index,
    address: primary,
    prefixLen: data.prefixlen ?? (family === 4 ? 32 : 128),
    scope: data.scope ?? 0,
    tentative: flags.tentative === true,
  };
  if (local !== undefined && address !== undefined && local !== address) entry.peer = address;
  if (attrs.label !== undefined) entry.label = attrs.label;
  if (attrs.cacheInfo) {
    if (attrs.cacheInfo.ifaPrefered !== undefined) entry.preferred = attrs.cacheInfo.ifaPrefered;
    if (attrs.cacheInfo.ifaValid !== undefined) entry.valid = attrs.cacheInfo.ifaValid;
  }
  return entry;
}

export function decodeLink(msg: RtMessage, type: number): LinkEntry {
  if (msg.kind !== 'link') throw new NetlinkDecodeError(`expected a link, got ${msg.kind}`, type);
  const { data, attrs } = msg;
  if (data.index === undefined) throw new NetlinkDecodeError('link without index', type);
  if (typeof attrs.ifname !== 'string') throw new NetlinkDecodeError(`link ${data.index} without IFLA_IFNAME`, type);
  const flags = data.flags ?? {};
  const entry: LinkEntry = {
    index: data.index,
    name: attrs.ifname,
    up: flags.up === true,
    carrier: attrs.carrier !== undefined ? attrs.carrier !== 0 : flags.lowerUp === true,
    running: flags.running === true,
  };
  if (attrs.mtu !== undefined) entry.mtu = attrs.mtu;
  if (attrs.address !== undefined && attrs.address.length === 6) {
    entry.mac = [...attrs.address].map((b) => b.toString(16).padStart(2, '0')).join(':');
  }
  return entry;
}

/** One raw netlink message (type + payload) → event; throws NetlinkDecodeError for anything else. */
export function decodeMessage(type: number, payload: Buffer): RtnlEvent {
  let msg: RtMessage;
  try {
    msg = rt.parseMessage(type, payload);
  } catch (cause) {
    throw new NetlinkDecodeError(cause instanceof Error ? cause.message : String(cause), type, { cause });
  }
  switch (type) {
    case RTM.NEWROUTE: case RTM.DELROUTE:
      return { kind: 'route', action: type === RTM.NEWROUTE ? 'new' : 'del', route: decodeRoute(msg, type) };
    case RTM.NEWADDR: case RTM.DELADDR:
      return { kind: 'address', action: type === RTM.NEWADDR ? 'new' : 'del', address: decodeAddress(msg, type) };
    case RTM.NEWLINK: case RTM.DELLINK:
      return { kind: 'link', action: type === RTM.NEWLINK ? 'new' : 'del', link: decodeLink(msg, type) };
    default:
      throw new NetlinkDecodeError('not a route/address/link message', type);
  }
}
