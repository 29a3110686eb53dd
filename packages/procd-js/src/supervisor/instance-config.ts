/**
 * An instance description from `service set`/`add`, checked and normalised (instance_config_parse),
 * and the comparison `set` uses to decide whether a running instance must restart
 * (instance_config_changed). Pure apart from the injected DefinitionHost, which reads the two
 * pieces of outside state procd folds into a definition: file digests and network ifindexes.
 */
import { ProcdInvalidArgsError } from '../errors.js';
import { checkLimits } from './limits.js';

export interface RespawnPolicy {
  /** seconds: a run shorter than this counts as a fast failure */
  threshold: number;
  /** seconds to wait before respawning */
  timeout: number;
  /** fast failures tolerated before giving up; 0 = never give up */
  retry: number;
}

export interface InstanceConfig {
  name: string;
  command: string[] | undefined;
  env: Record<string, string>;
  data: Record<string, unknown> | undefined;
  respawn: RespawnPolicy | undefined;
  termTimeout: number;
  limits: Record<string, string>;
  user: string | undefined;
  group: string | undefined;
  stdout: boolean;
  stderr: boolean;
  pidfile: string | undefined;
  netdev: string[];
  file: string[];
  watch: string[];
  triggers: unknown[] | undefined;
  nice: number;
  reloadSignal: number;
  errors: string[];
  facility: string | undefined;
  watchdog: { mode: number; timeout: number };
  noNewPrivs: boolean;
  /** outside state folded into the definition: file → digest, netdev → ifindex */
  fileDigests: Record<string, string>;
  netdevIndexes: Record<string, number>;
  /** options procd-ts accepts but does not apply (jail, seccomp, ...), kept for comparison */
  unsupported: Record<string, unknown>;
}

/** Reads what procd folds into a definition besides the message itself. */
export interface DefinitionHost {
  /** digest of a file's content, '' when it cannot be read (procd: md5) */
  fileDigest(path: string): string;
  /** interface index of a network device, 0 when absent (procd: if_nametoindex) */
  ifindex(dev: string): number;
}

/** Options procd knows and procd-ts does not apply; see docs/procd.md. */
export const UNSUPPORTED_OPTIONS = ['jail', 'trace', 'seccomp', 'capabilities', 'extroot', 'overlaydir', 'tmpoverlaysize', 'bundle', 'vrf'] as const;

const KNOWN = new Set<string>([
  'command', 'env', 'data', 'respawn', 'term_timeout', 'limits', 'user', 'group', 'stdout', 'stderr',
  'pidfile', 'netdev', 'file', 'watch', 'triggers', 'nice', 'reload_signal', 'error', 'facility',
  'watchdog', 'no_new_privs', ...UNSUPPORTED_OPTIONS,
]);

/** procd's defaults for `procd_set_param respawn` without values: 3600 s, 5 s, 5 retries. */
export const DEFAULT_RESPAWN: RespawnPolicy = { threshold: 3600, timeout: 5, retry: 5 };
export const DEFAULT_TERM_TIMEOUT = 5;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringArray(v: unknown, field: string, allowEmpty = true): string[] {
  if (!Array.isArray(v)) throw new ProcdInvalidArgsError(field, 'must be an array of strings');
  v.forEach((x, i) => {
    if (typeof x !== 'string') throw new ProcdInvalidArgsError(`${field}[${i}]`, 'must be a string');
  });
  if (!allowEmpty && v.length === 0) throw new ProcdInvalidArgsError(field, 'must not be empty');
  return v as string[];
}

function stringTable(v: unknown, field: string): Record<string, string> {
  if (!isObj(v)) throw new ProcdInvalidArgsError(field, 'must be a table of strings');
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new ProcdInvalidArgsError(`${field}.${k}`, 'must be a string');
  }
  return { ...(v as Record<string, string>) };
}

function optString(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ProcdInvalidArgsError(field, 'must be a string');
  return v;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ProcdInvalidArgsError(field, `must be an integer in ${min}..${max}`);
  }
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  throw new ProcdInvalidArgsError(field, 'must be a boolean');
}

/** procd reads respawn and watchdog values with atoi(); we accept only what atoi reads cleanly. */
function numericString(v: unknown, field: string): number {
  if (typeof v !== 'string') throw new ProcdInvalidArgsError(field, 'must be a string of digits (procd reads it with atoi)');
  const t = v.trim();
  if (!/^\d{1,9}$/.test(t)) throw new ProcdInvalidArgsError(field, `"${v}" is not a non-negative integer`);
  return Number(t);
}

function parseRespawn(v: unknown, field: string): RespawnPolicy {
  const list = Array.isArray(v) ? v : undefined;
  if (!list) throw new ProcdInvalidArgsError(field, 'must be an array [threshold, timeout, retry] of strings');
  const vals = [DEFAULT_RESPAWN.threshold, DEFAULT_RESPAWN.timeout, DEFAULT_RESPAWN.retry];
  // procd ignores string entries past the third
  list.slice(0, 3).forEach((x, i) => {
    vals[i] = numericString(x, `${field}[${i}]`);
  });
  return { threshold: vals[0]!, timeout: vals[1]!, retry: vals[2]! };
}

function parseWatchdog(v: unknown, field: string): { mode: number; timeout: number } {
  const list = stringArray(v, field);
  let mode = list[0] === undefined ? 0 : numericString(list[0], `${field}[0]`);
  let timeout = list[1] === undefined ? 30 : numericString(list[1], `${field}[1]`);
  if (mode > 2) mode = 0;
  if (timeout <= 0) timeout = 30;
  return { mode, timeout };
}

/**
 * Checks and normalises one instance description. `field` prefixes error paths
 * (e.g. `instances.a`). Throws ProcdInvalidArgsError naming the first bad field.
 */
export function parseInstance(name: string, raw: unknown, host: DefinitionHost, field = `instances.${name}`): InstanceConfig {
  if (!isObj(raw)) throw new ProcdInvalidArgsError(field, 'must be a table');
  if (name === '') throw new ProcdInvalidArgsError(field, 'instance name must not be empty');
  for (const k of Object.keys(raw)) {
    if (!KNOWN.has(k)) throw new ProcdInvalidArgsError(`${field}.${k}`, 'unknown instance option');
  }
  const f = (k: string): string => `${field}.${k}`;
  const command = raw.command === undefined ? undefined : stringArray(raw.command, f('command'), false);
  const netdev = raw.netdev === undefined ? [] : stringArray(raw.netdev, f('netdev'));
  const file = raw.file === undefined ? [] : stringArray(raw.file, f('file'));
  const unsupported: Record<string, unknown> = {};
  for (const k of UNSUPPORTED_OPTIONS) if (raw[k] !== undefined) unsupported[k] = raw[k];
  if (raw.data !== undefined && !isObj(raw.data)) throw new ProcdInvalidArgsError(f('data'), 'must be a table');
  if (raw.triggers !== undefined && !Array.isArray(raw.triggers)) throw new ProcdInvalidArgsError(f('triggers'), 'must be an array');
  const limits = raw.limits === undefined ? {} : stringTable(raw.limits, f('limits'));
  checkLimits(limits, f('limits'));
  return {
    name,
    command,
    env: raw.env === undefined ? {} : stringTable(raw.env, f('env')),
    data: raw.data as Record<string, unknown> | undefined,
    respawn: raw.respawn === undefined ? undefined : parseRespawn(raw.respawn, f('respawn')),
    termTimeout: raw.term_timeout === undefined ? DEFAULT_TERM_TIMEOUT : int(raw.term_timeout, f('term_timeout'), 0, 2 ** 31 - 1),
    limits,
    user: optString(raw.user, f('user')),
    group: optString(raw.group, f('group')),
    stdout: raw.stdout === undefined ? false : bool(raw.stdout, f('stdout')),
    stderr: raw.stderr === undefined ? false : bool(raw.stderr, f('stderr')),
    pidfile: optString(raw.pidfile, f('pidfile')),
    netdev,
    file,
    watch: raw.watch === undefined ? [] : stringArray(raw.watch, f('watch')),
    triggers: raw.triggers as unknown[] | undefined,
    nice: raw.nice === undefined ? 0 : int(raw.nice, f('nice'), -20, 20),
    reloadSignal: raw.reload_signal === undefined ? 0 : int(raw.reload_signal, f('reload_signal'), 0, 64),
    errors: raw.error === undefined ? [] : stringArray(raw.error, f('error')),
    facility: optString(raw.facility, f('facility')),
    watchdog: raw.watchdog === undefined ? { mode: 0, timeout: 30 } : parseWatchdog(raw.watchdog, f('watchdog')),
    noNewPrivs: raw.no_new_privs === undefined ? false : bool(raw.no_new_privs, f('no_new_privs')),
    fileDigests: Object.fromEntries(file.map((p) => [p, host.fileDigest(p)])),
    netdevIndexes: Object.fromEntries(netdev.map((d) => [d, host.ifindex(d)])),
    unsupported,
  };
}

/** Deep equality of JSON-like values, ignoring key order (blobmsg_list_equal compares as sets by name). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * True when a running instance must restart to take the new definition (procd's
 * instance_config_changed). `data`, `stdout`, `stderr`, `watch` and `triggers` are not part of it;
 * a watchdog the service adjusted itself (`selfManagedWatchdog`) is not either.
 */
export function configChanged(a: InstanceConfig, b: InstanceConfig, selfManagedWatchdog = false): boolean {
  const same =
    jsonEqual(a.command, b.command) &&
    jsonEqual(a.env, b.env) &&
    jsonEqual(a.netdevIndexes, b.netdevIndexes) &&
    jsonEqual(a.fileDigests, b.fileDigests) &&
    a.nice === b.nice &&
    a.facility === b.facility &&
    a.user === b.user &&
    a.group === b.group &&
    a.pidfile === b.pidfile &&
    jsonEqual(a.respawn, b.respawn) &&
    a.reloadSignal === b.reloadSignal &&
    a.termTimeout === b.termTimeout &&
    jsonEqual(a.limits, b.limits) &&
    jsonEqual(a.errors, b.errors) &&
    a.noNewPrivs === b.noNewPrivs &&
    jsonEqual(a.unsupported, b.unsupported) &&
    (selfManagedWatchdog || jsonEqual(a.watchdog, b.watchdog));
  return !same;
}
