/**
 * One WAN's tracker: schedules rounds on the injected clock, probes the targets in order until
 * `reliability` answered, feeds the machine, keeps the figures and hands every state change to
 * `onChange`, and figures that moved meaningfully between state changes to `onFigures`
 * (rate-limited, see FIGURES_POLICY). No ubus here (see ubus-face.ts).
 */
import type { Clock } from './clock.js';
import { FIGURES_POLICY, figuresMoved, ProbeWindow, round3, wanFigures, type FiguresPolicy, type SentFigures } from './figures.js';
import { classifyTarget, handle, initialState, type Emitted, type MachineEvent, type TargetResult, type TrackState } from './machine.js';
import type { ProbeBinding, Prober } from './probes/types.js';
import { machineConfig, type TrackSettings } from './settings.js';

export interface TrackerDeps {
  clock: Clock;
  /** builds the prober for a binding (may throw ProbeSetupError) */
  createProber: (binding: ProbeBinding) => Prober;
  onChange: (e: TrackChange) => void;
  /** figures moved meaningfully without a state change (event `mwan.track.figures`) */
  onFigures?: (f: TrackFigures) => void;
  /** thresholds and rate limit of onFigures (default FIGURES_POLICY) */
  figuresPolicy?: FiguresPolicy;
  log?: (level: 'info' | 'notice' | 'warn', msg: string) => void;
  /** wall clock ms for `time` fields (default Date.now) */
  wallNow?: () => number;
}

/** The data of a `mwan.track` event. */
export interface TrackChange {
  interface: string;
  device: string | null;
  action: Emitted['action'];
  state: Emitted['state'];
  previous: Emitted['previous'];
  first_connect: boolean;
  score: number;
  lost: number;
  turn: number;
  latency_ms: number | null;
  loss_pct: number | null;
  time: number;
}

/** The data of a `mwan.track.figures` event: the current state and the WAN's live figures. */
export interface TrackFigures {
  interface: string;
  device: string | null;
  state: Emitted['state'];
  score: number;
  lost: number;
  turn: number;
  latency_ms: number | null;
  jitter_ms: number | null;
  loss_pct: number | null;
  time: number;
}

export interface TargetStatus {
  ip: string;
  status: 'up' | 'down' | 'skipped' | 'unknown';
  latency_ms: number | null;
  avg_ms: number | null;
  jitter_ms: number | null;
  loss_pct: number | null;
  sent: number;
  received: number;
  round_latency_ms: number | null;
  round_loss_pct: number | null;
}

export interface TrackStatusReply {
  interface: string;
  device: string | null;
  family: string;
  method: string;
  src_ip: string | null;
  mark: number;
  state: string;
  score: number;
  lost: number;
  turn: number;
  up: number;
  down: number;
  reliability: number;
  rounds: number;
  latency_ms: number | null;
  jitter_ms: number | null;
  loss_pct: number | null;
  last_change_s: number | null;
  uptime_s: number;
  downtime_s: number;
  time: number;
  targets: TargetStatus[];
}

export interface TrackUpdate {
  device?: string;
  srcIp?: string | null;
  up?: boolean;
}

export class Tracker {
  private state: TrackState;
  private prober: Prober | null = null;
  private timer: unknown = null;
  /** bumps whenever rounds in flight must be forgotten (reset, ifdown, stop) */
  private generation = 0;
  private roundRunning: Promise<void> | null = null;
  private readonly windows = new Map<string, ProbeWindow>();
  private stopped = false;
  private device: string | null;
  private srcIp: string | null;
  private lastChange: TrackChange | null = null;
  /** loss/latency as last sent on the bus (state or figures event), and when (clock ms) */
  private sentFigures: SentFigures | null = null;
  private sentFiguresAt: number | null = null;
  /** netifd says the interface is up */
  private linkUp: boolean;

  constructor(readonly iface: string, readonly settings: TrackSettings, private readonly deps: TrackerDeps) {
    this.state = initialState(machineConfig(settings));
    this.device = settings.device;
    this.srcIp = settings.srcIp;
    this.linkUp = settings.ifup;
    for (const ip of settings.trackIp) this.windows.set(ip, new ProbeWindow(settings.window));
  }

  /** Opens the prober (if up and a device is known) and runs the first round at once. */
  start(): void {
    const up = this.linkUp && this.device !== null && this.openProber();
    this.apply({ type: 'start', now: this.deps.clock.now(), ifup: up });
  }

  /** netifd's view changed (ubus `update`): device, source address, link up/down. */
  update(u: TrackUpdate): void {
    if (this.stopped) return;
    // a device named again is bound again, even under the same name (it may have a new ifindex)
    const rebinding = u.device !== undefined || (u.srcIp !== undefined && u.srcIp !== this.srcIp);
    if (u.device !== undefined) this.device = u.device;
    if (u.srcIp !== undefined) this.srcIp = u.srcIp;
    if (u.up !== undefined) this.linkUp = u.up;
    const enabled = this.linkUp && this.device !== null;
    const disabled = this.state.status === 'disabled' || this.state.status === null;
    if (!enabled) {
      this.closeProber();
      if (!disabled) this.apply({ type: 'ifdown', now: this.deps.clock.now() });
      return;
    }
    if (rebinding && this.prober) {
      try {
        this.prober.rebind(this.binding());
      } catch (err) {
        this.deps.log?.('warn', `rebind ${this.device}: ${(err as Error).message}`);
      }
    }
    if (disabled && this.openProber()) this.apply({ type: 'ifup', now: this.deps.clock.now() });
  }

  /** Starts over as at process start; figures cleared. */
  reset(): void {
    for (const w of this.windows.values()) w.clear();
    this.apply({ type: 'reset', now: this.deps.clock.now() });
  }

  /** Stops rounds, aborts probes, frees sockets; resolves when nothing is left running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.clearTimer();
    this.closeProber();
    await this.roundRunning?.catch(() => {});
  }

  get currentState(): TrackState {
    return this.state;
  }

  /** The last event sent (re-announced after a broker restart). */
  get lastEvent(): TrackChange | null {
    return this.lastChange;
  }

  status(): TrackStatusReply {
    const s = this.state;
    const now = this.deps.clock.now();
    const per = this.settings.trackIp.map((ip) => this.windows.get(ip)!.figures());
    const wan = wanFigures(per);
    const last = new Map(s.lastRound.map((r) => [r.target, r]));
    return {
      interface: this.iface,
      device: this.device,
      family: this.settings.family,
      method: this.settings.trackMethod,
      src_ip: this.srcIp,
      mark: this.settings.mark,
      state: s.status ?? 'disabled',
      score: s.score,
      lost: s.lost,
      turn: s.turn,
      up: this.settings.up,
      down: this.settings.down,
      reliability: this.settings.reliability,
      rounds: s.rounds,
      latency_ms: round3(wan.latencyMs),
      jitter_ms: round3(wan.jitterMs),
      loss_pct: round3(wan.lossPct),
      last_change_s: s.changedAt === null ? null : round3((now - s.changedAt) / 1000),
      uptime_s: s.onlineSince === null ? 0 : round3((now - s.onlineSince) / 1000)!,
      downtime_s: s.offlineSince === null ? 0 : round3((now - s.offlineSince) / 1000)!,
      time: Math.floor((this.deps.wallNow ?? Date.now)() / 1000),
      targets: this.settings.trackIp.map((ip, i) => {
        const f = per[i]!;
        const r = last.get(ip);
        return {
          ip,
          status: r?.verdict ?? 'unknown',
          latency_ms: round3(f.latencyMs),
          avg_ms: round3(f.avgMs),
          jitter_ms: round3(f.jitterMs),
          loss_pct: round3(f.lossPct),
          sent: f.sent,
          received: f.received,
          round_latency_ms: round3(r?.latencyMs ?? null),
          round_loss_pct: round3(r?.lossPct ?? null),
        };
      }),
    };
  }

  private binding(): ProbeBinding {
    return { device: this.device!, srcIp: this.srcIp, mark: this.settings.mark };
  }

  private openProber(): boolean {
    if (this.prober) return true;
    try {
      this.prober = this.deps.createProber(this.binding());
      return true;
    } catch (err) {
      this.deps.log?.('warn', `cannot probe on ${this.device}: ${(err as Error).message}`);
      return false;
    }
  }

  private closeProber(): void {
    this.prober?.close();
    this.prober = null;
  }

  private clearTimer(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private apply(event: MachineEvent): void {
    const t = handle(this.state, event);
    this.state = t.state;
    for (const e of t.emit) this.announce(e);
    if (event.type === 'round' && t.emit.length === 0) this.maybeSendFigures();
    if (t.nextRoundInMs === 'keep' || this.stopped) return;
    this.clearTimer();
    if (event.type !== 'round') this.generation++;
    if (t.nextRoundInMs !== null) this.schedule(t.nextRoundInMs);
  }

  private announce(e: Emitted): void {
    const wan = wanFigures(this.settings.trackIp.map((ip) => this.windows.get(ip)!.figures()));
    const change: TrackChange = {
      interface: this.iface,
      device: this.device,
      action: e.action,
      state: e.state,
      previous: e.previous,
      first_connect: e.firstConnect,
      score: this.state.score,
      lost: this.state.lost,
      turn: this.state.turn,
      latency_ms: round3(wan.latencyMs),
      loss_pct: round3(wan.lossPct),
      time: Math.floor((this.deps.wallNow ?? Date.now)() / 1000),
    };
    this.lastChange = change;
    this.sentFigures = { latencyMs: change.latency_ms, lossPct: change.loss_pct };
    this.sentFiguresAt = this.deps.clock.now();
    this.deps.log?.('notice', `interface ${this.iface} (${this.device ?? '-'}) is ${e.state}`);
    this.deps.onChange(change);
  }

  /** After a round without a state change: a figures event if they moved enough and the last one is old enough. */
  private maybeSendFigures(): void {
    const onFigures = this.deps.onFigures;
    const st = this.state.status;
    if (!onFigures || st === null || st === 'disabled') return;
    const policy = this.deps.figuresPolicy ?? FIGURES_POLICY;
    const now = this.deps.clock.now();
    if (this.sentFiguresAt !== null && now - this.sentFiguresAt < policy.minGapMs) return;
    const wan = wanFigures(this.settings.trackIp.map((ip) => this.windows.get(ip)!.figures()));
    const cur: SentFigures = { latencyMs: round3(wan.latencyMs), lossPct: round3(wan.lossPct) };
    if (this.sentFigures && !figuresMoved(this.sentFigures, cur, policy)) return;
    this.sentFigures = cur;
    this.sentFiguresAt = now;
    onFigures({
      interface: this.iface,
      device: this.device,
      state: st,
      score: this.state.score,
      lost: this.state.lost,
      turn: this.state.turn,
      latency_ms: cur.latencyMs,
      jitter_ms: round3(wan.jitterMs),
      loss_pct: cur.lossPct,
      time: Math.floor((this.deps.wallNow ?? Date.now)() / 1000),
    });
  }

  private schedule(ms: number): void {
    const gen = this.generation;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      if (gen !== this.generation || this.stopped) return;
      const run = this.runRound(gen);
      this.roundRunning = run;
      void run.finally(() => { if (this.roundRunning === run) this.roundRunning = null; });
    }, ms);
  }

  private async runRound(gen: number): Promise<void> {
    const prober = this.prober;
    if (!prober) return;
    // SO_BINDTODEVICE holds an ifindex: a device re-created under the same name (PPP redial)
    // would leave the socket on the dead one, so bind again each round (two cheap syscalls)
    try {
      prober.rebind(this.binding());
    } catch {
      // device absent right now: this round's probes fail and count as lost
    }
    const results: TargetResult[] = [];
    let upCount = 0;
    for (const ip of this.settings.trackIp) {
      if (upCount >= this.settings.reliability) {
        results.push({ target: ip, sent: 0, received: 0, rttsMs: [], skipped: true });
        continue;
      }
      const r = await prober.probe(ip);
      if (gen !== this.generation || this.stopped) return;
      const w = this.windows.get(ip)!;
      for (const rtt of r.rttsMs) w.push(rtt);
      for (let i = r.received; i < r.sent; i++) w.push(null);
      results.push(r);
      if (classifyTarget(this.state.cfg, r).verdict === 'up') upCount++;
    }
    this.apply({ type: 'round', now: this.deps.clock.now(), results });
  }
}
