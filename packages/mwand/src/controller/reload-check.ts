/** A reload's first half: load and check the new config; a bad one leaves everything as it is. */
import type { ControllerState, CoreConfig } from '../core/model.js';
import { diffConfig } from '../core/reload.js';
import { handle } from '../core/state.js';
import { ConfigRejectedError } from '../errors.js';
import type { ControllerMetrics } from '../metrics.js';
import type { ConfigLoader, DataplanePort } from '../ports.js';
import type { ReloadOutcome } from '../ubus-api.js';
import type { TrackerInstances } from './tracker-instances.js';

export interface ReloadCheckDeps {
  loadConfig: ConfigLoader;
  dataplane: Pick<DataplanePort, 'plan'>;
  trackers: TrackerInstances;
  metrics: ControllerMetrics;
  now(): number;
  log(msg: string): void;
}

/** `config` is set only when the reload is to be applied (result 'ok'). */
export interface ReloadCheck {
  config?: CoreConfig;
  outcome: ReloadOutcome;
}

/** Loads the config and diffs it against `current()`; the planner must accept the result. */
export async function checkReload(deps: ReloadCheckDeps, current: () => ControllerState): Promise<ReloadCheck> {
  const m = deps.metrics;
  m.reloads++;
  let cfg: CoreConfig;
  try {
    cfg = await deps.loadConfig();
  } catch (err) {
    m.reload_errors++;
    const errors = err instanceof ConfigRejectedError ? err.errors : [(err as Error).message];
    deps.log(`reload rejected, running setup kept:\n${errors.join('\n')}`);
    return { outcome: { result: 'error', errors } };
  }
  const cur = current();
  const diff = diffConfig(cur.config, cfg, deps.trackers.running, (i) => deps.trackers.identity(i));
  if (diff.noop) {
    m.reload_noops++;
    return { outcome: { result: 'noop', trackers: diff.trackers, interfaces: diff.interfaces } };
  }
  try {
    deps.dataplane.plan(handle(cur, { kind: 'config', config: cfg }, deps.now()).state);
  } catch (err) {
    m.reload_errors++;
    const errors = [(err as Error).message];
    deps.log(`reload rejected by the planner, running setup kept: ${errors[0]}`);
    return { outcome: { result: 'error', errors } };
  }
  return { config: cfg, outcome: { result: 'ok', trackers: diff.trackers, interfaces: diff.interfaces } };
}
