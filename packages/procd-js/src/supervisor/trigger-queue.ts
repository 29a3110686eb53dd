/**
 * procd's trigger command queue: a command is run after its trigger's delay, identical commands
 * arriving meanwhile are coalesced (the delay is extended), a command arriving while the same one
 * runs is run once more afterwards, and commands run one at a time (runqueue of 1).
 */
import type { Clock } from 'ubus-ts';

export type CommandRunner = (argv: string[]) => Promise<void>;

interface Pending {
  argv: string[];
  timer: unknown;
  /** clock time the delay ends; undefined once queued or running */
  due: number | undefined;
  requeue: boolean;
}

export class TriggerQueue {
  private readonly pending = new Map<string, Pending>();
  private readonly ready: Pending[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly runner: CommandRunner,
  ) {}

  /** Schedules `argv` to run after `delayMs` (procd uses at least 1 ms). */
  add(argv: string[], delayMs: number): void {
    const key = JSON.stringify(argv);
    const delay = delayMs > 0 ? delayMs : 1;
    const existing = this.pending.get(key);
    if (existing) {
      if (existing.due === undefined) {
        existing.requeue = true;
        return;
      }
      if (existing.due - this.clock.now() < delay) this.arm(existing, delay);
      return;
    }
    const p: Pending = { argv, timer: undefined, due: undefined, requeue: false };
    this.pending.set(key, p);
    this.arm(p, delay);
  }

  /** Number of commands waiting, queued or running. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves once nothing is pending, queued or running. */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops everything not yet running. */
  stop(): void {
    for (const p of this.pending.values()) if (p.due !== undefined) this.clock.clearTimeout(p.timer);
    for (const [k, p] of this.pending) if (p.due !== undefined) this.pending.delete(k);
    this.ready.length = 0;
    this.checkIdle();
  }

  private arm(p: Pending, delay: number): void {
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.due = this.clock.now() + delay;
    p.timer = this.clock.setTimeout(() => {
      p.due = undefined;
      p.timer = undefined;
      this.ready.push(p);
      this.pump();
    }, delay);
  }

  private pump(): void {
    if (this.running) return;
    const p = this.ready.shift();
    if (!p) return;
    this.running = true;
    void this.runner(p.argv)
      .catch(() => undefined)
      .then(() => {
        this.running = false;
        if (p.requeue) {
          p.requeue = false;
          this.ready.push(p);
        } else {
          this.pending.delete(JSON.stringify(p.argv));
        }
        this.pump();
        this.checkIdle();
      });
  }

  private checkIdle(): void {
    if (this.pending.size > 0) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
