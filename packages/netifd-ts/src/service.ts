/**
 * netifd's ubus face for the interfaces we serve: objects `network.interface.<name>` (status,
 * up, down, dump), object `network.interface` (dump), events `network.interface`
 * {action: ifup|ifdown, interface} and notifications interface.update / interface.down, as
 * netifd sends them, all driven by the kernel state NetState observes.
 */
import type { UbusClient, UbusData, UbusObject } from 'ubus-ts';
import type { Rtnl } from 'mwan-rtmon/netlink/index';
import { NetState } from './netstate.js';
import { interfaceStatus, isUp, transition } from './status.js';
import type { InterfaceSpec } from './spec.js';

export interface Clock {
  now(): number;
}

export interface NetifdServiceDeps {
  client: UbusClient;
  rtnl: Rtnl;
  interfaces: InterfaceSpec[];
  clock?: Clock;
  log?: (msg: string) => void;
}

interface IfaceState {
  spec: InterfaceSpec;
  up: boolean;
  upSince: number;
  autostart: boolean;
  object?: UbusObject;
  /** status without uptime, to notice updates while up */
  lastShape: string;
}

export const EVENT = 'network.interface';

export class NetifdService {
  private readonly state: NetState;
  private readonly ifaces = new Map<string, IfaceState>();
  private main: UbusObject | undefined;
  private readonly clock: Clock;
  private started = false;

  constructor(private readonly deps: NetifdServiceDeps) {
    this.clock = deps.clock ?? { now: () => Date.now() };
    this.state = new NetState(deps.rtnl, () => this.evaluate(), (e) => deps.log?.(`netlink: ${e.message}`));
    for (const spec of deps.interfaces) this.ifaces.set(spec.name, { spec, up: false, upSince: 0, autostart: true, lastShape: '' });
  }

  async start(): Promise<void> {
    await this.state.start();
    for (const it of this.ifaces.values()) {
      it.object = await this.deps.client.addObject(`network.interface.${it.spec.name}`, {
        status: { handler: () => this.status(it) as UbusData },
        up: { handler: async () => { await this.setAdmin(it, true); } },
        down: { handler: async () => { await this.setAdmin(it, false); } },
        dump: { handler: () => this.dump() },
      });
    }
    this.main = await this.deps.client.addObject('network.interface', { dump: { handler: () => this.dump() } });
    this.started = true;
    // interfaces already up announce themselves, as netifd does when it brings them up at boot
    this.evaluate();
  }

  async stop(): Promise<void> {
    for (const it of this.ifaces.values()) await it.object?.remove().catch(() => {});
    await this.main?.remove().catch(() => {});
  }

  /** Status of one interface in netifd's shape. */
  status(it: IfaceState): Record<string, unknown> {
    const obs = this.state.observe(it.spec.device);
    return interfaceStatus(it.spec, obs, { up: it.up, autostart: it.autostart, uptime: Math.floor((this.clock.now() - it.upSince) / 1000) });
  }

  dump(): UbusData {
    return { interface: [...this.ifaces.values()].map((it) => ({ interface: it.spec.name, ...this.status(it) })) } as UbusData;
  }

  private async setAdmin(it: IfaceState, up: boolean): Promise<void> {
    it.autostart = up;
    const index = this.state.linkIndex(it.spec.device);
    this.evaluate();
    if (index !== undefined) await this.deps.rtnl.setLinkUp(index, up);
  }

  private evaluate(): void {
    if (!this.started) return;
    for (const it of this.ifaces.values()) {
      const obs = this.state.observe(it.spec.device);
      const nowUp = isUp(obs, it.autostart);
      const action = transition(it.up, nowUp);
      if (action) {
        it.up = nowUp;
        if (nowUp) it.upSince = this.clock.now();
        this.deps.log?.(`interface ${it.spec.name} ${action} (device ${it.spec.device})`);
        this.deps.client.sendEvent(EVENT, { action, interface: it.spec.name }).catch((e: Error) => this.deps.log?.(`event: ${e.message}`));
      }
      const st = this.status(it);
      const { uptime: _uptime, ...shape } = st;
      const key = JSON.stringify(shape);
      if (action || (nowUp && key !== it.lastShape)) {
        const type = nowUp ? 'interface.update' : 'interface.down';
        const data = { interface: it.spec.name, ...st } as UbusData;
        it.object?.notify(type, data).catch(() => {});
        this.main?.notify(type, data).catch(() => {});
      }
      it.lastShape = key;
    }
  }
}
