/** Injected time, so the tracker loop is tested with fake time. `now()` is monotonic ms. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Monotonic clock from process.hrtime (immune to wall-clock steps, e.g. NTP at boot). */
export const monotonicClock: Clock = {
  now: () => Number(process.hrtime.bigint() / 1000n) / 1000,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A fake clock for tests (ubus-ts's): time moves only through `advance`. */
export { FakeClock } from 'ubus-ts/clock';
