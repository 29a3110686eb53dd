/** Tracker replies and events (mwan.track, mwan.track.<iface> status) → the core's TrackView. */
import { MAX_LATENCY_MS } from 'mwan-dataplane';
import { TRACK_STATES, type TrackView } from './core/model.js';

/** mwan.track event data / tracker status → TrackView (null when there is no usable state). */
export function parseTrackView(d: Record<string, unknown>, now: number): TrackView | null {
  const fromAction: Record<string, TrackView['state']> = { connected: 'online', disconnected: 'offline', connecting: 'connecting', disconnecting: 'disconnecting', disabled: 'disabled' };
  const raw = typeof d.state === 'string' ? d.state : undefined;
  const state = raw && (TRACK_STATES as readonly string[]).includes(raw) ? (raw as TrackView['state']) : typeof d.action === 'string' ? fromAction[d.action] : undefined;
  if (!state) return null;
  const num = (k: string): number | undefined => (typeof d[k] === 'number' && Number.isFinite(d[k]) ? (d[k] as number) : undefined);
  const v: TrackView = { state };
  const score = num('score');
  if (score !== undefined) v.score = score;
  const lost = num('lost');
  if (lost !== undefined) v.lost = lost;
  const turn = num('turn');
  if (turn !== undefined) v.turn = turn;
  // figures feed the planner (quality balancing), which refuses out-of-range values for every
  // WAN: a tracker's nonsense figure is dropped here instead
  const lat = num('latency_ms');
  if (lat !== undefined && lat >= 0 && lat <= MAX_LATENCY_MS) v.latencyMs = lat;
  const loss = num('loss_pct');
  if (loss !== undefined && loss >= 0 && loss <= 100) v.lossPct = loss;
  // our own clock: the tracker's `time` may be on another time base (monotonic, seconds)
  v.time = now;
  // how long ago the tracker's state last changed: after a respawn of mwand, status ages count from it
  const changed = num('last_change_s');
  if (changed !== undefined && changed >= 0) v.changedAt = now - Math.round(changed * 1000);
  const targets = Array.isArray(d.targets) ? d.targets : Array.isArray(d.track_ip) ? d.track_ip : undefined;
  if (targets) {
    v.targets = targets
      .filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && typeof (x as Record<string, unknown>).ip === 'string')
      .map((x) => ({
        ip: x.ip as string,
        status: typeof x.status === 'string' ? x.status : 'unknown',
        ...(typeof x.latency_ms === 'number' ? { latencyMs: x.latency_ms } : typeof x.latency === 'number' ? { latencyMs: x.latency } : {}),
        ...(typeof x.loss_pct === 'number' ? { lossPct: x.loss_pct } : typeof x.packetloss === 'number' ? { lossPct: x.packetloss } : {}),
      }));
  }
  return v;
}

