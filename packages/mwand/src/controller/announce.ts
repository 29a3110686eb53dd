/** What a batch changed, told on the bus: mwan.interface, mwan.policy and mwan.reload events. */
import type { ControllerState } from '../core/model.js';
import { statusChanges, type InterfaceAction } from '../core/state.js';
import { interfaceStatus } from '../core/status.js';
import type { MwanEvents } from '../events.js';
import type { ControllerMetrics } from '../metrics.js';
import type { ReloadOutcome } from '../ubus-api.js';
import { policyShares, sharesOf, type PolicyTable } from '../views.js';

export type ChangeEvents = Pick<MwanEvents, 'interface' | 'policy'>;

/** A reload waiting for its batch to be applied before it is answered. */
export interface PendingReload {
  done: (o: ReloadOutcome) => void;
  outcome: ReloadOutcome;
}

/**
 * One mwan.interface event per action (with its status before and after), one per other status
 * change, and one mwan.policy event per policy whose shares differ from `beforePolicies`.
 */
export function announceChanges(
  events: ChangeEvents,
  m: ControllerMetrics,
  before: ControllerState,
  after: ControllerState,
  actions: readonly InterfaceAction[],
  beforePolicies: Map<string, string>,
  policies: () => PolicyTable,
): void {
  const changes = statusChanges(before, after);
  m.transitions += changes.length;
  const withAction = new Set(actions.map((a) => a.interface));
  for (const a of actions) {
    const i = after.config.interfaces.find((x) => x.name === a.interface);
    if (!i) continue;
    const prev = before.config.interfaces.find((x) => x.name === a.interface);
    void events.interface({ interface: a.interface, action: a.action, status: interfaceStatus(after, i), ...(prev ? { previous: interfaceStatus(before, prev) } : {}) });
  }
  for (const c of changes) {
    if (withAction.has(c.interface)) continue;
    void events.interface({ interface: c.interface, action: 'update', status: c.to, ...(c.from ? { previous: c.from } : {}) });
  }
  const table = policies();
  const now = policyShares(table);
  for (const [name, v] of now) {
    if (beforePolicies.get(name) === v) continue;
    const fam = table[name]!;
    void events.policy(name, { ipv4: sharesOf(fam.ipv4), ipv6: sharesOf(fam.ipv6) });
  }
}

/** Answers each reload call and sends its mwan.reload event. */
export function answerReloads(events: Pick<MwanEvents, 'reload'>, reloads: readonly PendingReload[]): void {
  for (const r of reloads) {
    r.done(r.outcome);
    const { result, errors, trackers, interfaces } = r.outcome;
    void events.reload(result, { ...(errors ? { errors } : {}), ...(trackers ? { trackers } : {}), ...(interfaces ? { interfaces } : {}) });
  }
}
