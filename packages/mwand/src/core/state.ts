/**
 * The controller's state machine: one `handle(state, event, now)` switch. Each event gives a
 * new state plus the interface actions it caused (mwan3's hotplug ACTIONs), which drive hooks
 * and `mwan.interface` events. Pure and synchronous; I/O happens in the controller.
 */
import { netifdNames, type ControllerState, type CoreConfig, type NetifdView, type RtmonView, type TargetView, type TrackView } from './model.js';
import { allStatuses, interfaceStatus, type InterfaceStatus } from './status.js';
import { stableFigures, withFigures, type TrackFigures } from './figures.js';

export type HookAction = 'ifup' | 'ifdown' | 'connected' | 'disconnected' | 'connecting' | 'disconnecting';

export type CoreEvent =
  /** netifd's status of one interface (null: the object is gone) */
  | { kind: 'netifd'; interface: string; view: NetifdView | null }
  /** a tracker's verdict/figures */
  | { kind: 'track'; interface: string; view: TrackView | null }
  /** a tracker's live figures between state changes (mwan.track.figures); no state change */
  | { kind: 'figures'; interface: string; figures: TrackFigures }
  /** per-target figures from a tracker's `status` (events carry none); changes nothing else */
  | { kind: 'targets'; interface: string; targets: TargetView[] }
  | { kind: 'rtmon'; view: RtmonView }
  /** `mwan ifup` / `mwan ifdown` */
  | { kind: 'admin'; interface: string; action: 'ifup' | 'ifdown' }
  /** a validated new configuration (reload) */
  | { kind: 'config'; config: CoreConfig };

/** Something that happened to one interface, as mwan3 would have run its hook for it. */
export interface InterfaceAction {
  interface: string;
  action: HookAction;
  /** layer-3 device; empty on ifdown as with mwan3 */
  device: string;
}

export interface HandleResult {
  state: ControllerState;
  actions: InterfaceAction[];
}

const TRACK_ACTION: Record<string, HookAction | undefined> = {
  online: 'connected',
  offline: 'disconnected',
  connecting: 'connecting',
  disconnecting: 'disconnecting',
};

export function handle(state: ControllerState, event: CoreEvent, now: number): HandleResult {
  const before = allStatuses(state);
  let next: ControllerState;
  const actions: InterfaceAction[] = [];
  const enabled = (name: string): boolean => !!state.config.interfaces.find((i) => i.name === name && i.enabled);
  switch (event.kind) {
    case 'netifd': {
      const prev = state.netifd[event.interface];
      const netifd = { ...state.netifd };
      if (event.view) netifd[event.interface] = event.view;
      else delete netifd[event.interface];
      next = { ...state, netifd };
      const wasUp = !!prev?.up;
      const isUp = !!event.view?.up;
      const admin = state.adminDown.includes(event.interface);
      if (wasUp !== isUp && !admin && enabled(event.interface)) {
        actions.push({ interface: event.interface, action: isUp ? 'ifup' : 'ifdown', device: isUp ? (event.view?.device ?? '') : '' });
      }
      // A fresh ifup restarts the climb: the old verdict belonged to the previous link.
      if (!wasUp && isUp) next = { ...next, track: without(next.track, event.interface) };
      break;
    }
    case 'track': {
      const prev = state.track[event.interface];
      const track = { ...state.track };
      // figures within the hysteresis stay as they were (see core/figures.ts)
      if (event.view) {
        let v = prev ? stableFigures(prev, event.view) : event.view;
        // state events carry no per-target figures: the last ones a `status` reply gave stay
        if (!v.targets && prev?.targets) v = { ...v, targets: prev.targets };
        track[event.interface] = v;
      } else delete track[event.interface];
      next = { ...state, track };
      const a = event.view ? TRACK_ACTION[event.view.state] : undefined;
      if (a && prev?.state !== event.view?.state && enabled(event.interface)) {
        // mwan3 sends `disconnected` only for an interface that was online or disconnecting: not
        // for a first verdict mwand has no predecessor for (initial_state offline after an ifup,
        // or mwand's own start), which mwan3's tracker would not have announced either
        const skip = a === 'disconnected' && (prev === undefined || (prev.state !== 'online' && prev.state !== 'disconnecting'));
        if (!skip) actions.push({ interface: event.interface, action: a, device: state.netifd[event.interface]?.device ?? '' });
      }
      break;
    }
    case 'figures': {
      // figures of a verdict we do not know yet are not kept: the verdict (event or status) brings its own
      const prev = state.track[event.interface];
      const view = prev ? withFigures(prev, event.figures) : prev;
      next = view === prev || !view ? state : { ...state, track: { ...state.track, [event.interface]: view } };
      break;
    }
    case 'targets': {
      const prev = state.track[event.interface];
      next = prev ? { ...state, track: { ...state.track, [event.interface]: { ...prev, targets: event.targets } } } : state;
      break;
    }
    case 'rtmon':
      next = { ...state, rtmon: event.view };
      break;
    case 'admin': {
      const isAdminDown = state.adminDown.includes(event.interface);
      const netUp = !!state.netifd[event.interface]?.up;
      if (event.action === 'ifdown' && !isAdminDown) {
        next = { ...state, adminDown: [...state.adminDown, event.interface] };
        if (netUp) actions.push({ interface: event.interface, action: 'ifdown', device: '' });
      } else if (event.action === 'ifup' && isAdminDown) {
        next = { ...state, adminDown: state.adminDown.filter((n) => n !== event.interface), track: without(state.track, event.interface) };
        if (netUp) actions.push({ interface: event.interface, action: 'ifup', device: state.netifd[event.interface]?.device ?? '' });
      } else {
        next = state;
      }
      break;
    }
    case 'config': {
      const names = new Set(event.config.interfaces.map((i) => i.name));
      next = {
        ...state,
        config: event.config,
        netifd: pick(state.netifd, new Set(netifdNames(event.config))),
        track: pick(state.track, names),
        adminDown: state.adminDown.filter((n) => names.has(n)),
        since: pick(state.since, names),
      };
      break;
    }
  }
  let stamped = stamp(next, before, now);
  if (event.kind === 'track' && event.view?.changedAt !== undefined) stamped = trackerSince(stamped, event.interface, event.view.changedAt);
  return { state: stamped, actions };
}

/** Tracker verdicts that make an interface usable (see status.ts). */
const USABLE_VERDICT: Record<TrackView['state'], boolean> = { online: true, disabled: true, disconnecting: true, connecting: false, offline: false };

/**
 * A tracker that says when its state last changed (`last_change_s` of its status reply) may
 * know better than we do: after mwand is respawned, `since` holds the moment we first saw the
 * interface. When the tracker's verdict is what makes the interface (un)usable now, the
 * earlier of the two counts.
 */
function trackerSince(state: ControllerState, name: string, changedAt: number): ControllerState {
  const i = state.config.interfaces.find((x) => x.name === name);
  const t = state.track[name];
  if (!i || !t) return state;
  const s = interfaceStatus(state, i);
  if (s.tracking !== 'active' || s.usable !== USABLE_VERDICT[t.state]) return state;
  const cur = state.since[name];
  const key = s.usable ? 'online' : 'offline';
  const was = cur?.[key];
  if (was !== undefined && was <= changedAt) return state;
  return { ...state, since: { ...state.since, [name]: { [key]: changedAt } } };
}

/** Records when each interface became usable / unusable. */
function stamp(state: ControllerState, before: Map<string, InterfaceStatus>, now: number): ControllerState {
  let since: Record<string, { online?: number; offline?: number }> | undefined;
  for (const [name, s] of allStatuses(state)) {
    const was = before.get(name);
    const first = was === undefined || state.since[name] === undefined;
    if (!first && was.usable === s.usable) continue;
    since ??= { ...state.since };
    since[name] = s.usable ? { online: now } : { offline: now };
  }
  return since ? { ...state, since } : state;
}

function without<T>(rec: Readonly<Record<string, T>>, key: string): Record<string, T> {
  if (!(key in rec)) return rec as Record<string, T>;
  const out = { ...rec };
  delete out[key];
  return out;
}

function pick<T>(rec: Readonly<Record<string, T>>, keys: ReadonlySet<string>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(rec)) if (keys.has(k)) out[k] = v;
  return out;
}

/** Per-interface status changes between two states (for `mwan.interface` events without an action). */
export function statusChanges(before: ControllerState, after: ControllerState): { interface: string; from: InterfaceStatus | undefined; to: InterfaceStatus }[] {
  const a = allStatuses(before);
  const out = [];
  for (const [name, s] of allStatuses(after)) {
    const was = a.get(name);
    if (!was || was.status !== s.status || was.usable !== s.usable || was.device !== s.device || was.tracking !== s.tracking) out.push({ interface: name, from: was, to: s });
  }
  return out;
}
