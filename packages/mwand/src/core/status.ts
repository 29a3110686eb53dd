/**
 * Derived interface status: what the controller concludes from config + netifd + tracker +
 * administrative state. Pure; the dataplane plan, `status`, `explain` and the events all use it,
 * so they can never disagree.
 */
import type { ControllerState, InterfaceConfig } from './model.js';

/** mwan3's words: online/offline from the tracker, plus connecting/disconnecting in between. */
export type InterfaceStatusWord = 'online' | 'offline' | 'connecting' | 'disconnecting' | 'disabled';
/** mwan3's `tracking is ...` word. */
export type TrackingWord = 'active' | 'disabled' | 'paused' | 'down';

export interface InterfaceStatus {
  status: InterfaceStatusWord;
  /** traffic may use it (policies include it) */
  usable: boolean;
  tracking: TrackingWord;
  /** netifd has it up (and not administratively down) */
  up: boolean;
  device: string | undefined;
}

export function interfaceStatus(state: ControllerState, iface: InterfaceConfig): InterfaceStatus {
  const net = state.netifd[iface.name];
  const device = net?.device;
  const tracked = iface.trackIps.length > 0;
  if (!iface.enabled) return { status: 'disabled', usable: false, tracking: 'disabled', up: false, device };
  const adminDown = state.adminDown.includes(iface.name);
  const up = !!net?.up && !adminDown;
  if (!up) return { status: 'offline', usable: false, tracking: tracked ? 'paused' : 'disabled', up: false, device };
  const s = upStatus(state, iface, tracked, device);
  // no layer-3 device (netifd gave none, or one the netifd adapter refused): the planner has
  // nothing to route through, so the WAN carries no traffic and status/events must say so too
  return device ? s : { ...s, status: 'offline', usable: false };
}

function upStatus(state: ControllerState, iface: InterfaceConfig, tracked: boolean, device: string | undefined): InterfaceStatus {
  const up = true;
  if (!tracked) return { status: 'online', usable: true, tracking: 'disabled', up, device };
  const t = state.track[iface.name];
  if (!t) {
    const online = iface.initialState === 'online';
    return { status: online ? 'online' : 'offline', usable: online, tracking: 'down', up, device };
  }
  switch (t.state) {
    case 'online':
    case 'disabled':
      return { status: 'online', usable: true, tracking: 'active', up, device };
    case 'disconnecting':
      // still carrying traffic until the tracker gives up on it (mwan3 keeps it in policies)
      return { status: 'disconnecting', usable: true, tracking: 'active', up, device };
    case 'connecting':
      return { status: 'connecting', usable: false, tracking: 'active', up, device };
    case 'offline':
      return { status: 'offline', usable: false, tracking: 'active', up, device };
  }
}

/** Status of every configured interface, in config order. */
export function allStatuses(state: ControllerState): Map<string, InterfaceStatus> {
  const out = new Map<string, InterfaceStatus>();
  for (const i of state.config.interfaces) out.set(i.name, interfaceStatus(state, i));
  return out;
}

/** Names of the interfaces traffic may use now. */
export function usableSet(state: ControllerState): Set<string> {
  const out = new Set<string>();
  for (const [name, s] of allStatuses(state)) if (s.usable) out.add(name);
  return out;
}
