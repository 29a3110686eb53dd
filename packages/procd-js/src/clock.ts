/** The real time source; tests inject a fake Clock (same interface as ubus-ts's). */
import type { Clock } from 'ubus-ts';

export type { Clock };

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
