/**
 * TrackerPort: tracker instances at procd (service `mwan`, instance `track_<iface>`, always with
 * `add` so mwand's and rtmon's own instances stay) and the trackers' objects mwan.track.<iface>.
 */
import type { ProcdClient } from 'procd-js';
import { Status, UbusStatusError, type UbusClient, type UbusData } from 'ubus-ts';
import type { Clock } from '../core/clock.js';
import type { InterfaceConfig, NetifdView, TrackView } from '../core/model.js';
import { canonical } from '../core/reload.js';
import { parseTrackView } from '../track-view.js';
import type { TrackerPort } from '../ports.js';

export const SERVICE = 'mwan';
export const instanceName = (iface: string): string => `track_${iface}`;

/** Runtime fields of --settings that change without a restart (sent with `update`). */
const RUNTIME = ['device', 'srcIp', 'ifup'];

export interface TrackerPortOptions {
  procd: Pick<ProcdClient, 'add' | 'delete' | 'list'>;
  bus: Pick<UbusClient, 'call'>;
  clock: Clock;
  /** argv prefix of the tracker, e.g. ['/usr/sbin/mwan-track'] */
  command: string[];
  /** ubus socket the tracker should use */
  socket: string;
  /** the bypass mark for probes (mask-dependent) */
  mark(i: InterfaceConfig): number;
}

function firstAddress(i: InterfaceConfig, net: NetifdView | undefined): string | null {
  const a = (i.family === 'ipv4' ? net?.ipv4 : net?.ipv6)?.[0];
  return a ? a.split('/')[0]! : null;
}

export function trackerSettings(i: InterfaceConfig, net: NetifdView | undefined, mark: number): Record<string, unknown> {
  return { ...i.trackSettings, family: i.family, mark, device: net?.device ?? null, srcIp: firstAddress(i, net), ifup: !!net?.up };
}

/** Identity of a settings object: everything but the runtime fields. */
export function settingsIdentity(settings: Record<string, unknown>): string {
  const s = { ...settings };
  for (const k of RUNTIME) delete s[k];
  return canonical(s);
}

export function createTrackerPort(o: TrackerPortOptions): TrackerPort {
  const spec = (i: InterfaceConfig, net: NetifdView | undefined) => ({
    command: [...o.command, '-s', o.socket, '-i', i.name, '--settings', JSON.stringify(trackerSettings(i, net, o.mark(i)))],
    respawn: { threshold: 3600, timeout: 5, retry: 0 },
    termTimeout: 5,
  });
  const objectOf = (name: string) => `mwan.track.${name}`;
  return {
    async running() {
      const list = await o.procd.list({ name: SERVICE });
      const out = new Map<string, string | undefined>();
      for (const [inst, def] of Object.entries(list[SERVICE]?.instances ?? {})) {
        if (!inst.startsWith('track_')) continue;
        const cmd = def.command ?? [];
        const k = cmd.indexOf('--settings');
        let id: string | undefined;
        try {
          id = k >= 0 ? settingsIdentity(JSON.parse(cmd[k + 1] ?? '') as Record<string, unknown>) : undefined;
        } catch {
          id = undefined;
        }
        out.set(inst.slice('track_'.length), id);
      }
      return out;
    },
    identity(i) {
      return settingsIdentity(trackerSettings(i, undefined, o.mark(i)));
    },
    async start(i, net) {
      await o.procd.add(SERVICE, { [instanceName(i.name)]: spec(i, net) });
    },
    async replace(i, net) {
      await o.procd.add(SERVICE, { [instanceName(i.name)]: spec(i, net) });
    },
    async stop(name) {
      try {
        await o.procd.delete(SERVICE, instanceName(name));
      } catch (err) {
        if (!(err instanceof UbusStatusError && err.status === Status.NOT_FOUND)) throw err;
      }
    },
    async update(name, net, family = 'ipv4') {
      const args: UbusData = { up: !!net?.up };
      if (net?.device) args.device = net.device;
      // the tracker refuses (and applies nothing of) an update whose src_ip is of the other family
      const addr = net ? (family === 'ipv6' ? net.ipv6 : net.ipv4)[0] : undefined;
      if (addr) args.src_ip = addr.split('/')[0]!;
      try {
        await o.bus.call(objectOf(name), 'update', args);
      } catch (err) {
        // not registered yet: it gets the update when its object appears (ubus.object.add)
        if (!(err instanceof UbusStatusError && err.status === Status.NOT_FOUND)) throw err;
      }
    },
    async status(name): Promise<TrackView | null> {
      try {
        const r = await o.bus.call(objectOf(name), 'status', {});
        return r ? parseTrackView(r as Record<string, unknown>, o.clock.now()) : null;
      } catch (err) {
        if (err instanceof UbusStatusError && err.status === Status.NOT_FOUND) return null;
        throw err;
      }
    },
  };
}
