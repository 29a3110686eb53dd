/**
 * Checks of the values that come from outside the config (netifd, trackers, a --state file) before
 * they are put into nft or ip. Pure; shared by the planner, the applier and mwand's adapters.
 */
import { isIP } from 'node:net';
import { PlanError } from '../errors.js';
import type { IpFamily, WanState } from './types.js';

/**
 * Linux interface names (dev_valid_name: 1..15 bytes, no '/', ':' or whitespace, not '.'/'..'),
 * further limited to characters that nft's text syntax and `ip -batch` (which treats '#' and quotes
 * specially) both take as a plain word: letters, digits, '_', '.', '-'. OpenWrt's names (eth0.2,
 * pppoe-wan, br-lan, wwan0, 6in4-x) all fit.
 */
const DEVICE = /^[A-Za-z0-9_.-]{1,15}$/;

export function isValidDeviceName(name: unknown): name is string {
  return typeof name === 'string' && DEVICE.test(name) && name !== '.' && name !== '..';
}

const familyNumber = (f: IpFamily): 4 | 6 => (f === 'ipv4' ? 4 : 6);

/** A gateway address of the family (IPv6 may carry a zone, e.g. fe80::1%eth1, with a valid device). */
export function isValidGateway(gw: unknown, family: IpFamily): gw is string {
  if (typeof gw !== 'string' || isIP(gw) !== familyNumber(family)) return false;
  const zone = gw.indexOf('%');
  return zone < 0 || isValidDeviceName(gw.slice(zone + 1));
}

/** "addr" or "addr/len" of the family. */
export function isValidCidr(v: unknown, family: IpFamily): v is string {
  if (typeof v !== 'string') return false;
  const [addr, len, extra] = v.split('/');
  if (extra !== undefined || isIP(addr ?? '') !== familyNumber(family)) return false;
  return len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= (family === 'ipv4' ? 32 : 128));
}

/** latency ceiling: anything above an hour is a broken measurement, not a slow link */
export const MAX_LATENCY_MS = 3_600_000;

const STATUSES = new Set(['online', 'offline', 'connecting', 'disconnecting', 'disabled', 'unknown']);

/**
 * Throws PlanError PLAN_BAD_VALUE naming the WAN and field for the first value of a WAN's state that
 * must not reach nft or ip. `family` is the WAN's configured family (the gateway and addresses must
 * be of it).
 */
export function checkWanState(wan: string, family: IpFamily, st: WanState): void {
  const bad = (field: string, value: unknown, why: string): never => {
    throw new PlanError('PLAN_BAD_VALUE', `wan '${wan}': ${field} ${JSON.stringify(value)} ${why}`, { field: `${wan}.${field}` });
  };
  if (typeof st !== 'object' || st === null) bad('state', st, 'is not an object');
  if (!STATUSES.has(st.status)) bad('status', st.status, `is not one of ${[...STATUSES].join(', ')}`);
  // '' is "no device" / "no gateway" (as the planner reads them), not a bad value
  if (st.device !== undefined && st.device !== '' && !isValidDeviceName(st.device)) bad('device', st.device, 'is not a valid interface name');
  if (st.gateway !== undefined && st.gateway !== '' && !isValidGateway(st.gateway, family)) bad('gateway', st.gateway, `is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
  if (st.addresses !== undefined) {
    if (!Array.isArray(st.addresses)) bad('addresses', st.addresses, 'is not a list');
    for (const a of st.addresses) if (!isValidCidr(a, family)) bad('addresses', a, `is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address or CIDR`);
  }
  if (st.lossPct !== undefined && !(typeof st.lossPct === 'number' && Number.isFinite(st.lossPct) && st.lossPct >= 0 && st.lossPct <= 100)) {
    bad('lossPct', st.lossPct, 'is not a number from 0 to 100');
  }
  if (st.latencyMs !== undefined && !(typeof st.latencyMs === 'number' && Number.isFinite(st.latencyMs) && st.latencyMs >= 0 && st.latencyMs <= MAX_LATENCY_MS)) {
    bad('latencyMs', st.latencyMs, `is not a number from 0 to ${MAX_LATENCY_MS}`);
  }
}
