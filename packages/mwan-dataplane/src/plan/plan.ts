import { PlanError } from '../errors.js';
import { markSpace } from './marks.js';
import { planIpRules, planRoutes } from './ip-plan.js';
import { planNft } from './nft-plan.js';
import { choosePolicy } from './policy.js';
import type { DesiredState, IpFamily, PlanConfig, PlanState, PolicyChoice } from './types.js';
import { wanInfos } from './wans.js';
import { isValidDeviceName } from './validate.js';

/**
 * Config + observed state -> desired kernel state (nft table, ip rules, per-WAN default routes).
 * Pure: no I/O, no clock; the same input always gives the same output.
 */
export function plan(cfg: PlanConfig, state: PlanState): DesiredState {
  const ms = markSpace(cfg.globals.mmxMask);
  const warnings: string[] = [];
  const wans = wanInfos(cfg, state, ms);
  const byName = new Map(wans.map((w) => [w.name, w]));
  const seen = new Set<string>();
  for (const n of [...cfg.interfaces.map((i) => i.name), ...cfg.policies.map((p) => p.name)]) {
    if (!/^[A-Za-z0-9_]+$/.test(n)) throw new PlanError('PLAN_BAD_VALUE', `name "${n}" may only hold A-Z a-z 0-9 _`, { field: n });
  }
  for (const r of cfg.rules) {
    if (!/^[A-Za-z0-9_]+$/.test(r.name)) throw new PlanError('PLAN_BAD_VALUE', `rule name "${r.name}" may only hold A-Z a-z 0-9 _`, { field: r.name });
    if (r.ipset !== undefined && !/^[A-Za-z0-9_.-]{1,200}$/.test(r.ipset)) throw new PlanError('PLAN_BAD_VALUE', `rule ${r.name}: ipset "${r.ipset}" is not a valid set name`, { field: `${r.name}.ipset` });
    if (seen.has(r.name)) throw new PlanError('PLAN_BAD_VALUE', `rule ${r.name} defined twice`, { field: r.name });
    seen.add(r.name);
  }
  for (const [name, device] of Object.entries(state.devices ?? {})) {
    if (!isValidDeviceName(device)) throw new PlanError('PLAN_BAD_VALUE', `interface '${name}': device ${JSON.stringify(device)} is not a valid interface name`, { field: `${name}.device` });
  }
  const policies: PolicyChoice[] = [];
  for (const p of cfg.policies) {
    for (const f of ['ipv4', 'ipv6'] as IpFamily[]) policies.push(choosePolicy(cfg, state, byName, p, f, warnings));
  }
  const nft = planNft({ cfg, ms, wans, choices: policies, warnings, devices: state.devices ?? {} });
  return { mask: ms.mask, nft, ipRules: planIpRules(wans, ms), routes: planRoutes(wans, state), wans, policies, warnings: [...new Set(warnings)] };
}
