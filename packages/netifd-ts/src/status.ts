/**
 * Pure: observed kernel state of one device → netifd's view of the interface bound to it
 * (up or down, and the `status` reply in netifd's shape, netifd ubus.c netifd_dump_status).
 * States and transitions are in docs/netifd-ts.md.
 */
import { RT_TABLE, type AddressEntry, type LinkEntry, type RouteEntry } from 'mwan-rtmon/netlink/index';
import type { InterfaceSpec } from './spec.js';

export interface Observed {
  /** the device's link, undefined while the device does not exist */
  link: LinkEntry | undefined;
  /** addresses on the device */
  addresses: readonly AddressEntry[];
  /** main-table routes through the device */
  routes: readonly RouteEntry[];
}

const RT_SCOPE_UNIVERSE = 0;
const FOREVER = 0xffffffff;

/** Addresses netifd would list: IPv4 except host scope, IPv6 global and past DAD. */
export function usableAddresses(obs: Observed): AddressEntry[] {
  return obs.addresses.filter((a) => (a.family === 4 ? a.scope !== 254 : a.scope === RT_SCOPE_UNIVERSE && !a.tentative));
}

/**
 * The interface is up when its device exists, is administratively up, has carrier, and has at
 * least one usable address — and nobody called `down` on it (autostart).
 */
export function isUp(obs: Observed, autostart: boolean): boolean {
  const l = obs.link;
  return autostart && l !== undefined && l.up && l.carrier && usableAddresses(obs).length > 0;
}

/** pending (netifd IFS_SETUP): device up with carrier, waiting for an address. */
export function isPending(obs: Observed, autostart: boolean): boolean {
  const l = obs.link;
  return autostart && l !== undefined && l.up && l.carrier && usableAddresses(obs).length === 0;
}

export type InterfaceAction = 'ifup' | 'ifdown';

/** The `network.interface` event a change from `wasUp` to `nowUp` sends, if any. */
export function transition(wasUp: boolean, nowUp: boolean): InterfaceAction | undefined {
  if (wasUp === nowUp) return undefined;
  return nowUp ? 'ifup' : 'ifdown';
}

function addressJson(a: AddressEntry): Record<string, string | number> {
  const o: Record<string, string | number> = { address: a.address, mask: a.prefixLen };
  if (a.peer !== undefined) o.ptpaddress = a.peer;
  if (a.preferred !== undefined && a.preferred !== FOREVER) o.preferred = a.preferred;
  if (a.valid !== undefined && a.valid !== FOREVER) o.valid = a.valid;
  return o;
}

/** Routes netifd lists for an interface: main-table routes via a gateway on its device (what a proto installs). */
export function interfaceRoutes(obs: Observed): Record<string, string | number>[] {
  return obs.routes
    .filter((r) => r.table === RT_TABLE.MAIN && r.gateway !== undefined && !r.cloned)
    .map((r) => {
      const o: Record<string, string | number> = { target: r.dst, mask: r.dstLen, nexthop: r.gateway! };
      if (r.priority) o.metric = r.priority;
      o.source = `${r.src ?? (r.family === 4 ? '0.0.0.0' : '::')}/${r.srcLen}`;
      return o;
    });
}

export interface StatusContext {
  up: boolean;
  autostart: boolean;
  /** seconds the interface has been up */
  uptime: number;
}

/** netifd's `status` reply for one interface. */
export function interfaceStatus(spec: InterfaceSpec, obs: Observed, ctx: StatusContext): Record<string, unknown> {
  const st: Record<string, unknown> = {
    up: ctx.up,
    pending: !ctx.up && isPending(obs, ctx.autostart),
    available: obs.link !== undefined,
    autostart: ctx.autostart,
    dynamic: false,
  };
  if (ctx.up) {
    st.uptime = ctx.uptime;
    st.l3_device = spec.device;
  }
  st.proto = spec.proto;
  if (obs.link !== undefined) st.device = spec.device;
  if (ctx.up) {
    const usable = usableAddresses(obs);
    st.metric = 0;
    st.dns_metric = 0;
    st.delegation = true;
    st['ipv4-address'] = usable.filter((a) => a.family === 4).map(addressJson);
    st['ipv6-address'] = usable.filter((a) => a.family === 6).map(addressJson);
    st['ipv6-prefix'] = [];
    st['ipv6-prefix-assignment'] = [];
    st.route = interfaceRoutes(obs);
    st['dns-server'] = [...spec.dns];
    st['dns-search'] = [];
    st.neighbors = [];
    st.inactive = { 'ipv4-address': [], 'ipv6-address': [], route: [], 'dns-server': [], 'dns-search': [], neighbors: [] };
  }
  st.data = {};
  return st;
}
