/**
 * The JSON shapes mwand shows on the bus, built purely from the controller state. `statusView`
 * is mwan3's rpcd `mwan3 status` shape with its bugs fixed (correct integer percentages, ages
 * never NaN); the other views are mwan's richer forms. Documented in docs/ubus-api.md.
 */
import { spreadIntoMask } from 'mwan-config';
import type { ControllerState, Family, InterfaceConfig } from './core/model.js';
import type { PolicyResolution } from './core/policy.js';
import { interfaceStatus } from './core/status.js';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json | undefined };
export type PolicyTable = Record<string, Record<Family, PolicyResolution>>;

/** Counters of one user rule as read back from the dataplane. */
export interface RuleCounter {
  packets: number;
  bytes: number;
}

/** Whole seconds between two clock readings, never negative, 0 when `since` is unknown. */
function ageS(now: number, since: number | undefined): number {
  if (since === undefined || !Number.isFinite(since)) return 0;
  return Math.max(0, Math.floor((now - since) / 1000));
}

function netUptime(state: ControllerState, name: string, now: number): number {
  const n = state.netifd[name];
  if (!n?.up || n.uptime === undefined) return 0;
  return Math.max(0, Math.floor(n.uptime + (now - n.seenAt) / 1000));
}

function trackTargets(state: ControllerState, i: InterfaceConfig): { ip: string; status: string; latency: number; packetloss: number }[] {
  const t = state.track[i.name]?.targets;
  return i.trackIps.map((ip) => {
    const x = t?.find((y) => y.ip === ip);
    return { ip, status: x?.status ?? 'unknown', latency: Math.round(x?.latencyMs ?? 0), packetloss: Math.round(x?.lossPct ?? 0) };
  });
}

/** One interface in mwan3's rpcd shape. */
export function mwan3Interface(state: ControllerState, i: InterfaceConfig, now: number, trackerRunning: boolean): { [k: string]: Json } {
  const s = interfaceStatus(state, i);
  const t = state.track[i.name];
  const since = state.since[i.name];
  const tracking = s.tracking === 'down' && trackerRunning ? 'active' : s.tracking;
  return {
    age: ageS(now, t?.time),
    online: s.usable ? ageS(now, since?.online) : 0,
    offline: s.usable ? 0 : ageS(now, since?.offline),
    uptime: netUptime(state, i.name, now),
    score: t?.score ?? 0,
    lost: t?.lost ?? 0,
    turn: t?.turn ?? 0,
    status: s.status,
    enabled: i.enabled,
    running: tracking === 'active',
    tracking,
    up: s.up,
    track_ip: trackTargets(state, i),
  };
}

/** mwan3's `status` reply: { interfaces, connected, policies } (or one section). */
export function statusView(
  state: ControllerState,
  policies: PolicyTable,
  now: number,
  running: ReadonlySet<string>,
  opts: { section?: string; interface?: string } = {},
): { [k: string]: Json } {
  const interfaces: { [k: string]: Json } = {};
  for (const i of state.config.interfaces) {
    if (opts.interface !== undefined && opts.interface !== i.name) continue;
    interfaces[i.name] = mwan3Interface(state, i, now, running.has(i.name));
  }
  const connected = { ipv4: [...state.rtmon.connected.ipv4], ipv6: [...state.rtmon.connected.ipv6] };
  const pol: { ipv4: { [k: string]: Json }; ipv6: { [k: string]: Json } } = { ipv4: {}, ipv6: {} };
  for (const [name, fam] of Object.entries(policies)) {
    for (const f of ['ipv4', 'ipv6'] as const) pol[f][name] = fam[f].shares.map((s) => ({ interface: s.interface, percent: s.percent }));
  }
  switch (opts.section) {
    case 'interfaces':
      return { interfaces };
    case 'connected':
      return { connected };
    case 'policies':
      return { policies: pol };
    default:
      return { interfaces, connected, policies: pol };
  }
}

/** mwan's `interfaces` reply: everything known per interface. */
export function interfacesView(state: ControllerState, now: number, running: ReadonlySet<string>): { interfaces: { [k: string]: Json } } {
  const out: { [k: string]: Json } = {};
  for (const i of state.config.interfaces) {
    const s = interfaceStatus(state, i);
    const t = state.track[i.name];
    const n = state.netifd[i.name];
    const since = state.since[i.name];
    const tracking = s.tracking === 'down' && running.has(i.name) ? 'active' : s.tracking;
    out[i.name] = {
      id: i.id,
      // the fwmark (and mask) of this WAN's connections: packet mark and conntrack mark
      mark: spreadIntoMask(i.id, state.config.globals.mmxMask),
      mark_mask: state.config.globals.mmxMask,
      enabled: i.enabled,
      family: i.family,
      status: s.status,
      usable: s.usable,
      up: s.up,
      netifd_up: !!n?.up,
      admin_down: state.adminDown.includes(i.name),
      device: s.device ?? null,
      addresses: n ? [...n.ipv4, ...n.ipv6] : [],
      tracking,
      tracker_state: t?.state ?? null,
      uptime: netUptime(state, i.name, now),
      online: s.usable ? ageS(now, since?.online) : 0,
      offline: s.usable ? 0 : ageS(now, since?.offline),
      age: ageS(now, t?.time),
      score: t?.score ?? null,
      lost: t?.lost ?? null,
      turn: t?.turn ?? null,
      latency_ms: t?.latencyMs ?? null,
      loss_pct: t?.lossPct ?? null,
      track_ip: trackTargets(state, i),
    };
  }
  return { interfaces: out };
}

/** mwan's `policies` reply: per policy and family, the members carrying traffic or the last resort. */
export function policiesView(policies: PolicyTable): { policies: { [k: string]: Json } } {
  const out: { [k: string]: Json } = {};
  for (const [name, fam] of Object.entries(policies)) {
    const one = (r: PolicyResolution): Json => ({
      active: r.shares.length > 0 ? 'members' : 'last_resort',
      last_resort: r.lastResort,
      members: r.shares.map((s) => ({ interface: s.interface, member: s.member, metric: s.metric, weight: s.weight, percent: s.percent })),
    });
    out[name] = { ipv4: one(fam.ipv4), ipv6: one(fam.ipv6) };
  }
  return { policies: out };
}

/** mwan's `rules` reply: user rules in order with their counters (null when not read back). */
export function rulesView(state: ControllerState, counters: ReadonlyMap<string, RuleCounter> | undefined): { rules: Json[] } {
  return {
    rules: state.config.rules.map((r) => {
      const c = counters?.get(r.name);
      return {
        name: r.name,
        policy: r.usePolicy,
        family: r.family,
        proto: r.proto,
        src_ip: r.srcIp,
        dest_ip: r.destIp,
        src_port: r.srcPort,
        dest_port: r.destPort,
        src_iface: r.srcIface ?? null,
        ipset: r.ipset ?? null,
        sticky: r.sticky,
        timeout: r.timeout,
        packets: c ? c.packets : null,
        bytes: c ? c.bytes : null,
      };
    }),
  };
}

/** Flattened policy shares, for comparing before/after a batch (`mwan.policy` events). */
export function policyShares(table: PolicyTable): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, fam] of Object.entries(table)) {
    m.set(name, JSON.stringify({ ipv4: sharesOf(fam.ipv4), ipv6: sharesOf(fam.ipv6) }));
  }
  return m;
}

export function sharesOf(r: PolicyResolution): Json {
  return r.shares.length > 0 ? r.shares.map((s) => ({ interface: s.interface, percent: s.percent })) : r.lastResort;
}
