/**
 * Folds one batch of queue inputs into the state machine: each input becomes core events (after
 * asking netifd, rtmon or a tracker what it needs to know), in arrival order. Effects on the
 * kernel, procd and the bus are left to the caller.
 */
import { netifdNames, type ControllerState, type NetifdView, type RtmonView } from '../core/model.js';
import { isTracked, type TrackerDiff } from '../core/reload.js';
import { handle, type CoreEvent, type InterfaceAction } from '../core/state.js';
import type { NetifdPort, RtmonPort } from '../ports.js';
import type { PendingReload } from './announce.js';
import type { Input } from './inputs.js';
import type { ReloadCheck } from './reload-check.js';
import type { TrackerInstances } from './tracker-instances.js';

export interface BatchDeps {
  state(): ControllerState;
  setState(st: ControllerState): void;
  now(): number;
  netifd: NetifdPort;
  rtmon: RtmonPort;
  trackers: TrackerInstances;
  checkReload(): Promise<ReloadCheck>;
  /** a retry input: apply again even when the plan did not change */
  forgetApplied(): void;
  log(msg: string): void;
}

export interface BatchResult {
  actions: InterfaceAction[];
  reloads: PendingReload[];
  /** set by a resync or an accepted reload: tracker instances to start / replace / stop */
  trackerDiff: TrackerDiff | undefined;
}

export async function foldBatch(batch: readonly Input[], deps: BatchDeps): Promise<BatchResult> {
  const actions: InterfaceAction[] = [];
  const reloads: PendingReload[] = [];
  let trackerDiff: TrackerDiff | undefined;
  const apply = (e: CoreEvent): void => {
    const r = handle(deps.state(), e, deps.now());
    deps.setState(r.state);
    actions.push(...r.actions);
  };
  for (const input of batch) {
    switch (input.kind) {
      case 'netifd':
        apply({ kind: 'netifd', interface: input.interface, view: await fetchNetifd(deps, input.interface) });
        break;
      case 'track':
        apply({ kind: 'track', interface: input.interface, view: input.view });
        break;
      case 'figures':
        apply({ kind: 'figures', interface: input.interface, figures: input.figures });
        break;
      case 'rtmon': {
        const v = await fetchRtmon(deps);
        if (v) apply({ kind: 'rtmon', view: v });
        break;
      }
      case 'admin':
        apply({ kind: 'admin', interface: input.interface, action: input.action });
        break;
      case 'tracker': {
        // a new tracker process: tell it the netifd state, then take its verdict
        await deps.trackers.sendUpdate(input.interface, deps.state());
        const v = await deps.trackers.status(input.interface);
        if (v) apply({ kind: 'track', interface: input.interface, view: v });
        break;
      }
      case 'resync':
        await resyncAll(deps, apply);
        trackerDiff = deps.trackers.diff(deps.state().config);
        break;
      case 'retry':
        deps.forgetApplied();
        break;
      case 'targets':
        for (const i of deps.state().config.interfaces) {
          if (!isTracked(i) || !deps.trackers.has(i.name) || !deps.state().track[i.name]) continue;
          const v = await deps.trackers.status(i.name);
          if (v?.targets) apply({ kind: 'targets', interface: i.name, targets: v.targets });
        }
        break;
      case 'reload': {
        const outcome = await deps.checkReload();
        if (outcome.config) {
          const followed = new Set(netifdNames(deps.state().config));
          apply({ kind: 'config', config: outcome.config });
          trackerDiff = outcome.outcome.trackers;
          // interfaces new to mwand (its own, or a src_iface a rule now names): ask netifd now
          // instead of waiting for their next event
          const added = new Set(outcome.outcome.interfaces?.added ?? []);
          for (const name of netifdNames(outcome.config)) if (!followed.has(name)) added.add(name);
          for (const name of added) apply({ kind: 'netifd', interface: name, view: await fetchNetifd(deps, name) });
        }
        reloads.push({ done: input.done, outcome: outcome.outcome });
        break;
      }
    }
  }
  return { actions, reloads, trackerDiff };
}

/** Everyone asked again (events may have been missed): procd, netifd, the trackers, rtmon. */
async function resyncAll(deps: BatchDeps, apply: (e: CoreEvent) => void): Promise<void> {
  const cfg = deps.state().config;
  await deps.trackers.refresh();
  for (const name of netifdNames(cfg)) apply({ kind: 'netifd', interface: name, view: await fetchNetifd(deps, name) });
  for (const i of cfg.interfaces) {
    if (!isTracked(i) || !deps.trackers.has(i.name)) continue;
    const v = await deps.trackers.status(i.name);
    if (v) apply({ kind: 'track', interface: i.name, view: v });
  }
  const r = await fetchRtmon(deps);
  if (r) apply({ kind: 'rtmon', view: r });
}

async function fetchNetifd(deps: BatchDeps, name: string): Promise<NetifdView | null> {
  try {
    return await deps.netifd.status(name);
  } catch (err) {
    deps.log(`netifd status of ${name}: ${(err as Error).message}`);
    return null;
  }
}

async function fetchRtmon(deps: BatchDeps): Promise<RtmonView | null> {
  try {
    return await deps.rtmon.connected();
  } catch (err) {
    deps.log(`rtmon: ${(err as Error).message}`);
    return null;
  }
}
