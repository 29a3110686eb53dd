/**
 * The tracker's settings: `--settings JSON` (mwan-config's TrackingSettings plus device/family),
 * validated and defaulted. Every error names the field (`settings.timeout: ...`).
 */
import { isIP } from 'node:net';
import { SettingsError } from './errors.js';
import type { MachineConfig } from './machine.js';

export type Family = 'ipv4' | 'ipv6';
export type TrackMethod = 'ping' | 'arping' | 'httping' | 'nping-tcp' | 'nping-udp' | 'nping-icmp' | 'nping-arp' | 'nslookup';
const METHODS: readonly TrackMethod[] = ['ping', 'arping', 'httping', 'nping-tcp', 'nping-udp', 'nping-icmp', 'nping-arp', 'nslookup'];

export interface TrackSettings {
  trackIp: string[];
  trackMethod: TrackMethod;
  httpingSsl: boolean;
  reliability: number;
  count: number;
  /** seconds */
  timeout: number;
  interval: number;
  failureInterval: number;
  recoveryInterval: number;
  keepFailureInterval: boolean;
  down: number;
  up: number;
  size: number;
  maxTtl: number;
  checkQuality: boolean;
  failureLatency: number;
  recoveryLatency: number;
  failureLoss: number;
  recoveryLoss: number;
  initialState: 'online' | 'offline';
  family: Family;
  device: string | null;
  srcIp: string | null;
  mark: number;
  ifup: boolean;
  window: number;
  dnsQuery: string;
  port: number | null;
}

type Raw = Record<string, unknown>;

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function num(raw: Raw, key: string, dflt: number, min: number, max: number, integer: boolean): number {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' && /^\s*-?(\d+(\.\d*)?|\.\d+|0x[0-9a-f]+)\s*$/i.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new SettingsError(`settings.${key}`, `expected a number, got ${JSON.stringify(v)}`);
  if (integer && !Number.isInteger(n)) throw new SettingsError(`settings.${key}`, `expected an integer, got ${n}`);
  if (n < min || n > max) throw new SettingsError(`settings.${key}`, `${n} is out of range ${min}..${max}`);
  return n;
}

function bool(raw: Raw, key: string, dflt: boolean): boolean {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return dflt;
  if (v === true || v === 1 || v === '1' || v === 'true' || v === 'yes' || v === 'on') return true;
  if (v === false || v === 0 || v === '0' || v === 'false' || v === 'no' || v === 'off') return false;
  throw new SettingsError(`settings.${key}`, `expected a boolean, got ${JSON.stringify(v)}`);
}

function str(raw: Raw, key: string): string | null {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new SettingsError(`settings.${key}`, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** Linux interface names: 1..15 bytes, no slash, no whitespace, not . or .. */
export function validDevice(name: string): boolean {
  return name.length > 0 && name.length <= 15 && !/[\s/:]/.test(name) && name !== '.' && name !== '..';
}

function familyOf(ip: string): Family | null {
  const v = isIP(ip);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

/** Validates and defaults a settings object (plain JSON, camelCase or snake_case keys). */
export function parseSettings(input: unknown): TrackSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SettingsError('settings', 'expected a JSON object');
  const raw: Raw = {};
  for (const [k, v] of Object.entries(input as Raw)) raw[camel(k)] = v;

  const familyRaw = str(raw, 'family') ?? 'ipv4';
  if (familyRaw !== 'ipv4' && familyRaw !== 'ipv6') throw new SettingsError('settings.family', `expected ipv4 or ipv6, got ${JSON.stringify(familyRaw)}`);
  const family: Family = familyRaw;

  const ipsRaw = raw.trackIp ?? [];
  const ipsList = typeof ipsRaw === 'string' ? ipsRaw.split(/\s+/).filter(Boolean) : ipsRaw;
  if (!Array.isArray(ipsList)) throw new SettingsError('settings.trackIp', 'expected a list of addresses');
  const trackIp = ipsList.map((ip, i) => {
    if (typeof ip !== 'string' || familyOf(ip) === null) throw new SettingsError(`settings.trackIp[${i}]`, `not an IP address: ${JSON.stringify(ip)}`);
    if (familyOf(ip) !== family) throw new SettingsError(`settings.trackIp[${i}]`, `${ip} is not an ${family} address`);
    return ip;
  });

  const method = str(raw, 'trackMethod') ?? 'ping';
  if (!METHODS.includes(method as TrackMethod)) throw new SettingsError('settings.trackMethod', `unknown method ${JSON.stringify(method)} (one of ${METHODS.join(', ')})`);

  const interval = num(raw, 'interval', 10, 0.01, 86400, false);
  const reliability = num(raw, 'reliability', 1, 1, 1000, true);
  // reliability > targets is accepted, as mwan3 does (mwan-config warns): the WAN never passes

  const device = str(raw, 'device');
  if (device !== null && !validDevice(device)) throw new SettingsError('settings.device', `not a device name: ${JSON.stringify(device)}`);
  const srcIp = str(raw, 'srcIp');
  if (srcIp !== null && familyOf(srcIp) !== family) throw new SettingsError('settings.srcIp', `not an ${family} address: ${JSON.stringify(srcIp)}`);

  const mmxMask = num(raw, 'mmxMask', 0x3f00, 1, 0xffffffff, true);
  // mwan3's default mark is the mmdefault id spread into the mask: all mask bits set
  const mark = num(raw, 'mark', mmxMask, 0, 0xffffffff, true);
  const initialState = str(raw, 'initialState') ?? 'online';
  if (initialState !== 'online' && initialState !== 'offline') throw new SettingsError('settings.initialState', `expected online or offline, got ${JSON.stringify(initialState)}`);

  const s: TrackSettings = {
    trackIp,
    trackMethod: method as TrackMethod,
    httpingSsl: bool(raw, 'httpingSsl', false),
    reliability,
    count: num(raw, 'count', 1, 1, 1000, true),
    timeout: num(raw, 'timeout', 4, 0.01, 3600, false),
    interval,
    failureInterval: num(raw, 'failureInterval', interval, 0.01, 86400, false),
    recoveryInterval: num(raw, 'recoveryInterval', interval, 0.01, 86400, false),
    keepFailureInterval: bool(raw, 'keepFailureInterval', false),
    down: num(raw, 'down', 5, 1, 1000000, true),
    up: num(raw, 'up', 5, 1, 1000000, true),
    size: num(raw, 'size', 56, 0, 65000, true),
    maxTtl: num(raw, 'maxTtl', 60, 1, 255, true),
    checkQuality: bool(raw, 'checkQuality', false),
    failureLatency: num(raw, 'failureLatency', 1000, 0, 1e7, false),
    recoveryLatency: num(raw, 'recoveryLatency', 500, 0, 1e7, false),
    failureLoss: num(raw, 'failureLoss', 40, 0, 100, false),
    recoveryLoss: num(raw, 'recoveryLoss', 10, 0, 100, false),
    initialState,
    family,
    device,
    srcIp,
    mark,
    ifup: bool(raw, 'ifup', true),
    window: num(raw, 'window', 20, 1, 10000, true),
    dnsQuery: str(raw, 'dnsQuery') ?? '.',
    port: raw.port === undefined ? null : num(raw, 'port', 0, 1, 65535, true),
  };
  if (!/^(\.|([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?)$/.test(s.dnsQuery)) throw new SettingsError('settings.dnsQuery', `not a DNS name: ${JSON.stringify(s.dnsQuery)}`);
  return s;
}

/** The machine's view of the settings (durations to ms). */
export function machineConfig(s: TrackSettings): MachineConfig {
  return {
    reliability: s.reliability,
    down: s.down,
    up: s.up,
    intervalMs: s.interval * 1000,
    failureIntervalMs: s.failureInterval * 1000,
    recoveryIntervalMs: s.recoveryInterval * 1000,
    keepFailureInterval: s.keepFailureInterval,
    initialState: s.initialState,
    checkQuality: s.checkQuality,
    failureLatency: s.failureLatency,
    recoveryLatency: s.recoveryLatency,
    failureLoss: s.failureLoss,
    recoveryLoss: s.recoveryLoss,
  };
}
