import { FakeClock as ManualClock } from 'ubus-ts/clock';

/** Injected time, so coalescing windows and hook timeouts are tested without sleeping. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A manual clock for tests (ubus-ts's): time moves only with `advance()`; starts at 1 000 000 ms. */
export class FakeClock extends ManualClock {
  constructor(start = 1_000_000) {
    super(start);
  }
}
