/** NetifdPort over ubus: network.interface.<name> status, in netifd's shape. */
import { Status, UbusStatusError, type UbusClient } from 'ubus-ts';
import { isValidCidr, isValidDeviceName, isValidGateway } from 'mwan-dataplane';
import type { Clock } from '../core/clock.js';
import type { NetifdView } from '../core/model.js';
import type { NetifdPort } from '../ports.js';

type Rec = Record<string, unknown>;

function addrs(v: unknown, family: 'ipv4' | 'ipv6', drop: (field: string, value: unknown) => undefined): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((a): a is Rec => !!a && typeof a === 'object' && typeof (a as Rec).address === 'string')
    .map((a) => (typeof a.mask === 'number' ? `${a.address as string}/${a.mask}` : (a.address as string)))
    .filter((a) => isValidCidr(a, family) || drop(`${family}-address`, a));
}

export interface ParseOptions {
  /** interface name, for log lines (netifd's status reply does not carry it) */
  name?: string;
  /** where dropped values are reported; default: nothing */
  log?: (msg: string) => void;
}

/**
 * netifd status reply → NetifdView (exported for tests). A device or gateway that could not be put
 * into ip/nft as it is (not an interface name, not an address of its family) is logged with the
 * interface, field and value, and treated as absent (an invalid address is left out): that WAN has no device/gateway (so it is not
 * usable) and the bad value is never passed on.
 */
export function parseNetifdStatus(s: Rec, now: number, opts: ParseOptions = {}): NetifdView {
  const drop = (field: string, value: unknown): undefined => {
    opts.log?.(`netifd: interface ${opts.name ?? '?'}: ignoring invalid ${field} ${JSON.stringify(value)}`);
    return undefined;
  };
  const dev = (field: 'l3_device' | 'device'): string | undefined => {
    const v = s[field];
    if (v === undefined || v === null || v === '') return undefined;
    return isValidDeviceName(v) ? v : drop(field, v);
  };
  // an invalid l3_device is not replaced by `device`: that would be a different device
  const device = s.l3_device !== undefined && s.l3_device !== null && s.l3_device !== '' ? dev('l3_device') : dev('device');
  const v: NetifdView = { up: s.up === true, ipv4: addrs(s['ipv4-address'], 'ipv4', drop), ipv6: addrs(s['ipv6-address'], 'ipv6', drop), seenAt: now };
  if (device) v.device = device;
  if (typeof s.uptime === 'number') v.uptime = s.uptime;
  const routes = Array.isArray(s.route) ? (s.route as Rec[]) : [];
  // netifd lists the default route of each family the interface carries; keep them apart so an
  // IPv6 interface never gets an IPv4 gateway (and vice versa) when both share a device
  const def = (target: string) => routes.find((r) => r && r.target === target && r.mask === 0 && r.nexthop !== undefined && r.nexthop !== target);
  const gw = (target: string, family: 'ipv4' | 'ipv6'): string | undefined => {
    const r = def(target);
    if (!r) return undefined;
    return isValidGateway(r.nexthop, family) ? r.nexthop : drop(`${family === 'ipv4' ? 'IPv4' : 'IPv6'} route nexthop`, r.nexthop);
  };
  const gw4 = gw('0.0.0.0', 'ipv4');
  const gw6 = gw('::', 'ipv6');
  if (gw4) v.gateway = gw4;
  if (gw6) v.gateway6 = gw6;
  return v;
}

const stderrLog = (m: string): void => { process.stderr.write(`mwand: ${m}\n`); };

export function createNetifdPort(bus: Pick<UbusClient, 'call'>, clock: Clock, log: (msg: string) => void = stderrLog): NetifdPort {
  return {
    async status(name) {
      try {
        const r = await bus.call(`network.interface.${name}`, 'status', {});
        return r ? parseNetifdStatus(r as Rec, clock.now(), { name, log }) : null;
      } catch (err) {
        if (err instanceof UbusStatusError && err.status === Status.NOT_FOUND) return null;
        throw err;
      }
    },
  };
}
