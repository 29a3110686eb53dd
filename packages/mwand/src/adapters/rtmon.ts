/** RtmonPort over ubus: mwan.rtmon connected / resync. */
import { Status, UbusStatusError, type UbusClient } from 'ubus-ts';
import type { RtmonView } from '../core/model.js';
import type { RtmonPort } from '../ports.js';

type Rec = Record<string, unknown>;
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function parseRtmonConnected(r: Rec): RtmonView {
  const c = (r.connected ?? {}) as Rec;
  const u = (r.custom ?? {}) as Rec;
  return { connected: { ipv4: strs(c.ipv4), ipv6: strs(c.ipv6) }, custom: { ipv4: strs(u.ipv4), ipv6: strs(u.ipv6) } };
}

export function createRtmonPort(bus: Pick<UbusClient, 'call'>): RtmonPort {
  return {
    async connected() {
      try {
        const r = await bus.call('mwan.rtmon', 'connected', {});
        return r ? parseRtmonConnected(r as Rec) : null;
      } catch (err) {
        if (err instanceof UbusStatusError && err.status === Status.NOT_FOUND) return null;
        throw err;
      }
    },
    async resync() {
      try {
        await bus.call('mwan.rtmon', 'resync', {});
      } catch (err) {
        if (!(err instanceof UbusStatusError && err.status === Status.NOT_FOUND)) throw err;
      }
    },
  };
}
