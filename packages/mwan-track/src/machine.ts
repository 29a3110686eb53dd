/**
 * mwan3's tracker state machine as one pure function. docs/tracker.md is the specification:
 * states, events, the transition table, and the mwan3 bugs this version fixes.
 */

export type TrackStatus = 'online' | 'offline' | 'connecting' | 'disconnecting' | 'disabled';
export type TrackAction = 'connected' | 'disconnected' | 'connecting' | 'disconnecting' | 'disabled';
export type TargetVerdict = 'up' | 'down' | 'skipped';

/** The parts of the tracking settings the machine decides with. Durations in ms. */
export interface MachineConfig {
  reliability: number;
  down: number;
  up: number;
  intervalMs: number;
  failureIntervalMs: number;
  recoveryIntervalMs: number;
  keepFailureInterval: boolean;
  initialState: 'online' | 'offline';
  checkQuality: boolean;
  /** ms */
  failureLatency: number;
  recoveryLatency: number;
  /** percent */
  failureLoss: number;
  recoveryLoss: number;
}

/** What probing one target in one round gave; `skipped` = not probed (reliability reached). */
export interface TargetResult {
  target: string;
  sent: number;
  received: number;
  /** RTT of each answer, ms */
  rttsMs: number[];
  skipped?: boolean;
}

/** mwan3's per-target view of the last round. */
export interface TargetRound {
  target: string;
  verdict: TargetVerdict;
  /** average RTT ms; 999999 when nothing answered (mwan3's value); null when skipped */
  latencyMs: number | null;
  lossPct: number | null;
}

export interface TrackState {
  readonly cfg: MachineConfig;
  readonly status: TrackStatus | null;
  readonly score: number;
  readonly lost: number;
  readonly turn: number;
  /** clock ms of the last status change */
  readonly changedAt: number | null;
  readonly onlineSince: number | null;
  readonly offlineSince: number | null;
  readonly lastRoundAt: number | null;
  readonly rounds: number;
  readonly lastRound: readonly TargetRound[];
}

export type MachineEvent =
  | { type: 'start'; now: number; ifup: boolean }
  | { type: 'round'; now: number; results: readonly TargetResult[] }
  | { type: 'ifup'; now: number }
  | { type: 'ifdown'; now: number }
  | { type: 'reset'; now: number };

export interface Emitted {
  action: TrackAction;
  state: TrackStatus;
  previous: TrackStatus | null;
  firstConnect: boolean;
}

export interface Transition {
  state: TrackState;
  emit: Emitted[];
  /** when to run the next round, ms from now; null = no rounds (disabled); 'keep' = as scheduled */
  nextRoundInMs: number | null | 'keep';
}

/** mwan3 reports a target with no answer as this latency. */
export const NO_ANSWER_LATENCY = 999999;

const ACTION: Record<TrackStatus, TrackAction> = {
  online: 'connected',
  offline: 'disconnected',
  connecting: 'connecting',
  disconnecting: 'disconnecting',
  disabled: 'disabled',
};

/** A machine that has not started yet. */
export function initialState(cfg: MachineConfig): TrackState {
  return { cfg, status: null, score: 0, lost: 0, turn: 0, changedAt: null, onlineSince: null, offlineSince: null, lastRoundAt: null, rounds: 0, lastRound: [] };
}

/** Latency (avg ms) and loss (%) of one target's round, mwan3-style. */
export function roundQuality(r: TargetResult): { latencyMs: number; lossPct: number } {
  if (r.sent === 0 || r.received === 0) return { latencyMs: NO_ANSWER_LATENCY, lossPct: 100 };
  const avg = r.rttsMs.reduce((a, b) => a + b, 0) / Math.max(1, r.rttsMs.length);
  return { latencyMs: avg, lossPct: ((r.sent - r.received) / r.sent) * 100 };
}

/** mwan3's per-target verdict; the round runner uses it too, to stop at `reliability` ups. */
export function classifyTarget(cfg: MachineConfig, r: TargetResult): TargetRound {
  if (r.skipped) return { target: r.target, verdict: 'skipped', latencyMs: null, lossPct: null };
  const q = roundQuality(r);
  if (!cfg.checkQuality) return { target: r.target, verdict: r.received > 0 ? 'up' : 'down', latencyMs: q.latencyMs, lossPct: q.lossPct };
  let verdict: TargetVerdict = 'skipped';
  if (q.lossPct >= cfg.failureLoss || q.latencyMs >= cfg.failureLatency) verdict = 'down';
  else if (q.lossPct <= cfg.recoveryLoss && q.latencyMs <= cfg.recoveryLatency) verdict = 'up';
  return { target: r.target, verdict, latencyMs: q.latencyMs, lossPct: q.lossPct };
}

/** Builds state changes step by step, collecting one event per state entered. */
class Step {
  emit: Emitted[] = [];
  constructor(public s: TrackState, private readonly now: number) {}
  set(patch: Partial<TrackState>): void {
    this.s = { ...this.s, ...patch };
  }
  enter(status: TrackStatus, firstConnect = false): void {
    const previous = this.s.status;
    if (previous === status) return;
    const patch: { -readonly [K in keyof TrackState]?: TrackState[K] } = { status, changedAt: this.now };
    if (status === 'online') {
      patch.onlineSince = this.now;
      patch.offlineSince = null;
    } else if (status === 'offline' || status === 'disabled') {
      patch.onlineSince = null;
      if (this.s.offlineSince === null) patch.offlineSince = this.now;
    }
    this.set(patch);
    this.emit.push({ action: ACTION[status], state: status, previous, firstConnect });
  }
  connected(firstConnect = false): void {
    this.set({ score: this.s.cfg.down + this.s.cfg.up, lost: 0, turn: 0 });
    this.enter('online', firstConnect);
  }
  disconnected(): void {
    this.set({ score: 0 });
    this.enter('offline');
  }
}

function firstConnect(step: Step, ifup: boolean): number | null {
  step.set({ lost: 0, turn: 0 });
  if (!ifup) {
    step.enter('disabled');
    return null;
  }
  if (step.s.cfg.initialState === 'offline') step.disconnected();
  else step.connected(true);
  return 0;
}

function round(step: Step, results: readonly TargetResult[], now: number): number {
  const cfg = step.s.cfg;
  const verdicts = results.map((r) => classifyTarget(cfg, r));
  const hostUp = verdicts.filter((v) => v.verdict === 'up').length;
  const downs = verdicts.filter((v) => v.verdict === 'down').length;
  step.set({ lastRound: verdicts, lastRoundAt: now, rounds: step.s.rounds + 1 });
  let next = cfg.intervalMs;
  if (hostUp < cfg.reliability) {
    const score = step.s.score - 1;
    step.set({ lost: step.s.lost + downs });
    if (score > cfg.up) {
      step.set({ score });
      step.enter('disconnecting');
      next = cfg.failureIntervalMs;
    } else if (score === cfg.up) {
      step.enter('disconnecting');
      step.disconnected();
      next = cfg.failureIntervalMs;
    } else {
      step.disconnected();
      if (cfg.keepFailureInterval) next = cfg.failureIntervalMs;
    }
  } else {
    const score = step.s.score + 1;
    step.set({ lost: 0 });
    if (score < cfg.up) {
      step.set({ score });
      step.enter('connecting');
      next = cfg.recoveryIntervalMs;
    } else if (score === cfg.up) {
      step.set({ score });
      step.enter('connecting');
      step.connected();
      next = cfg.recoveryIntervalMs;
    } else {
      step.set({ score: cfg.down + cfg.up });
      step.enter('online');
    }
  }
  // as mwan3: `connected` zeroes turn, then the round that connected counts as turn 1
  step.set({ turn: step.s.turn + 1 });
  return next;
}

/** The whole tracker logic: state + event → new state, events to send, next round delay. */
export function handle(state: TrackState, event: MachineEvent): Transition {
  const step = new Step(state, event.now);
  let next: number | null = null;
  switch (event.type) {
    case 'start':
      next = firstConnect(step, event.ifup);
      break;
    case 'reset':
      step.set({ status: null, score: 0, lost: 0, turn: 0, lastRound: [], rounds: 0, onlineSince: null, offlineSince: null });
      next = firstConnect(step, state.status !== 'disabled' && state.status !== null);
      break;
    case 'ifup':
      if (state.status === 'disabled' || state.status === null) next = firstConnect(step, true);
      else return { state, emit: [], nextRoundInMs: 'keep' };
      break;
    case 'ifdown':
      if (state.status === 'disabled') return { state, emit: [], nextRoundInMs: null };
      step.set({ score: 0 });
      step.enter('disabled');
      next = null;
      break;
    case 'round':
      if (state.status === 'disabled' || state.status === null) return { state, emit: [], nextRoundInMs: null };
      next = round(step, event.results, event.now);
      break;
  }
  return { state: step.s, emit: step.emit, nextRoundInMs: next };
}
