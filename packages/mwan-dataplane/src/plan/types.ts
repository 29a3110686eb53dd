/**
 * The planner's input and output. The input is deliberately narrow (PlanConfig + PlanState) so the
 * planner is testable without the full config model; `fromMwanConfig` adapts mwan-config's model.
 */
import type { Stmt, Expr } from 'nft-json';

export type IpFamily = 'ipv4' | 'ipv6';
export type LastResort = 'unreachable' | 'blackhole' | 'default';

/**
 * How a policy shares new connections among the members of its lowest online metric tier.
 * weighted (mwan3's behaviour): random by weight. round_robin: in turn by weight. src_hash: one
 * source address always on the same member (no state). random: equal shares, weights ignored.
 * quality: weights scaled by each member's measured loss and latency (from PlanState).
 */
export type BalanceMode = 'weighted' | 'round_robin' | 'src_hash' | 'random' | 'quality';

export interface PlanInterface {
  /** UCI section name (netifd interface name) */
  name: string;
  /** enabled '1' in config */
  enabled: boolean;
  family: IpFamily;
  /**
   * Probes the interface's tracker sends on sockets that cannot carry SO_MARK or
   * SO_BINDTODEVICE (httping: Node's TCP), bound only to the interface's own address: TCP to
   * `port` of each target. The dataplane pins exactly that traffic to the interface (see
   * sourceBoundProbes); all other router traffic goes through the user rules, as with mwan3.
   */
  sourceBoundProbes?: { targets: string[]; port: number };
}

export interface PlanMember {
  name: string;
  interface: string;
  /** 1..256 (lower wins); mwan3 default 1 */
  metric: number;
  /** default 1 */
  weight: number;
}

export interface PlanPolicy {
  name: string;
  /** member names in config order */
  members: string[];
  lastResort: LastResort;
  balance?: BalanceMode;
}

export interface PlanRule {
  name: string;
  /** a policy name, or the built-ins 'default' | 'unreachable' | 'blackhole' */
  policy: string;
  family: 'any' | IpFamily;
  /** 'all' (default), 'tcp', 'udp', 'icmp', a protocol name or number */
  proto?: string;
  srcIp?: string[];
  destIp?: string[];
  /** ports or ranges "a-b"; only with tcp/udp */
  srcPort?: string[];
  destPort?: string[];
  /** interface name; matches traffic arriving on its device */
  srcIface?: string;
  /** name of an nft set in our table (filled by e.g. dnsmasq nftset=) matching the destination */
  ipset?: string;
  sticky?: boolean;
  /** sticky timeout, seconds (default 600) */
  timeout?: number;
  logging?: boolean;
}

export interface PlanGlobals {
  /** firewall mark mask, default 0x3F00 */
  mmxMask: number;
  logging: boolean;
  /** syslog level name for LOG, default notice */
  loglevel: string;
  /** extra routing tables counted as connected (rtmon fills custom_v4/_v6) */
  rtTableLookup: number[];
}

export interface PlanConfig {
  globals: PlanGlobals;
  /** ALL interface sections in config order (disabled too): position defines id, table and mark */
  interfaces: PlanInterface[];
  members: PlanMember[];
  policies: PlanPolicy[];
  /** in config order; first match wins */
  rules: PlanRule[];
}

/** Tracking verdict as mwan-track reports it; 'disabled' = no tracking, counts as usable. */
export type TrackStatus = 'online' | 'offline' | 'connecting' | 'disconnecting' | 'disabled' | 'unknown';

export interface WanState {
  /** netifd says the interface is up */
  up: boolean;
  status: TrackStatus;
  /** l3 device, e.g. "eth1" or "pppoe-wan" */
  device?: string;
  /** addresses of the interface (CIDR or plain) */
  addresses?: string[];
  /** default gateway; absent on point-to-point links (route "default dev X") */
  gateway?: string;
  /** measured loss (%) and latency (ms), used by balance mode "quality" */
  lossPct?: number;
  latencyMs?: number;
}

export interface PlanState {
  /** keyed by interface name; missing = down */
  wans: Record<string, WanState>;
  /**
   * Layer-3 devices of netifd interfaces outside the mwan config that rules name in `src_iface`
   * (mwan3's usual `src_iface 'lan'` → br-lan), while netifd has them up. A rule whose src_iface
   * has no device here (nor as an mwan interface) is left out with a warning, as mwan3 does.
   */
  devices?: Record<string, string>;
}

export interface IpRule {
  family: IpFamily;
  pref: number;
  iif?: string;
  /** mark and mask, e.g. 0x100 / 0x3f00 */
  fwmark?: { mark: number; mask: number };
  action: 'lookup' | 'unreachable' | 'blackhole';
  table?: number;
}

export interface Route {
  family: IpFamily;
  table: number;
  /** 'default' only: other routes are mirrored by mwan-rtmon */
  dst: 'default';
  via?: string;
  dev: string;
}

export interface DesiredChain {
  name: string;
  base?: { type: 'filter' | 'route'; hook: 'prerouting' | 'output'; prio: number };
  rules: DesiredRule[];
}

export interface DesiredRule {
  expr: Stmt[];
  /** short human label kept in the rule comment (user rule name), e.g. for `mwan rules` counters */
  label?: string;
}

export interface DesiredSet {
  name: string;
  type: string;
  flags?: Array<'interval' | 'timeout'>;
  timeout?: number;
  /**
   * undefined: live contents owned by someone else (rtmon, dnsmasq, the packet path) - never touched.
   * []: must be empty (e.g. sticky entries of a WAN that left its policy) - flushed when not.
   */
  elements?: Expr[];
}

/**
 * A verdict map whose elements mwan owns (e.g. `src_wan_v4`: a WAN's own address -> `goto
 * mark_<wan>`). Its elements are exactly `elements`: the applier replaces them (flush + add, in
 * the same transaction) when they differ, so an address change is a small element update.
 */
export interface DesiredMap {
  name: string;
  type: 'ipv4_addr' | 'ipv6_addr';
  /** [address (plain, canonical), chain to `goto`] */
  elements: Array<[string, string]>;
}

export interface DesiredNft {
  family: 'inet';
  table: string;
  sets: DesiredSet[];
  /** verdict maps with owned elements; absent = none */
  maps?: DesiredMap[];
  chains: DesiredChain[];
}

export interface WanInfo {
  name: string;
  id: number;
  table: number;
  mark: number;
  family: IpFamily;
  enabled: boolean;
  /** usable for policies right now (enabled, up, device, tracker online/disconnecting/disabled) */
  usable: boolean;
  device?: string;
  /** the WAN's own addresses (plain, no prefix length, link-local excluded) while it has a device */
  addresses?: string[];
  /** PlanInterface.sourceBoundProbes, validated */
  sourceBoundProbes?: { targets: string[]; port: number };
}

/** One policy's current choice per family, for `mwan policies` and tests. */
export interface PolicyChoice {
  policy: string;
  family: IpFamily;
  /** members of the lowest usable metric tier with their effective weights; empty = last resort */
  members: Array<{ interface: string; member: string; weight: number; percent: number }>;
  lastResort: LastResort;
  balance: BalanceMode;
}

export interface DesiredState {
  mask: number;
  nft: DesiredNft;
  ipRules: IpRule[];
  routes: Route[];
  wans: WanInfo[];
  policies: PolicyChoice[];
  /** rules skipped or adjusted, as mwan3 would warn */
  warnings: string[];
}
