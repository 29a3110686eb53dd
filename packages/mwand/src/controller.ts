/**
 * The controller: bus events in, one ordered queue, state machine, plan + apply, trackers at
 * procd, events and hooks out. Everything outside is reached through ports (ports.ts), so the
 * whole controller runs in tests with fakes and in production with the adapters. This file only
 * orchestrates; each job lives in src/controller/: inputs, folding a batch, reload checks,
 * dataplane sync, tracker instances, announcements.
 */
import type { Clock } from './core/clock.js';
import type { ExplainSets, ExplainSetsRequest, SourceWans } from './core/explain.js';
import { emptyState, netifdNames, type ControllerState } from './core/model.js';
import { EventQueue } from './core/queue.js';
import type { InterfaceAction } from './core/state.js';
import { MwandError, MwandErrorCode } from './errors.js';
import type { MwanEvents } from './events.js';
import { newMetrics, type ControllerMetrics } from './metrics.js';
import type { ConfigLoader, DataplanePort, NetifdPort, RtmonPort, TeardownReport, TrackerPort } from './ports.js';
import type { MwanService, ReloadOutcome } from './ubus-api.js';
import { policyShares, type PolicyTable, type RuleCounter } from './views.js';
import { announceChanges, answerReloads } from './controller/announce.js';
import { foldBatch, type BatchDeps } from './controller/batch.js';
import { DataplaneSync } from './controller/dataplane-sync.js';
import { eventInterface, figuresInput, trackInput, type Input } from './controller/inputs.js';
import { checkReload } from './controller/reload-check.js';
import { TrackerInstances } from './controller/tracker-instances.js';

export type { TeardownReport };

export interface ControllerDeps {
  clock: Clock;
  loadConfig: ConfigLoader;
  dataplane: DataplanePort;
  netifd: NetifdPort;
  trackers: TrackerPort;
  rtmon: RtmonPort;
  events: Pick<MwanEvents, 'interface' | 'policy' | 'reload'>;
  hooks: { enqueue(actions: readonly InterfaceAction[]): void };
  log?(msg: string): void;
  /** coalescing window for event bursts (default 20 ms) */
  coalesceMs?: number;
  /** delay before retrying a failed apply (default 5 s) */
  retryMs?: number;
  /** removes mwan's kernel state (table, ip rules, WAN routes): the `teardown` method */
  teardown?(state: ControllerState): Promise<TeardownReport>;
}

export class Controller implements MwanService {
  private st: ControllerState | undefined;
  private readonly queue: EventQueue<Input>;
  private readonly m: ControllerMetrics = newMetrics();
  private readonly trackers: TrackerInstances;
  private readonly dataplane: DataplaneSync;
  private readonly batchDeps: BatchDeps;
  private startedAt = 0;
  private readonly log: (m: string) => void;
  private tornDown: Promise<TeardownReport> | undefined;

  constructor(private readonly deps: ControllerDeps) {
    const log = (this.log = deps.log ?? (() => {}));
    const now = (): number => deps.clock.now();
    this.trackers = new TrackerInstances(deps.trackers, this.m, log);
    this.dataplane = new DataplaneSync({
      dataplane: deps.dataplane,
      clock: deps.clock,
      metrics: this.m,
      log,
      ...(deps.retryMs !== undefined ? { retryMs: deps.retryMs } : {}),
      onRetry: () => this.push({ kind: 'retry' }),
    });
    const reloadDeps = { loadConfig: deps.loadConfig, dataplane: deps.dataplane, trackers: this.trackers, metrics: this.m, now, log };
    this.batchDeps = {
      state: () => this.state(),
      setState: (st) => (this.st = st),
      now,
      netifd: deps.netifd,
      rtmon: deps.rtmon,
      trackers: this.trackers,
      checkReload: () => checkReload(reloadDeps, () => this.state()),
      forgetApplied: () => this.dataplane.forgetApplied(),
      log,
    };
    this.queue = new EventQueue<Input>({
      clock: deps.clock,
      coalesceMs: deps.coalesceMs ?? 20,
      process: (b) => this.process(b),
      onError: (err) => this.log(`event processing failed: ${(err as Error).stack ?? String(err)}`),
    });
  }

  /**
   * Loads the config (a bad one throws ConfigRejectedError and nothing is touched), adopts
   * the running trackers and the kernel state, asks netifd, trackers and rtmon for their
   * state and converges. Resolves once the first apply is done.
   */
  async start(): Promise<void> {
    const cfg = await this.deps.loadConfig();
    this.startedAt = this.deps.clock.now();
    this.st = emptyState(cfg);
    // a plan that cannot be made for this config must stop us before anything is applied
    this.deps.dataplane.plan(this.st);
    await this.trackers.adopt();
    await this.queue.pushAndWait({ kind: 'resync' });
  }

  stop(): void {
    this.queue.stop();
    this.dataplane.stop();
  }

  /**
   * `/etc/init.d/mwan stop`: stops processing events (the batch being applied finishes first),
   * so nothing is applied again, then removes the kernel state. Later calls return the first
   * call's report. The process stays up until procd's SIGTERM.
   */
  teardown(): Promise<TeardownReport> {
    const fn = this.deps.teardown;
    if (!fn) return Promise.reject(new MwandError(MwandErrorCode.STOPPED, 'teardown is not available'));
    this.tornDown ??= (async () => {
      await this.queue.stopAndSettle();
      this.stop();
      const r = await fn(this.state());
      this.log(`teardown: removed ${r.table ? 'table inet mwan, ' : ''}${r.ipRules} ip rules, ${r.routes} routes; not applying anything until restarted`);
      return r;
    })();
    return this.tornDown;
  }

  /** teardown() was called: mwand waits for its SIGTERM */
  isTornDown(): boolean {
    return this.tornDown !== undefined;
  }

  /** Resolves when every event received so far has been processed. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- bus inputs ----------------------------------------------------------------------

  /** network.interface event {action, interface} */
  onNetifdEvent(iface: string): void {
    if (!this.st || !netifdNames(this.st.config).includes(iface)) return;
    this.push({ kind: 'netifd', interface: iface });
  }

  /** mwan.track event data */
  onTrackEvent(data: Record<string, unknown>): void {
    const name = eventInterface(data);
    if (!name || !this.knows(name)) return;
    const input = trackInput(name, data, this.deps.clock.now(), this.log);
    if (input) this.push(input);
  }

  /** mwan.track.figures event data: live loss/latency between state changes (balance quality) */
  onTrackFigures(data: Record<string, unknown>): void {
    const name = eventInterface(data);
    if (!name || !this.knows(name)) return;
    const input = figuresInput(name, data, this.log);
    if (input) this.push(input);
  }

  /** a tracker's object mwan.track.<iface> appeared (ubus.object.add) */
  onTrackerAppeared(iface: string): void {
    if (!this.knows(iface)) return;
    this.push({ kind: 'tracker', interface: iface });
  }

  /** mwan.rtmon event */
  onRtmonEvent(): void {
    this.push({ kind: 'rtmon' });
  }

  /** the broker came back: ask everyone again (events may have been missed) */
  resync(): void {
    this.push({ kind: 'resync' });
  }

  // ---- MwanService (the ubus face) -----------------------------------------------------

  now(): number {
    return this.deps.clock.now();
  }
  state(): ControllerState {
    if (!this.st) throw new MwandError(MwandErrorCode.STOPPED, 'controller not started');
    return this.st;
  }
  /** What the dataplane actually does (balance modes included) when known, else the core's resolution. */
  policies(): PolicyTable {
    return this.dataplane.policies(this.state());
  }
  runningTrackers(): ReadonlySet<string> {
    return this.trackers.names();
  }
  sourceWans(): SourceWans | undefined {
    return this.dataplane.sourceWans();
  }

  explainSets(want: ExplainSetsRequest): Promise<ExplainSets> {
    return this.dataplane.explainSets(want);
  }

  ruleCounters(): Promise<ReadonlyMap<string, RuleCounter> | undefined> {
    return this.dataplane.ruleCounters();
  }
  /**
   * Per-target figures come only with a tracker's `status` reply (its events carry none): asked
   * for before `status`/`interfaces` replies. Never fails: without an answer the last ones stay.
   */
  async refreshTargets(): Promise<void> {
    if (this.tornDown || !this.st) return;
    try {
      await this.queue.pushAndWait({ kind: 'targets' });
    } catch {
      // stopping: the reply shows what is known
    }
  }
  reload(): Promise<ReloadOutcome> {
    return new Promise((resolve) => this.push({ kind: 'reload', done: resolve }));
  }
  async admin(iface: string, action: 'ifup' | 'ifdown'): Promise<void> {
    if (!this.knows(iface)) throw new MwandError(MwandErrorCode.NO_SUCH_INTERFACE, `no interface ${iface}`);
    if (this.tornDown) throw new MwandError(MwandErrorCode.STOPPED, 'mwand was torn down (mwan is stopping)');
    await this.queue.pushAndWait({ kind: 'admin', interface: iface, action });
  }
  metrics(): ControllerMetrics {
    return { ...this.m };
  }
  /** the hook runner reports each finished hook here */
  countHook(result: 'ok' | 'failed' | 'timeout' | 'error'): void {
    this.m.hooks++;
    if (result === 'timeout') this.m.hook_timeouts++;
    else if (result !== 'ok') this.m.hook_failures++;
  }
  uptimeS(): number {
    return Math.floor((this.deps.clock.now() - this.startedAt) / 1000);
  }

  // ---- processing ----------------------------------------------------------------------

  private knows(iface: string): boolean {
    return !!this.st?.config.interfaces.some((i) => i.name === iface);
  }

  private push(i: Input): void {
    this.m.events++;
    try {
      this.queue.push(i);
    } catch {
      if (i.kind === 'reload') i.done({ result: 'error', errors: [this.tornDown ? 'mwand was torn down (mwan is stopping); start the service again' : 'mwand is stopping'] });
    }
  }

  /** One batch: fold it into the state, then apply, fix trackers, announce, answer, run hooks. */
  private async process(batch: Input[]): Promise<void> {
    this.m.batches++;
    const before = this.state();
    const beforePolicies = policyShares(this.policies());
    const { actions, reloads, trackerDiff } = await foldBatch(batch, this.batchDeps);
    await this.dataplane.apply(this.state());
    if (trackerDiff) await this.trackers.apply(trackerDiff, this.state());
    await this.trackers.updateChanged(before, this.state(), batch);
    announceChanges(this.deps.events, this.m, before, this.state(), actions, beforePolicies, () => this.policies());
    if (reloads.some((r) => r.outcome.result === 'ok') && this.deps.rtmon.resync) {
      await this.deps.rtmon.resync().catch((err: Error) => this.log(`rtmon resync: ${err.message}`));
    }
    answerReloads(this.deps.events, reloads);
    if (actions.length > 0) {
      await this.dataplane.flushConntrack(actions, this.state().config);
      this.deps.hooks.enqueue(actions);
    }
  }
}
