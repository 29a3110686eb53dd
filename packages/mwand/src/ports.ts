/**
 * The narrow interfaces the controller is built from (STYLE: a component gets only what it
 * uses). Real implementations live in src/adapters/ and talk to the bus, procd and the kernel;
 * tests use small fakes.
 */
import type { ExplainSets, ExplainSetsRequest, SourceWans } from './core/explain.js';
import type { ControllerState, CoreConfig, InterfaceConfig, NetifdView, RtmonView, TrackView } from './core/model.js';
import type { PolicyTable, RuleCounter } from './views.js';

/** Loads and validates the configuration; throws ConfigRejectedError with file:line messages. */
export type ConfigLoader = () => Promise<CoreConfig>;

/** The dataplane: plan is pure (throws on an unplannable config), apply makes the kernel match. */
export interface DataplanePort {
  plan(state: ControllerState): unknown;
  apply(plan: unknown): Promise<void>;
  /** user rule counters read back from the kernel */
  ruleCounters(): Promise<ReadonlyMap<string, RuleCounter> | undefined>;
  /** the policy choices a plan made (balance modes included), in the views' shape */
  policies?(plan: unknown, config: CoreConfig): PolicyTable;
  /** the plan's own-address → WAN maps (src_wan_v4/_v6), for explain */
  sourceWans?(plan: unknown): SourceWans;
  /** members of these rule sets (`ipset NAME`) and sticky sets, from one read of the running ruleset, for explain */
  explainSets?(want: ExplainSetsRequest): Promise<ExplainSets>;
  /** flush conntrack entries of this interface's mark (flush_conntrack) */
  flushConntrack?(iface: InterfaceConfig): Promise<void>;
}

/** netifd: network.interface.<name> status. */
export interface NetifdPort {
  status(name: string): Promise<NetifdView | null>;
}

/** Trackers: procd instances `track_<iface>` of service `mwan` and their objects mwan.track.<iface>. */
export interface TrackerPort {
  /** running instances: interface → identity they were started with (undefined: unreadable) */
  running(): Promise<Map<string, string | undefined>>;
  /** the identity an instance for this config would have (compared with running()) */
  identity(i: InterfaceConfig): string;
  /** add an instance (other instances untouched) */
  start(i: InterfaceConfig, net: NetifdView | undefined): Promise<void>;
  /** replace an instance's command line */
  replace(i: InterfaceConfig, net: NetifdView | undefined): Promise<void>;
  stop(name: string): Promise<void>;
  /** tell a running tracker about its device / address / up state (mwan.track.<iface> update) */
  /** `family` picks the source address sent to the tracker (an IPv6 WAN must get an IPv6 one) */
  update(name: string, net: NetifdView | undefined, family?: 'ipv4' | 'ipv6'): Promise<void>;
  /** the tracker's current verdict and figures (mwan.track.<iface> status); null when absent */
  status(name: string): Promise<TrackView | null>;
}

/** rtmon: connected networks (mwan.rtmon connected). */
export interface RtmonPort {
  connected(): Promise<RtmonView | null>;
  /** ask rtmon to re-read the config and re-mirror (after a reload changed interfaces) */
  resync?(): Promise<void>;
}

/** What the `teardown` method removed from the kernel. */
export interface TeardownReport {
  table: boolean;
  ipRules: number;
  routes: number;
}
