/** Small config/state builders shared by the tests. */
import type { CoreConfig, InterfaceConfig, NetifdView, RuleConfig } from '../src/core/model.js';

export function iface(name: string, id: number, over: Partial<InterfaceConfig> = {}): InterfaceConfig {
  return {
    name,
    id,
    enabled: true,
    family: 'ipv4',
    trackIps: ['192.0.2.1'],
    initialState: 'online',
    trackSettings: { interval: 5, up: 3, down: 3 },
    flushConntrack: [],
    ...over,
  };
}

export function rule(name: string, usePolicy: string, over: Partial<RuleConfig> = {}): RuleConfig {
  return { name, usePolicy, family: 'any', proto: 'all', srcIp: [], destIp: [], srcPort: [], destPort: [], sticky: false, timeout: 600, ...over };
}

/** wan (metric 1) + wanb (metric 2) for failover, both metric 1 weights 3:2 for balanced. */
export function twoWan(): CoreConfig {
  return {
    globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [], sourceRouting: false },
    interfaces: [iface('wan', 1), iface('wanb', 2), iface('wan6', 3, { family: 'ipv6', enabled: false })],
    members: [
      { name: 'wan_m1_w3', interface: 'wan', metric: 1, weight: 3 },
      { name: 'wanb_m1_w2', interface: 'wanb', metric: 1, weight: 2 },
      { name: 'wan_m1', interface: 'wan', metric: 1, weight: 1 },
      { name: 'wanb_m2', interface: 'wanb', metric: 2, weight: 1 },
      { name: 'wan6_m1', interface: 'wan6', metric: 1, weight: 1 },
    ],
    policies: [
      { name: 'balanced', members: ['wan_m1_w3', 'wanb_m1_w2', 'wan6_m1'], lastResort: 'unreachable' },
      { name: 'wan_wanb', members: ['wan_m1', 'wanb_m2'], lastResort: 'unreachable' },
    ],
    rules: [
      rule('https', 'balanced', { proto: 'tcp', destPort: ['443'], sticky: true }),
      rule('lan_b', 'wan_wanb', { srcIp: ['10.1.0.0/16'] }),
      rule('block', 'blackhole', { destIp: ['198.51.100.0/24'] }),
      rule('default_v4', 'balanced', { family: 'ipv4', destIp: ['0.0.0.0/0'] }),
    ],
  };
}

export function up(device: string, seenAt = 0): NetifdView {
  return { up: true, device, ipv4: [], ipv6: [], uptime: 100, seenAt };
}
export function down(seenAt = 0): NetifdView {
  return { up: false, ipv4: [], ipv6: [], seenAt };
}
