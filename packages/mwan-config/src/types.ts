/**
 * The typed mwan config model. Property names are the camelCase of mwan3's UCI option names
 * (`track_ip` → `trackIp`, `use_member` → `useMember`); docs/config.md lists every option with its
 * model name, type and default. Every value is already defaulted and validated when a model is
 * handed out by `loadConfig`.
 */

/** Where something was written: config file and 1-based line. */
export interface SourceLocation {
  file: string;
  line: number;
}

export type Family = 'ipv4' | 'ipv6';
export type RuleFamily = Family | 'any';
export type TrackMethod =
  | 'ping'
  | 'arping'
  | 'httping'
  | 'nping-tcp'
  | 'nping-udp'
  | 'nping-icmp'
  | 'nping-arp'
  | 'nslookup';
export type InitialState = 'online' | 'offline';
export type LastResort = 'unreachable' | 'blackhole' | 'default';
/** mwan extension: how a policy shares new connections among its lowest-metric online members. */
export type BalanceMode = 'weighted' | 'round_robin' | 'src_hash' | 'random' | 'quality';
export type FlushEvent = 'ifup' | 'ifdown' | 'connected' | 'disconnected';
/** nft's `log level` names (mwan3's `error`/`warning` are read as `err`/`warn`). */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warn' | 'notice' | 'info' | 'debug';

/** Section `config globals 'globals'`. */
export interface GlobalsConfig {
  /** Firewall mark mask (mwan3 `mmx_mask`), default 0x3F00. */
  mmxMask: number;
  logging: boolean;
  loglevel: LogLevel;
  /** Extra routing table ids whose routes count as connected (`rt_table_lookup`). */
  rtTableLookup: number[];
  sourceRouting: boolean;
  source: SourceLocation | null;
}

/**
 * The tracking options of one interface; this object (plus device/family) is what mwand passes to
 * `mwan-track --settings`. Durations are seconds and may be fractional (mwan extension).
 */
export interface TrackingSettings {
  trackIp: string[];
  trackMethod: TrackMethod;
  httpingSsl: boolean;
  reliability: number;
  count: number;
  /** seconds */
  timeout: number;
  /** seconds */
  interval: number;
  /** seconds; defaults to `interval` */
  failureInterval: number;
  /** seconds; defaults to `interval` */
  recoveryInterval: number;
  keepFailureInterval: boolean;
  down: number;
  up: number;
  size: number;
  maxTtl: number;
  checkQuality: boolean;
  /** ms */
  failureLatency: number;
  /** ms */
  recoveryLatency: number;
  /** percent */
  failureLoss: number;
  /** percent */
  recoveryLoss: number;
  initialState: InitialState;
}

/** Section `config interface '<netifd interface name>'`. */
export interface InterfaceConfig extends TrackingSettings {
  name: string;
  /** 1-based position among all interface sections (disabled ones included): routing table id. */
  id: number;
  enabled: boolean;
  family: Family;
  flushConntrack: FlushEvent[];
  source: SourceLocation;
}

/** Section `config member '<name>'`. */
export interface MemberConfig {
  name: string;
  interface: string;
  metric: number;
  weight: number;
  source: SourceLocation;
}

/** Section `config policy '<name>'`. */
export interface PolicyConfig {
  name: string;
  /** Member names in config order. */
  useMember: string[];
  lastResort: LastResort;
  /** mwan extension, default `weighted` (mwan3's behaviour). */
  balance: BalanceMode;
  source: SourceLocation;
}

/** An inclusive port range; a single port has from === to. */
export interface PortRange {
  from: number;
  to: number;
}

/** Section `config rule '<name>'`, kept in config order (first match wins). */
export interface RuleConfig {
  name: string;
  /** A policy name, or the built-ins `default`, `unreachable`, `blackhole`. */
  usePolicy: string;
  family: RuleFamily;
  /** `all`, a protocol name (tcp, udp, icmp, ...; lower case) or a number 0-255 as written. */
  proto: string;
  /** Addresses/CIDRs (`a.b.c.d/len`; a dotted netmask is stored as its length), comma-separated values split; empty = any. */
  srcIp: string[];
  destIp: string[];
  /** Empty = any. Only meaningful with proto tcp/udp (else ignored with a warning). */
  srcPort: PortRange[];
  destPort: PortRange[];
  srcIface: string | null;
  ipset: string | null;
  sticky: boolean;
  /** seconds */
  timeout: number;
  logging: boolean;
  source: SourceLocation;
}

/** The whole validated config. Arrays keep config-file order. */
export interface MwanConfig {
  globals: GlobalsConfig;
  interfaces: InterfaceConfig[];
  members: MemberConfig[];
  policies: PolicyConfig[];
  rules: RuleConfig[];
}

export type IssueSeverity = 'error' | 'warning';

/** One problem found in a config: prints as `file:line: code: message`. */
export interface ConfigIssue {
  severity: IssueSeverity;
  /** Stable code, e.g. `ERR_MWAN_UNKNOWN_MEMBER`, `WARN_MWAN_UNKNOWN_OPTION`. */
  code: string;
  file: string;
  line: number;
  /** `section.option` (or `section` alone) the issue is about. */
  field: string | null;
  message: string;
}

/** What `loadConfig` returns: the model is null when there is at least one error. */
export interface LoadResult {
  config: MwanConfig | null;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}
