import type { PlanConfig, PlanRule, PlanState, WanState, DesiredState, DesiredRule } from '../src/index.js';

/** A config in mwan3's default shape: wan/wanb (v4), wan6/wanb6 (v6), members by metric/weight. */
export function config(over: Partial<PlanConfig> = {}): PlanConfig {
  return {
    globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [] },
    interfaces: [
      { name: 'wan', enabled: true, family: 'ipv4' },
      { name: 'wan6', enabled: true, family: 'ipv6' },
      { name: 'wanb', enabled: true, family: 'ipv4' },
      { name: 'wanb6', enabled: true, family: 'ipv6' },
    ],
    members: [
      { name: 'wan_m1_w3', interface: 'wan', metric: 1, weight: 3 },
      { name: 'wanb_m1_w1', interface: 'wanb', metric: 1, weight: 1 },
      { name: 'wanb_m2_w1', interface: 'wanb', metric: 2, weight: 1 },
      { name: 'wan6_m1_w3', interface: 'wan6', metric: 1, weight: 3 },
      { name: 'wanb6_m1_w1', interface: 'wanb6', metric: 1, weight: 1 },
    ],
    policies: [
      { name: 'balanced', members: ['wan_m1_w3', 'wanb_m1_w1', 'wan6_m1_w3', 'wanb6_m1_w1'], lastResort: 'unreachable' },
      { name: 'wan_wanb', members: ['wan_m1_w3', 'wanb_m2_w1'], lastResort: 'unreachable' },
    ],
    rules: [{ name: 'default_rule', policy: 'balanced', family: 'any' }],
    ...over,
  };
}

export function online(device: string, extra: Partial<WanState> = {}): WanState {
  return { up: true, status: 'online', device, ...extra };
}

export function state(over: Record<string, WanState | undefined> = {}): PlanState {
  const base: Record<string, WanState> = {
    wan: online('eth1', { gateway: '192.0.2.1' }), wanb: online('eth2', { gateway: '198.51.100.1' }),
    wan6: online('eth1', { gateway: 'fe80::1' }), wanb6: online('eth2'),
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return { wans: base };
}

export function rule(name: string, over: Partial<PlanRule> = {}): PlanRule {
  return { name, policy: 'balanced', family: 'any', ...over };
}

export function chain(d: DesiredState, name: string): DesiredRule[] {
  const c = d.nft.chains.find((x) => x.name === name);
  if (!c) throw new Error(`no chain ${name}`);
  return c.rules;
}

export const js = (x: unknown): string => JSON.stringify(x);

/** The config with httping trackers on every interface (source-bound probes: the dataplane pins them). */
export function httpingConfig(over: Partial<PlanConfig> = {}): PlanConfig {
  const c = config(over);
  return {
    ...c,
    interfaces: c.interfaces.map((i) => ({ ...i, sourceBoundProbes: { targets: i.family === 'ipv4' ? ['198.51.100.1'] : ['2001:db8:ffff::1'], port: 80 } })),
  };
}
