/** The controller queue's inputs: bus events as they arrive; the batch fetches what else it needs. */
import { parseFigures, type TrackFigures } from '../core/figures.js';
import type { TrackView } from '../core/model.js';
import { parseTrackView } from '../track-view.js';
import type { ReloadOutcome } from '../ubus-api.js';

export type Input =
  | { kind: 'netifd'; interface: string }
  | { kind: 'track'; interface: string; view: TrackView; device?: string }
  | { kind: 'figures'; interface: string; figures: TrackFigures }
  | { kind: 'rtmon' }
  | { kind: 'tracker'; interface: string }
  | { kind: 'admin'; interface: string; action: 'ifup' | 'ifdown' }
  | { kind: 'reload'; done: (o: ReloadOutcome) => void }
  | { kind: 'resync' }
  /** ask running trackers for their per-target figures (before a status reply) */
  | { kind: 'targets' }
  | { kind: 'retry' };

/** The interface an mwan.track / mwan.track.figures event is about. */
export function eventInterface(data: Record<string, unknown>): string | undefined {
  return typeof data.interface === 'string' ? data.interface : undefined;
}

/** mwan.track event data → input; undefined (logged) when it carries no valid state. */
export function trackInput(name: string, data: Record<string, unknown>, now: number, log: (m: string) => void): Input | undefined {
  const view = parseTrackView(data, now);
  if (!view) {
    log(`ignoring mwan.track event for ${name}: no valid state`);
    return undefined;
  }
  return { kind: 'track', interface: name, view, ...(typeof data.device === 'string' ? { device: data.device } : {}) };
}

/** mwan.track.figures event data → input; undefined (logged) when it carries no figures. */
export function figuresInput(name: string, data: Record<string, unknown>, log: (m: string) => void): Input | undefined {
  const figures = parseFigures(data);
  if (!figures) {
    log(`ignoring mwan.track.figures event for ${name}: no figures`);
    return undefined;
  }
  return { kind: 'figures', interface: name, figures };
}
