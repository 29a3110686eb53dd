/**
 * The `mwan.*` events mwand sends (docs/events.md). One place builds every payload, so the
 * shapes stay as documented.
 */
import type { InterfaceStatus } from './core/status.js';
import type { HookResult } from './hooks.js';
import type { UbusData } from 'ubus-ts';
import type { Json } from './views.js';

/** What the event module needs from the bus. */
export interface EventSink {
  sendEvent(type: string, data?: UbusData): Promise<void>;
}

export interface InterfaceEvent {
  interface: string;
  /** the hook ACTION that caused it, or "update" for a change without one (reload, first sight) */
  action: string;
  status: InterfaceStatus;
  previous?: InterfaceStatus;
}

export class MwanEvents {
  constructor(private readonly bus: EventSink, private readonly log: (m: string) => void = () => {}) {}

  interface(e: InterfaceEvent): Promise<void> {
    return this.send('mwan.interface', {
      interface: e.interface,
      action: e.action,
      device: e.status.device ?? '',
      state: e.status.status,
      usable: e.status.usable,
      up: e.status.up,
      tracking: e.status.tracking,
      ...(e.previous ? { previous: e.previous.status } : {}),
    });
  }

  policy(policy: string, shares: { ipv4: Json; ipv6: Json }): Promise<void> {
    return this.send('mwan.policy', { policy, shares });
  }

  reload(result: 'ok' | 'noop' | 'error', extra: { errors?: string[]; trackers?: Json; interfaces?: Json } = {}): Promise<void> {
    return this.send('mwan.reload', { result, ...extra });
  }

  hook(r: HookResult): Promise<void> {
    return this.send('mwan.hook', {
      action: r.action,
      interface: r.interface,
      device: r.device,
      result: r.result,
      path: r.path,
      duration_ms: r.durationMs,
      ...(r.code !== undefined ? { code: r.code } : {}),
      ...(r.signal ? { signal: r.signal } : {}),
      ...(r.stderr ? { stderr: r.stderr } : {}),
    });
  }

  private async send(type: string, data: { [k: string]: Json | undefined }): Promise<void> {
    try {
      await this.bus.sendEvent(type, data as UbusData);
    } catch (err) {
      // an event that cannot be sent (broker restarting) must not stop the controller
      this.log(`could not send ${type}: ${(err as Error).message}`);
    }
  }
}
