/**
 * Keeps the kernel matching the controller state: plans, applies only a plan that differs from
 * the last applied one, retries a failed apply after a delay, and flushes conntrack for the
 * interfaces whose action asks for it.
 */
import type { Clock } from '../core/clock.js';
import { unreadSets, type ExplainSets, type ExplainSetsRequest, type SourceWans } from '../core/explain.js';
import type { ControllerState, CoreConfig } from '../core/model.js';
import { resolveAll } from '../core/policy.js';
import { canonical } from '../core/reload.js';
import type { InterfaceAction } from '../core/state.js';
import { usableSet } from '../core/status.js';
import type { ControllerMetrics } from '../metrics.js';
import type { DataplanePort } from '../ports.js';
import type { PolicyTable, RuleCounter } from '../views.js';

export interface DataplaneSyncDeps {
  dataplane: DataplanePort;
  clock: Clock;
  metrics: ControllerMetrics;
  log(msg: string): void;
  /** delay before retrying a failed apply (default 5 s) */
  retryMs?: number;
  /** the retry delay passed: the controller queues a batch that applies again */
  onRetry(): void;
}

export class DataplaneSync {
  private lastApplied: string | undefined;
  private lastPlan: unknown;
  private retryTimer: unknown;

  constructor(private readonly deps: DataplaneSyncDeps) {}

  /** What the dataplane actually does (balance modes included) when known, else the core's resolution. */
  policies(st: ControllerState): PolicyTable {
    if (this.lastPlan !== undefined && this.deps.dataplane.policies) {
      try {
        return this.deps.dataplane.policies(this.lastPlan, st.config);
      } catch {
        // fall through
      }
    }
    return resolveAll(st.config, usableSet(st));
  }

  /** The last plan's own-address maps; undefined without a plan (or a port that cannot say). */
  sourceWans(): SourceWans | undefined {
    if (this.lastPlan === undefined || !this.deps.dataplane.sourceWans) return undefined;
    try {
      return this.deps.dataplane.sourceWans(this.lastPlan);
    } catch {
      return undefined;
    }
  }

  /** Members of the rules' sets and sticky entries from the kernel; a port that cannot read them says so. */
  explainSets(want: ExplainSetsRequest): Promise<ExplainSets> {
    if (this.deps.dataplane.explainSets) return this.deps.dataplane.explainSets(want);
    return Promise.resolve(unreadSets(want, 'the dataplane cannot be read back'));
  }

  ruleCounters(): Promise<ReadonlyMap<string, RuleCounter> | undefined> {
    return this.deps.dataplane.ruleCounters().catch((err: Error) => {
      this.deps.log(`rule counters: ${err.message}`);
      return undefined;
    });
  }

  /** The next apply goes to the kernel even when the plan did not change (a retry). */
  forgetApplied(): void {
    this.lastApplied = undefined;
  }

  async apply(st: ControllerState): Promise<void> {
    const m = this.deps.metrics;
    let planned: unknown;
    try {
      planned = this.deps.dataplane.plan(st);
      this.lastPlan = planned;
    } catch (err) {
      this.lastPlan = undefined;
      m.apply_errors++;
      this.deps.log(`plan failed: ${(err as Error).message}`);
      return;
    }
    const key = canonical(planned);
    if (key === this.lastApplied) return;
    const t0 = this.deps.clock.now();
    try {
      await this.deps.dataplane.apply(planned);
      this.lastApplied = key;
      m.applies++;
    } catch (err) {
      m.apply_errors++;
      this.deps.log(`apply failed (retrying in ${this.deps.retryMs ?? 5000} ms): ${(err as Error).message}`);
      this.scheduleRetry();
    } finally {
      const ms = this.deps.clock.now() - t0;
      m.last_apply_ms = ms;
      m.max_apply_ms = Math.max(m.max_apply_ms, ms);
    }
  }

  /** Cancels a pending retry. */
  stop(): void {
    if (this.retryTimer !== undefined) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** flush_conntrack: the interfaces whose action is listed lose their conntrack entries. */
  async flushConntrack(actions: readonly InterfaceAction[], config: CoreConfig): Promise<void> {
    const flush = this.deps.dataplane.flushConntrack;
    if (!flush) return;
    for (const a of actions) {
      const i = config.interfaces.find((x) => x.name === a.interface);
      if (!i || !i.flushConntrack.includes(a.action)) continue;
      await flush.call(this.deps.dataplane, i).catch((err: Error) => this.deps.log(`flush conntrack ${i.name}: ${err.message}`));
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.deps.onRetry();
    }, this.deps.retryMs ?? 5000);
  }
}
