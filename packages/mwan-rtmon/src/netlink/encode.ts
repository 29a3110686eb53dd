/**
 * Plain route records → the netlink library's route message shape, for RTM_NEWROUTE /
 * RTM_DELROUTE. Only attributes a route is defined by are written: state the kernel keeps
 * (expires, cache info, offload/linkdown flags) is never copied.
 */
import type netlink from 'netlink';
import { ipToBytes } from './ip.js';
import { RT_SCOPE, RT_TABLE, type RouteEntry } from './types.js';

type Route = netlink.rt.Route;
type RouteAttrs = netlink.rt.RouteAttrs;

const AF = { 4: 2, 6: 10 } as const;

function bytes(ip: string | undefined): Buffer | undefined {
  return ip === undefined ? undefined : ipToBytes(ip);
}

/** The rtmsg header and key attributes shared by add and delete. */
function keyOf(route: RouteEntry, table: number, protocol: Route['protocol'], scope: Route['scope']): { data: Route; attrs: RouteAttrs } {
  const data: Route = {
    family: AF[route.family],
    dstLen: route.dstLen,
    srcLen: route.srcLen,
    tos: route.tos,
    table: table < 256 ? table : RT_TABLE.COMPAT,
    protocol,
    scope,
    type: route.type,
    flags: {},
  };
  const attrs: RouteAttrs = { table };
  if (route.dstLen > 0) attrs.dst = bytes(route.dst);
  if (route.srcLen > 0 && route.src !== undefined) attrs.src = bytes(route.src);
  return { data, attrs };
}

/** RTM_NEWROUTE body for `route` placed into `table`. */
export function encodeNewRoute(route: RouteEntry, table: number): { data: Route; attrs: RouteAttrs } {
  const { data, attrs } = keyOf(route, table, route.protocol, route.scope);
  if (route.gateway !== undefined) attrs.gateway = bytes(route.gateway);
  if (route.oif !== undefined) attrs.oif = route.oif;
  if (route.prefsrc !== undefined) attrs.prefsrc = bytes(route.prefsrc);
  if (route.priority) attrs.priority = route.priority;
  if (route.pref !== undefined) attrs.pref = Buffer.from([route.pref]);
  if (route.multipath !== undefined) attrs.multipath = Buffer.from(route.multipath, 'hex');
  if (route.metrics) {
    const m: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(route.metrics)) m[k] = Buffer.from(v, 'hex');
    attrs.metrics = m;
  }
  return { data, attrs };
}

/** RTM_DELROUTE body matching exactly the route with `route`'s key in `table`. */
export function encodeDelRoute(route: RouteEntry, table: number): { data: Route; attrs: RouteAttrs } {
  const { data, attrs } = keyOf(route, table, 0 as netlink.rt.RouteProtocol, RT_SCOPE.NOWHERE);
  if (route.priority) attrs.priority = route.priority;
  // IPv6 keys routes by device too: name it, or the kernel deletes the first match
  if (route.family === 6 && route.oif !== undefined) attrs.oif = route.oif;
  return { data, attrs };
}
