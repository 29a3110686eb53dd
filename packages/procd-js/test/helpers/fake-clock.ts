/** A manual clock: time moves only when the test calls advance() (ubus-ts's FakeClock). */
import { FakeClock } from 'ubus-ts/clock';

export { FakeClock };

export function createFakeClock(start = 0): FakeClock {
  return new FakeClock(start);
}
