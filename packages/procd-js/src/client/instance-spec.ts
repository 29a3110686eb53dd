/**
 * Friendly instance descriptions for the client, and their translation to what procd expects on
 * the bus (what procd.sh's procd_set_param would send): respawn values as strings, booleans as
 * booleans, term_timeout/nice/reload_signal as int32.
 */
import { constants as osConstants } from 'node:os';
import type { BlobmsgJs } from 'ubus-ts';
import type { WireInstance } from '../types.js';

export interface RespawnSpec {
  /** seconds; a run shorter than this is a fast failure (default 3600) */
  threshold?: number;
  /** seconds before a respawn (default 5) */
  timeout?: number;
  /** fast failures tolerated before giving up, 0 = forever (default 5) */
  retry?: number;
}

export interface InstanceSpec {
  command: string[];
  env?: Record<string, string>;
  data?: Record<string, BlobmsgJs>;
  /** true = procd's defaults (3600, 5, 5) */
  respawn?: boolean | RespawnSpec;
  /** seconds between SIGTERM and SIGKILL (default 5) */
  termTimeout?: number;
  /** rlimit name → "soft hard" | "unlimited" | number */
  limits?: Record<string, string | number>;
  user?: string;
  group?: string;
  stdout?: boolean;
  stderr?: boolean;
  pidfile?: string;
  netdev?: string[];
  file?: string[];
  watch?: string[];
  triggers?: BlobmsgJs[];
  nice?: number;
  /** signal (number or name) sent instead of a restart when the definition changes */
  reloadSignal?: number | NodeJS.Signals;
  /** mode 0 off, 1 passive, 2 active; timeout seconds */
  watchdog?: { mode: 0 | 1 | 2; timeout?: number };
  noNewPrivs?: boolean;
}

/** Signal name or number → number (throws on an unknown name). */
export function signalNumber(sig: number | NodeJS.Signals): number {
  if (typeof sig === 'number') return sig;
  const n = osConstants.signals[sig];
  if (n === undefined) throw new TypeError(`unknown signal ${sig}`);
  return n;
}

const s = (n: number): string => String(Math.trunc(n));

/** The wire form of an instance description. */
export function toWireInstance(spec: InstanceSpec): WireInstance {
  const w: WireInstance = { command: [...spec.command] };
  if (spec.env) w.env = { ...spec.env };
  if (spec.data) w.data = spec.data;
  if (spec.respawn) {
    const r = spec.respawn === true ? {} : spec.respawn;
    w.respawn = [s(r.threshold ?? 3600), s(r.timeout ?? 5), s(r.retry ?? 5)];
  }
  if (spec.termTimeout !== undefined) w.term_timeout = spec.termTimeout;
  if (spec.limits) w.limits = Object.fromEntries(Object.entries(spec.limits).map(([k, v]) => [k, String(v)]));
  if (spec.user) w.user = spec.user;
  if (spec.group) w.group = spec.group;
  if (spec.stdout !== undefined) w.stdout = spec.stdout;
  if (spec.stderr !== undefined) w.stderr = spec.stderr;
  if (spec.pidfile) w.pidfile = spec.pidfile;
  if (spec.netdev) w.netdev = [...spec.netdev];
  if (spec.file) w.file = [...spec.file];
  if (spec.watch) w.watch = [...spec.watch];
  if (spec.triggers) w.triggers = spec.triggers;
  if (spec.nice !== undefined) w.nice = spec.nice;
  if (spec.reloadSignal !== undefined) w.reload_signal = signalNumber(spec.reloadSignal);
  if (spec.watchdog) w.watchdog = [s(spec.watchdog.mode), s(spec.watchdog.timeout ?? 30)];
  if (spec.noNewPrivs !== undefined) w.no_new_privs = spec.noNewPrivs;
  return w;
}
