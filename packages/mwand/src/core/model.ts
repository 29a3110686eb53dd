/**
 * The controller's view of the world, in the narrow shapes the core needs. The real
 * configuration model (mwan-config) and the bus replies (netifd, trackers, rtmon) are adapted
 * into these shapes at the edge (src/adapters), so the core is tested with plain literals.
 */

export type Family = 'ipv4' | 'ipv6';
export type LastResort = 'unreachable' | 'blackhole' | 'default';

/** One `config interface` section. */
export interface InterfaceConfig {
  name: string;
  /** 1-based position among all interface sections (routing table and mark id) */
  id: number;
  enabled: boolean;
  family: Family;
  /** track_ip list; empty = no tracker (tracking "disabled", interface treated as up) */
  trackIps: string[];
  /** initial_state: online = usable before the tracker's first verdict */
  initialState: 'online' | 'offline';
  /** the tracker's settings as it receives them on its command line (opaque here, compared for reload) */
  trackSettings: Record<string, unknown>;
  /** flush_conntrack events */
  flushConntrack: string[];
}

export interface MemberConfig {
  name: string;
  interface: string;
  metric: number;
  weight: number;
}

export interface PolicyConfig {
  name: string;
  members: string[];
  lastResort: LastResort;
  /** mwan extension: how the lowest-metric members share (default weighted, mwan3's way) */
  balance?: string;
}

export interface RuleConfig {
  name: string;
  /** a policy name or one of the built-ins default / unreachable / blackhole */
  usePolicy: string;
  family: Family | 'any';
  /** 'all', a protocol name or number */
  proto: string;
  srcIp: string[];
  destIp: string[];
  /** ports / ranges ("80", "1000-2000", "1000:2000") */
  srcPort: string[];
  destPort: string[];
  srcIface?: string;
  ipset?: string;
  sticky: boolean;
  timeout: number;
  logging?: boolean;
}

export interface GlobalsConfig {
  mmxMask: number;
  logging: boolean;
  loglevel: string;
  /** rt_table_lookup tables (their routes count as connected) */
  rtTableLookup: number[];
  sourceRouting: boolean;
}

export interface CoreConfig {
  globals: GlobalsConfig;
  interfaces: InterfaceConfig[];
  members: MemberConfig[];
  policies: PolicyConfig[];
  rules: RuleConfig[];
}

/** What netifd says about one interface (network.interface.<name> status). */
export interface NetifdView {
  up: boolean;
  /** layer-3 device (l3_device, else device) */
  device?: string;
  /** seconds netifd reports the interface up */
  uptime?: number;
  /** addresses as CIDR (address/prefix length) */
  ipv4: string[];
  ipv6: string[];
  /** next hop of the interface's default route, when it has one */
  /** IPv4 default gateway from netifd's routes */
  gateway?: string;
  /** IPv6 default gateway from netifd's routes */
  gateway6?: string;
  /** when we took this view (clock ms), to age `uptime` */
  seenAt: number;
}

export const TRACK_STATES = ['online', 'offline', 'connecting', 'disconnecting', 'disabled'] as const;
export type TrackState = (typeof TRACK_STATES)[number];

/** One probe target's figures as the tracker reports them. */
export interface TargetView {
  ip: string;
  status: string;
  latencyMs?: number;
  lossPct?: number;
}

/** A tracker's latest verdict and figures (event mwan.track / mwan.track.<iface> status). */
export interface TrackView {
  state: TrackState;
  score?: number;
  lost?: number;
  turn?: number;
  latencyMs?: number;
  lossPct?: number;
  /** clock ms of the tracker's last round */
  time?: number;
  /** clock ms of the tracker's last state change (its `last_change_s`), when it said */
  changedAt?: number;
  targets?: TargetView[];
}

/** rtmon's view: connected networks per family. */
export interface RtmonView {
  connected: { ipv4: string[]; ipv6: string[] };
  /** routes of rt_table_lookup tables: also sent via the main table */
  custom?: { ipv4: string[]; ipv6: string[] };
}

/** Everything the core decides from. Immutable: handle() returns a new one. */
export interface ControllerState {
  config: CoreConfig;
  netifd: Readonly<Record<string, NetifdView>>;
  track: Readonly<Record<string, TrackView>>;
  /** interfaces taken down by `mwan ifdown` (administrative), until `mwan ifup` */
  adminDown: readonly string[];
  rtmon: RtmonView;
  /** clock ms when each interface last became usable / unusable (for status' online/offline ages) */
  since: Readonly<Record<string, { online?: number; offline?: number }>>;
}

/**
 * The netifd interfaces mwand follows: its own, then the others that rules name in `src_iface`
 * (mwan3's usual `src_iface 'lan'`), whose device the dataplane matches inbound traffic on.
 */
export function netifdNames(c: CoreConfig): string[] {
  const out = c.interfaces.map((i) => i.name);
  for (const r of c.rules) if (r.srcIface && !out.includes(r.srcIface)) out.push(r.srcIface);
  return out;
}

export function emptyState(config: CoreConfig): ControllerState {
  return { config, netifd: {}, track: {}, adminDown: [], rtmon: { connected: { ipv4: [], ipv6: [] } }, since: {} };
}
