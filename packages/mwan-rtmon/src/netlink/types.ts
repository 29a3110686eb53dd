/**
 * Plain records for what rtnetlink reports: routes, addresses, links. Decoded from the kernel's
 * messages by decode.ts and written back by encode.ts; planners only ever see these.
 */
import type { Family } from './ip.js';

export type { Family } from './ip.js';

/** Reserved routing table ids (linux/rtnetlink.h rt_class_t). */
export const RT_TABLE = { UNSPEC: 0, COMPAT: 252, DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;

/** rtm_type values (RTN_*). */
export const RTN = {
  UNSPEC: 0, UNICAST: 1, LOCAL: 2, BROADCAST: 3, ANYCAST: 4, MULTICAST: 5, BLACKHOLE: 6,
  UNREACHABLE: 7, PROHIBIT: 8, THROW: 9, NAT: 10, XRESOLVE: 11,
} as const;

/** rtm_scope values (RT_SCOPE_*). */
export const RT_SCOPE = { UNIVERSE: 0, SITE: 200, LINK: 253, HOST: 254, NOWHERE: 255 } as const;

export interface RouteEntry {
  family: Family;
  /** routing table id (RTA_TABLE when present, else rtm_table) */
  table: number;
  /** destination network, canonical text ("0.0.0.0" / "::" for default) */
  dst: string;
  dstLen: number;
  /** IPv6 source prefix ("from"), canonical; undefined when none */
  src?: string;
  srcLen: number;
  tos: number;
  /** RTA_PRIORITY (metric); 0 when absent */
  priority: number;
  /** RTN_* */
  type: number;
  /** RTPROT_* */
  protocol: number;
  /** RT_SCOPE_* */
  scope: number;
  gateway?: string;
  /** output interface index */
  oif?: number;
  prefsrc?: string;
  /** IPv6 router preference (RTA_PREF) */
  pref?: number;
  /** RTA_METRICS members by name (mtu, advmss, ...), raw value bytes as hex */
  metrics?: Record<string, string>;
  /** RTA_MULTIPATH raw bytes as hex (array of struct rtnexthop with their attributes) */
  multipath?: string;
  /** interface indexes used by the route (oif and every multipath nexthop) */
  devices: number[];
  /** RTM_F_CLONED: a cache entry, never a configured route */
  cloned: boolean;
}

export interface AddressEntry {
  family: Family;
  /** interface index */
  index: number;
  /** local address (IFA_LOCAL, else IFA_ADDRESS), canonical */
  address: string;
  prefixLen: number;
  /** peer address on point-to-point links (IFA_ADDRESS when it differs from IFA_LOCAL) */
  peer?: string;
  scope: number;
  label?: string;
  tentative: boolean;
  /** preferred / valid lifetimes in seconds (0xffffffff = forever) */
  preferred?: number;
  valid?: number;
}

export interface LinkEntry {
  index: number;
  name: string;
  /** IFF_UP: administratively up */
  up: boolean;
  /** IFF_LOWER_UP / carrier present */
  carrier: boolean;
  /** IFF_RUNNING (RFC 2863 operational) */
  running: boolean;
  mtu?: number;
  /** hardware address as aa:bb:cc:.. */
  mac?: string;
}

/** One change notification, already decoded. */
export type RtnlEvent =
  | { kind: 'route'; action: 'new' | 'del'; route: RouteEntry }
  | { kind: 'address'; action: 'new' | 'del'; address: AddressEntry }
  | { kind: 'link'; action: 'new' | 'del'; link: LinkEntry }
  /** the kernel dropped notifications (ENOBUFS): the listener must re-dump */
  | { kind: 'overrun' };

export type RtnlGroup = 'IPV4_ROUTE' | 'IPV6_ROUTE' | 'IPV4_IFADDR' | 'IPV6_IFADDR' | 'LINK';
