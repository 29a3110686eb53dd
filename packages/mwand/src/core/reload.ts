/**
 * Reload as a diff keyed by section name (netifd's vlist_update): what did not change keeps
 * running untouched. Trackers are compared on the settings they were started with; a tracker
 * whose settings did not change is kept (its process, score and history survive the reload).
 */
import type { CoreConfig, InterfaceConfig } from './model.js';

export interface InterfaceDiff {
  unchanged: string[];
  changed: string[];
  added: string[];
  removed: string[];
}

export interface TrackerDiff {
  /** running, settings unchanged: leave alone */
  keep: string[];
  /** running, settings changed: replace the procd instance (new command line) */
  replace: string[];
  /** newly tracked: add an instance */
  start: string[];
  /** no longer tracked (removed, disabled, track_ip emptied): delete the instance */
  stop: string[];
}

export interface ReloadDiff {
  /** nothing at all changed: the reload does nothing */
  noop: boolean;
  interfaces: InterfaceDiff;
  trackers: TrackerDiff;
}

/** True when an interface needs a tracker process. */
export function isTracked(i: InterfaceConfig): boolean {
  return i.enabled && i.trackIps.length > 0;
}

/** What a tracker is started with; a change means a new command line. */
export function trackerIdentity(i: InterfaceConfig): string {
  return canonical({ family: i.family, trackIps: i.trackIps, settings: i.trackSettings });
}

export function diffInterfaces(before: CoreConfig, after: CoreConfig): InterfaceDiff {
  const old = new Map(before.interfaces.map((i) => [i.name, i]));
  const out: InterfaceDiff = { unchanged: [], changed: [], added: [], removed: [] };
  for (const i of after.interfaces) {
    const o = old.get(i.name);
    if (!o) out.added.push(i.name);
    else if (canonical(o) === canonical(i)) out.unchanged.push(i.name);
    else out.changed.push(i.name);
  }
  const now = new Set(after.interfaces.map((i) => i.name));
  for (const i of before.interfaces) if (!now.has(i.name)) out.removed.push(i.name);
  return out;
}

/**
 * Trackers to keep/replace/start/stop going from the instances that run now (interface name →
 * the identity they were started with, as read back from procd; undefined when unknown) to the
 * configuration `after`. procd is the truth, so the same diff serves a reload and a restart of
 * mwand (which adopts the running trackers instead of restarting them).
 */
export function diffTrackers(
  running: ReadonlyMap<string, string | undefined>,
  after: CoreConfig,
  identity: (i: InterfaceConfig) => string = trackerIdentity,
): TrackerDiff {
  const out: TrackerDiff = { keep: [], replace: [], start: [], stop: [] };
  const wanted = new Set<string>();
  for (const i of after.interfaces) {
    if (!isTracked(i)) continue;
    wanted.add(i.name);
    if (!running.has(i.name)) out.start.push(i.name);
    else if (running.get(i.name) === identity(i)) out.keep.push(i.name);
    else out.replace.push(i.name);
  }
  for (const name of running.keys()) if (!wanted.has(name)) out.stop.push(name);
  out.stop.sort();
  return out;
}

export function diffConfig(
  before: CoreConfig,
  after: CoreConfig,
  running: ReadonlyMap<string, string | undefined>,
  identity: (i: InterfaceConfig) => string = trackerIdentity,
): ReloadDiff {
  const trackers = diffTrackers(running, after, identity);
  const noop = canonical(before) === canonical(after) && trackers.replace.length === 0 && trackers.start.length === 0 && trackers.stop.length === 0;
  return { noop, interfaces: diffInterfaces(before, after), trackers };
}

/** JSON with sorted object keys, so equal values compare equal regardless of key order. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return val;
  });
}
