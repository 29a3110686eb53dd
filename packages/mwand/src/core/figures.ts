/**
 * A tracker's live figures between state changes (event `mwan.track.figures`): parsing, and the
 * hysteresis that decides whether they replace the figures the plan was made from. Only
 * `balance quality` policies read the figures, so a change below the hysteresis must leave the
 * state as it is (the plan, and so nft, stay untouched); above it, weighted and other policies
 * still plan identically and the applier finds nothing to do.
 */
import type { TrackView } from './model.js';

/** A tracker's loss and latency (absent: not measured). */
export interface TrackFigures {
  latencyMs?: number;
  lossPct?: number;
}

/**
 * Same thresholds as the tracker's (mwan-track FIGURES_POLICY): loss ≥ 5 points, or latency
 * ≥ 20 % of the value in use AND ≥ 10 ms, or a figure appearing/vanishing.
 */
export const FIGURES_HYSTERESIS = { lossPoints: 5, latencyRatio: 0.2, latencyMs: 10 } as const;

/** `mwan.track.figures` data → figures; null when it carries neither loss nor latency. */
export function parseFigures(d: Record<string, unknown>): TrackFigures | null {
  const num = (k: string): number | undefined => (typeof d[k] === 'number' && Number.isFinite(d[k]) && (d[k] as number) >= 0 ? (d[k] as number) : undefined);
  const latencyMs = num('latency_ms');
  const loss = num('loss_pct');
  const lossPct = loss === undefined ? undefined : Math.min(100, loss);
  const hasNull = d.latency_ms === null || d.loss_pct === null;
  if (latencyMs === undefined && lossPct === undefined && !hasNull) return null;
  return { ...(latencyMs !== undefined ? { latencyMs } : {}), ...(lossPct !== undefined ? { lossPct } : {}) };
}

/** Did the figures move past the hysteresis relative to the ones in use? */
export function figuresMoved(cur: TrackFigures, next: TrackFigures): boolean {
  const h = FIGURES_HYSTERESIS;
  if ((cur.lossPct === undefined) !== (next.lossPct === undefined)) return true;
  if (cur.lossPct !== undefined && next.lossPct !== undefined && Math.abs(next.lossPct - cur.lossPct) >= h.lossPoints) return true;
  if ((cur.latencyMs === undefined) !== (next.latencyMs === undefined)) return true;
  if (cur.latencyMs !== undefined && next.latencyMs !== undefined) {
    const d = Math.abs(next.latencyMs - cur.latencyMs);
    if (d >= h.latencyMs && d >= h.latencyRatio * cur.latencyMs) return true;
  }
  return false;
}

/** The view with the new figures, or the same object when they stay within the hysteresis. */
export function withFigures(view: TrackView, f: TrackFigures): TrackView {
  if (!figuresMoved({ latencyMs: view.latencyMs, lossPct: view.lossPct }, f)) return view;
  const next: TrackView = { ...view };
  delete next.latencyMs;
  delete next.lossPct;
  if (f.latencyMs !== undefined) next.latencyMs = f.latencyMs;
  if (f.lossPct !== undefined) next.lossPct = f.lossPct;
  return next;
}

/**
 * A new verdict view (state event or `status` reply) keeps the figures in use when its own are
 * within the hysteresis: a link flapping between online and disconnecting (both in policies)
 * must not rewrite nft for every small wobble its state events carry.
 */
export function stableFigures(prev: TrackView, next: TrackView): TrackView {
  if (figuresMoved({ latencyMs: prev.latencyMs, lossPct: prev.lossPct }, { latencyMs: next.latencyMs, lossPct: next.lossPct })) return next;
  if (next.latencyMs === prev.latencyMs && next.lossPct === prev.lossPct) return next;
  const out: TrackView = { ...next };
  delete out.latencyMs;
  delete out.lossPct;
  if (prev.latencyMs !== undefined) out.latencyMs = prev.latencyMs;
  if (prev.lossPct !== undefined) out.lossPct = prev.lossPct;
  return out;
}
