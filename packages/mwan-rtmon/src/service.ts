/**
 * rtmon on the bus: reads the interface list (config) and each interface's L3 device (netifd's
 * `network.interface.<name> status`), feeds them to Rtmon, follows netifd's `network.interface`
 * events, publishes `mwan.rtmon` events and serves object `mwan.rtmon`.
 */
import { Status, UbusStatusError, BlobmsgType, type UbusClient, type UbusData, type UbusObject } from 'ubus-ts';
import type { RtmonConfig } from './config.js';
import type { WanTable } from './plan/mirror.js';
import type { LogLevel, Rtmon, RtmonEvent } from './rtmon.js';

export const RTMON_OBJECT = 'mwan.rtmon';
export const RTMON_EVENT = 'mwan.rtmon';

export interface RtmonServiceDeps {
  client: UbusClient;
  rtmon: Rtmon;
  loadConfig: () => Promise<RtmonConfig>;
  log?: (level: LogLevel, msg: string) => void;
}

const fam = (f: 4 | 6): string => (f === 4 ? 'ipv4' : 'ipv6');

/** The device netifd reports for an interface (l3_device, else device); undefined when unknown. */
export async function netifdDevice(client: UbusClient, iface: string): Promise<string | undefined> {
  try {
    const st = await client.call(`network.interface.${iface}`, 'status', {}, { timeoutMs: 3000 });
    const dev = st?.l3_device ?? st?.device;
    return typeof dev === 'string' && dev !== '' ? dev : undefined;
  } catch {
    return undefined;
  }
}

export class RtmonService {
  private config: RtmonConfig = { interfaces: [], rtTableLookup: [] };
  private readonly devices = new Map<string, string | undefined>();
  private object: UbusObject | undefined;
  private stopListen: (() => Promise<void>) | undefined;

  constructor(private readonly deps: RtmonServiceDeps) {}

  /** Publishes an rtmon event on the bus (wired as Rtmon's `publish`). */
  publish = (ev: RtmonEvent): void => {
    this.deps.client.sendEvent(RTMON_EVENT, ev as unknown as UbusData).catch((e: Error) => this.deps.log?.('warn', `event ${RTMON_EVENT}: ${e.message}`));
  };

  async start(): Promise<void> {
    this.config = await this.deps.loadConfig();
    this.stopListen = await this.deps.client.listen('network.interface', (_type, data) => { void this.onNetifd(data); });
    await this.refreshDevices();
    await this.deps.rtmon.start(this.wans(), this.config.rtTableLookup);
    this.object = await this.deps.client.addObject(RTMON_OBJECT, {
      status: { handler: () => this.statusData() },
      routes: {
        policy: { interface: BlobmsgType.STRING, table: BlobmsgType.INT32 },
        handler: (req) => {
          const wan = typeof req.args.interface === 'string' ? req.args.interface : undefined;
          const table = typeof req.args.table === 'number' ? req.args.table : undefined;
          if (wan !== undefined && !this.config.interfaces.some((i) => i.name === wan)) throw new UbusStatusError(Status.NOT_FOUND, `interface ${wan}`);
          return { tables: this.deps.rtmon.tableRoutes({ wan, table }).map((t) => ({ ...t, family: fam(t.family) })) };
        },
      },
      connected: {
        handler: () => {
          const c = this.deps.rtmon.connected();
          return {
            connected: { ipv4: c.desired.connected_v4, ipv6: c.desired.connected_v6 },
            custom: { ipv4: c.desired.custom_v4, ipv6: c.desired.custom_v6 },
            sets_present: c.present,
          };
        },
      },
      resync: {
        handler: async () => {
          await this.reload();
          const r = await this.deps.rtmon.resync();
          return { route_changes: r.routeChanges, set_changes: r.setChanges };
        },
      },
    });
  }

  async stop(): Promise<void> {
    this.deps.rtmon.stop();
    await this.stopListen?.().catch(() => {});
    await this.object?.remove().catch(() => {});
  }

  /** Re-reads the config and every device. */
  async reload(): Promise<void> {
    try {
      this.config = await this.deps.loadConfig();
    } catch (err) {
      // a bad config changes nothing: keep mirroring with the last good one
      this.deps.log?.('error', (err as Error).message);
      throw new UbusStatusError(Status.INVALID_ARGUMENT, (err as Error).message);
    }
    await this.refreshDevices();
    this.deps.rtmon.setWans(this.wans(), this.config.rtTableLookup);
  }

  private wans(): WanTable[] {
    return this.config.interfaces.map((i) => {
      const w: WanTable = { name: i.name, table: i.table, family: i.family, enabled: i.enabled };
      const d = this.devices.get(i.name);
      if (d !== undefined) w.device = d;
      return w;
    });
  }

  private async refreshDevices(): Promise<void> {
    await Promise.all(this.config.interfaces.filter((i) => i.enabled).map(async (i) => {
      this.devices.set(i.name, await netifdDevice(this.deps.client, i.name));
    }));
  }

  private async onNetifd(data: UbusData): Promise<void> {
    const name = data.interface;
    if (typeof name !== 'string' || !this.config.interfaces.some((i) => i.name === name && i.enabled)) return;
    const dev = await netifdDevice(this.deps.client, name);
    if (this.devices.get(name) === dev) return;
    this.devices.set(name, dev);
    this.deps.log?.('info', `interface ${name}: device ${dev ?? '(none)'}`);
    this.deps.rtmon.setWans(this.wans(), this.config.rtTableLookup);
  }

  private statusData(): UbusData {
    const s = this.deps.rtmon.status();
    return {
      started: s.started === undefined ? null : Math.floor(s.started / 1000),
      interfaces: s.wans.map((w) => ({ interface: w.name, table: w.table, family: fam(w.family), enabled: w.enabled, device: w.device ?? null })),
      rt_table_lookup: s.lookupTables,
      mirrored_routes: s.mirrored,
      sets: s.sets,
      resyncs: s.resyncs,
      route_writes: s.routeWrites,
      set_updates: s.setUpdates,
      errors: s.errors,
      last_error: s.lastError ?? null,
    };
  }
}
