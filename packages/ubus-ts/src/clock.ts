/**
 * Injected time (STYLE 8), shared by every package: the Clock interface the client uses, the
 * real clock, and a manual one for tests. No imports, so any layer may use it
 * (`import { FakeClock } from 'ubus-ts/clock'`); packages whose code needs less keep a narrower
 * Clock of their own, which this FakeClock also satisfies.
 */

/** Injected time source, so timeouts and reconnect backoff are testable with fake time. */
export interface Clock {
  now(): number;
  /** `keepAlive`: the timer keeps the process running (reconnecting); others do not */
  setTimeout(fn: () => void, ms: number, opts?: { keepAlive?: boolean }): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock; tests pass a fake one with the same three methods. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms, opts) => {
    const t = setTimeout(fn, ms);
    // a pending request timer must not keep a finished program alive; a reconnect must: a
    // daemon whose broker went away has nothing else keeping it running while it waits
    if (!opts?.keepAlive) t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Manual time for tests: timers run only when the test advances the clock. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  /** every delay ever requested, in order */
  readonly requested: number[] = [];

  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.requested.push(ms);
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** number of timers waiting */
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, firing due timers in time order, ties in the order set (each may set more). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}
