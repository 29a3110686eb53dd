/**
 * Live figures: per target a sliding window of the last N probe outcomes (RTT or lost), from
 * which latency (last, average), jitter and loss are derived; per WAN an aggregate.
 */

export interface TargetFigures {
  /** RTT of the last answered probe, ms */
  latencyMs: number | null;
  avgMs: number | null;
  /** mean absolute difference of consecutive RTTs in the window, ms */
  jitterMs: number | null;
  lossPct: number | null;
  /** probes in the window */
  sent: number;
  received: number;
}

/** A bounded ring of probe outcomes: an RTT in ms, or null for a lost probe. */
export class ProbeWindow {
  private readonly ring: (number | null)[] = [];
  private last: number | null = null;
  constructor(private readonly size: number) {}

  push(rttMs: number | null): void {
    this.ring.push(rttMs);
    if (this.ring.length > this.size) this.ring.shift();
    if (rttMs !== null) this.last = rttMs;
  }

  clear(): void {
    this.ring.length = 0;
    this.last = null;
  }

  /** raw outcomes, oldest first */
  samples(): readonly (number | null)[] {
    return this.ring;
  }

  figures(): TargetFigures {
    const rtts = this.ring.filter((x): x is number => x !== null);
    const sent = this.ring.length;
    let jitter: number | null = null;
    if (rtts.length >= 2) {
      let sum = 0;
      for (let i = 1; i < rtts.length; i++) sum += Math.abs(rtts[i]! - rtts[i - 1]!);
      jitter = sum / (rtts.length - 1);
    }
    return {
      latencyMs: this.last,
      avgMs: rtts.length ? rtts.reduce((a, b) => a + b, 0) / rtts.length : null,
      jitterMs: jitter,
      lossPct: sent ? ((sent - rtts.length) / sent) * 100 : null,
      sent,
      received: rtts.length,
    };
  }
}

export interface WanFigures {
  latencyMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** WAN figures: average of the targets' averages and jitters; loss over every probe in the windows. */
export function wanFigures(targets: readonly TargetFigures[]): WanFigures {
  const sent = targets.reduce((a, t) => a + t.sent, 0);
  const received = targets.reduce((a, t) => a + t.received, 0);
  return {
    latencyMs: mean(targets.map((t) => t.avgMs).filter((x): x is number => x !== null)),
    jitterMs: mean(targets.map((t) => t.jitterMs).filter((x): x is number => x !== null)),
    lossPct: sent ? ((sent - received) / sent) * 100 : null,
  };
}

/** Rounds a figure for publishing (3 decimals), keeping null. */
export function round3(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}

/**
 * When a tracker tells the bus its figures between state changes (event `mwan.track.figures`,
 * docs/tracker.md "Figures events"): loss moved by `lossPoints` or more, or latency by both
 * `latencyRatio` of the last sent value and `latencyMs`; a figure appearing or vanishing (null)
 * counts as moved. At most one such event per `minGapMs`.
 */
export interface FiguresPolicy {
  lossPoints: number;
  latencyRatio: number;
  latencyMs: number;
  minGapMs: number;
}

export const FIGURES_POLICY: Readonly<FiguresPolicy> = { lossPoints: 5, latencyRatio: 0.2, latencyMs: 10, minGapMs: 10_000 };

/** Loss and latency as last sent on the bus. */
export interface SentFigures {
  latencyMs: number | null;
  lossPct: number | null;
}

/** Did the figures move enough since they were last sent to be worth an event? */
export function figuresMoved(sent: SentFigures, now: SentFigures, p: Readonly<FiguresPolicy> = FIGURES_POLICY): boolean {
  if ((sent.lossPct === null) !== (now.lossPct === null)) return true;
  if (sent.lossPct !== null && now.lossPct !== null && Math.abs(now.lossPct - sent.lossPct) >= p.lossPoints) return true;
  if ((sent.latencyMs === null) !== (now.latencyMs === null)) return true;
  if (sent.latencyMs !== null && now.latencyMs !== null) {
    const d = Math.abs(now.latencyMs - sent.latencyMs);
    if (d >= p.latencyMs && d >= p.latencyRatio * sent.latencyMs) return true;
  }
  return false;
}
