/** Chooses the prober for a track method; methods this build cannot do fail here, at start. */
import { NotImplementedError, SettingsError } from '../errors.js';
import type { TrackSettings } from '../settings.js';
import { IcmpProber } from './icmp.js';
import { RawL4Prober } from './raw-l4.js';
import { HttpProber } from './http.js';
import { ArpingProber } from './arping.js';
import type { ProbeBinding, Prober } from './types.js';

export type { Prober, ProbeBinding } from './types.js';

/** Methods this build cannot do (none left; arping runs through a helper, docs/tracker.md). */
export const NOT_IMPLEMENTED = [] as const;

/** Throws for a method this build cannot do or a family it cannot do it in (called before anything starts). */
export function checkMethod(s: TrackSettings): void {
  if ((NOT_IMPLEMENTED as readonly string[]).includes(s.trackMethod)) throw new NotImplementedError(`track_method ${s.trackMethod}`);
  if ((s.trackMethod === 'arping' || s.trackMethod === 'nping-arp') && s.family !== 'ipv4') {
    throw new SettingsError('settings.track_method', `${s.trackMethod} is IPv4 only (ARP), the interface's family is ${s.family}`);
  }
}

export function createProber(s: TrackSettings, binding: ProbeBinding): Prober {
  checkMethod(s);
  const plan = { count: s.count, timeoutMs: s.timeout * 1000 };
  switch (s.trackMethod) {
    case 'ping':
    case 'nping-icmp':
      return new IcmpProber({ ...plan, family: s.family, binding, size: s.size, ttl: s.maxTtl });
    case 'nping-tcp':
    case 'nping-udp':
    case 'nslookup':
      return new RawL4Prober({ ...plan, method: s.trackMethod, family: s.family, binding, port: s.port, ttl: s.maxTtl, dnsQuery: s.dnsQuery });
    case 'arping':
    case 'nping-arp':
      return new ArpingProber({ ...plan, binding });
    case 'httping':
      return new HttpProber({ ...plan, family: s.family, binding, port: s.port, httpsOn: s.httpingSsl });
    default:
      throw new NotImplementedError(`track_method ${s.trackMethod}`);
  }
}
