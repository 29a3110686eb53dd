/**
 * The tracker instances at procd as the controller sees them: which run (and with which
 * identity), starting / replacing / stopping them after a diff, and telling running ones about
 * netifd changes of their interface.
 */
import type { ControllerState, CoreConfig, InterfaceConfig, TrackView } from '../core/model.js';
import { canonical, diffTrackers, type TrackerDiff } from '../core/reload.js';
import type { ControllerMetrics } from '../metrics.js';
import type { TrackerPort } from '../ports.js';
import type { Input } from './inputs.js';

export class TrackerInstances {
  /** running instances: interface → identity they were started with (undefined: unreadable) */
  running = new Map<string, string | undefined>();

  constructor(
    private readonly port: TrackerPort,
    private readonly m: ControllerMetrics,
    private readonly log: (m: string) => void,
  ) {}

  /** At start: adopt what procd runs; none when procd cannot list them. */
  async adopt(): Promise<void> {
    this.running = await this.port.running().catch((err: Error) => {
      this.log(`cannot list tracker instances at procd (${err.message}); assuming none`);
      return new Map<string, string | undefined>();
    });
  }

  /** Re-reads procd's list; keeps the known one when procd does not answer. */
  async refresh(): Promise<void> {
    this.running = await this.port.running().catch(() => this.running);
  }

  has(name: string): boolean {
    return this.running.has(name);
  }

  names(): ReadonlySet<string> {
    return new Set(this.running.keys());
  }

  identity(i: InterfaceConfig): string {
    return this.port.identity(i);
  }

  /** What to start, replace and stop so that procd runs what `config` asks for. */
  diff(config: CoreConfig): TrackerDiff {
    return diffTrackers(this.running, config, (i) => this.identity(i));
  }

  /** A tracker's verdict and figures; null when absent or not answering. */
  status(name: string): Promise<TrackView | null> {
    return this.port.status(name).catch(() => null);
  }

  async apply(d: TrackerDiff, st: ControllerState): Promise<void> {
    const byName = new Map(st.config.interfaces.map((i) => [i.name, i]));
    const net = (n: string) => st.netifd[n];
    for (const name of d.stop) {
      await this.procd(`stop tracker ${name}`, () => this.port.stop(name));
      this.running.delete(name);
      this.m.tracker_stops++;
    }
    for (const name of d.replace) {
      const i = byName.get(name)!;
      if (await this.procd(`replace tracker ${name}`, () => this.port.replace(i, net(name)))) this.running.set(name, this.identity(i));
      this.m.tracker_replaces++;
    }
    for (const name of d.start) {
      const i = byName.get(name)!;
      if (await this.procd(`start tracker ${name}`, () => this.port.start(i, net(name)))) this.running.set(name, this.identity(i));
      this.m.tracker_starts++;
    }
  }

  /** Running trackers learn about netifd changes of their interface (device, address, up). */
  async updateChanged(before: ControllerState, after: ControllerState, batch: readonly Input[]): Promise<void> {
    const names = new Set<string>();
    for (const i of after.config.interfaces) {
      if (!this.running.has(i.name)) continue;
      const a = before.netifd[i.name];
      const b = after.netifd[i.name];
      const wasUp = !!a?.up && !before.adminDown.includes(i.name);
      const isUp = !!b?.up && !after.adminDown.includes(i.name);
      if (wasUp !== isUp || a?.device !== b?.device || canonical(a?.ipv4) !== canonical(b?.ipv4) || canonical(a?.ipv6) !== canonical(b?.ipv6)) names.add(i.name);
    }
    // a tracker that reports another device than netifd's missed an update (e.g. it started late)
    for (const input of batch) {
      if (input.kind === 'track' && input.device !== undefined && this.running.has(input.interface)) {
        const dev = after.netifd[input.interface]?.device;
        if (dev && dev !== input.device) names.add(input.interface);
      }
    }
    for (const name of names) await this.sendUpdate(name, after);
  }

  /** Tells one tracker its interface's netifd state (down while administratively down). */
  async sendUpdate(name: string, st: ControllerState): Promise<void> {
    const net = st.netifd[name];
    const view = net && st.adminDown.includes(name) ? { ...net, up: false } : net;
    const family = st.config.interfaces.find((i) => i.name === name)?.family;
    await this.port.update(name, view, family).catch((err: Error) => this.log(`update tracker ${name}: ${err.message}`));
  }

  private async procd(what: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      this.log(`${what}: ${(err as Error).message}`);
      return false;
    }
  }
}
