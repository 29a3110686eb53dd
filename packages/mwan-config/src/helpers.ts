/** Small lookups other packages need on a loaded model. */
import { interfaceRouting, type InterfaceRouting } from './marks.js';
import type { InterfaceConfig, MemberConfig, MwanConfig, PolicyConfig, TrackingSettings } from './types.js';

export function findInterface(c: MwanConfig, name: string): InterfaceConfig | undefined {
  return c.interfaces.find((i) => i.name === name);
}

export function findMember(c: MwanConfig, name: string): MemberConfig | undefined {
  return c.members.find((m) => m.name === name);
}

export function findPolicy(c: MwanConfig, name: string): PolicyConfig | undefined {
  return c.policies.find((p) => p.name === name);
}

/** Table, mark and ip rule prefs of a named interface (its 1-based id under the config's mask). */
export function interfaceRoutingOf(c: MwanConfig, name: string): InterfaceRouting | undefined {
  const itf = findInterface(c, name);
  return itf ? interfaceRouting(itf.id, c.globals.mmxMask) : undefined;
}

/**
 * The tracking options of an interface, as mwand passes them to `mwan-track --settings`, the
 * track method as configured (`arping` / `nping-arp` included: mwan-track does them, IPv4 only).
 */
export function trackerSettings(i: InterfaceConfig): TrackingSettings {
  return {
    trackIp: [...i.trackIp],
    trackMethod: i.trackMethod,
    httpingSsl: i.httpingSsl,
    reliability: i.reliability,
    count: i.count,
    timeout: i.timeout,
    interval: i.interval,
    failureInterval: i.failureInterval,
    recoveryInterval: i.recoveryInterval,
    keepFailureInterval: i.keepFailureInterval,
    down: i.down,
    up: i.up,
    size: i.size,
    maxTtl: i.maxTtl,
    checkQuality: i.checkQuality,
    failureLatency: i.failureLatency,
    recoveryLatency: i.recoveryLatency,
    failureLoss: i.failureLoss,
    recoveryLoss: i.recoveryLoss,
    initialState: i.initialState,
  };
}
