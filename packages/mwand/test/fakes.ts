/** Fakes of the controller's ports, recording what was asked of them. */
import type { ControllerState, CoreConfig, InterfaceConfig, NetifdView, RtmonView, TrackView } from '../src/core/model.js';
import { trackerIdentity } from '../src/core/reload.js';
import { usableSet } from '../src/core/status.js';
import { srcIfaceDevices } from '../src/adapters/dataplane.js';
import type { DataplanePort, NetifdPort, RtmonPort, TrackerPort } from '../src/ports.js';
import type { InterfaceEvent } from '../src/events.js';
import type { InterfaceAction } from '../src/core/state.js';
import type { RuleCounter } from '../src/views.js';

export class FakeDataplane implements DataplanePort {
  /** what each apply carried: usable WANs, rule names, devices of non-mwan src_iface interfaces (as the real adapter gives the planner) */
  applied: { usable: string[]; rules: string[]; devices: Record<string, string> }[] = [];
  failNext = 0;
  planError: string | undefined;
  counters = new Map<string, RuleCounter>();
  flushed: string[] = [];
  plan(state: ControllerState): unknown {
    if (this.planError && state.config.rules.some((r) => r.name === this.planError)) throw new Error(`cannot plan rule ${this.planError}`);
    return { usable: [...usableSet(state)].sort(), rules: state.config.rules.map((r) => r.name), devices: srcIfaceDevices(state) };
  }
  async apply(p: unknown): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('nft: netlink error');
    }
    this.applied.push(p as FakeDataplane['applied'][number]);
  }
  async ruleCounters(): Promise<ReadonlyMap<string, RuleCounter>> {
    return this.counters;
  }
  async flushConntrack(i: InterfaceConfig): Promise<void> {
    this.flushed.push(i.name);
  }
}

export class FakeNetifd implements NetifdPort {
  views = new Map<string, NetifdView>();
  async status(name: string): Promise<NetifdView | null> {
    return this.views.get(name) ?? null;
  }
}

export class FakeTrackers implements TrackerPort {
  instances = new Map<string, string | undefined>();
  calls: string[] = [];
  statuses = new Map<string, TrackView>();
  async running(): Promise<Map<string, string | undefined>> {
    return new Map(this.instances);
  }
  identity(i: InterfaceConfig): string {
    return trackerIdentity(i);
  }
  async start(i: InterfaceConfig, net: NetifdView | undefined): Promise<void> {
    this.calls.push(`start ${i.name} ${net?.device ?? '-'}`);
    this.instances.set(i.name, this.identity(i));
  }
  async replace(i: InterfaceConfig): Promise<void> {
    this.calls.push(`replace ${i.name}`);
    this.instances.set(i.name, this.identity(i));
  }
  async stop(name: string): Promise<void> {
    this.calls.push(`stop ${name}`);
    this.instances.delete(name);
  }
  async update(name: string, net: NetifdView | undefined): Promise<void> {
    this.calls.push(`update ${name} ${net?.up ? 'up' : 'down'} ${net?.device ?? '-'}`);
  }
  async status(name: string): Promise<TrackView | null> {
    return this.statuses.get(name) ?? null;
  }
}

export class FakeRtmon implements RtmonPort {
  view: RtmonView = { connected: { ipv4: ['192.168.1.0/24'], ipv6: [] } };
  async connected(): Promise<RtmonView | null> {
    return this.view;
  }
}

export class RecordingEvents {
  interfaces: InterfaceEvent[] = [];
  policies: { policy: string; shares: unknown }[] = [];
  reloads: { result: string; extra: unknown }[] = [];
  async interface(e: InterfaceEvent): Promise<void> {
    this.interfaces.push(e);
  }
  async policy(policy: string, shares: unknown): Promise<void> {
    this.policies.push({ policy, shares });
  }
  async reload(result: string, extra: unknown = {}): Promise<void> {
    this.reloads.push({ result, extra });
  }
}

export class RecordingHooks {
  actions: InterfaceAction[] = [];
  enqueue(a: readonly InterfaceAction[]): void {
    this.actions.push(...a);
  }
}

/** A config loader whose next result the test sets (a config, an error, or a pending promise). */
export class SwitchableLoader {
  next: CoreConfig | Error;
  gate: Promise<void> | undefined;
  loads = 0;
  constructor(cfg: CoreConfig) {
    this.next = cfg;
  }
  load = async (): Promise<CoreConfig> => {
    this.loads++;
    if (this.gate) await this.gate;
    if (this.next instanceof Error) throw this.next;
    return structuredClone(this.next);
  };
}
