/**
 * mwan3's mark arithmetic (inventory section 2): a value is spread into the set bits of the mask
 * from the lowest bit up, so non-contiguous masks work. Interface N (1-based position among all
 * interface sections) uses routing table N and mark spread(N).
 */
import { PlanError } from '../errors.js';

export const DEFAULT_MASK = 0x3f00;

export function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask >>> 0; m; m >>>= 1) n += m & 1;
  return n;
}

/** Spreads `value` into the set bits of `mask`, lowest first. */
export function spread(value: number, mask: number): number {
  let out = 0;
  let v = value;
  for (let bit = 0; bit < 32 && v; bit++) {
    if ((mask >>> bit) & 1) {
      if (v & 1) out |= 1 << bit;
      v >>>= 1;
    }
  }
  return out >>> 0;
}

export interface MarkSpace {
  mask: number;
  /** all mask bits set: traffic goes via the main table */
  default: number;
  blackhole: number;
  unreachable: number;
  /** (1<<bits)-1 */
  mmdefault: number;
  /** highest usable interface id */
  maxInterfaces: number;
}

export function markSpace(mask: number): MarkSpace {
  const m = mask >>> 0;
  const bits = bitCount(m);
  if (bits < 3) throw new PlanError('PLAN_BAD_MASK', `mmx_mask 0x${m.toString(16)} has ${bits} bits; at least 3 are needed`);
  const mmdefault = 2 ** bits - 1;
  return {
    mask: m,
    mmdefault,
    default: spread(mmdefault, m),
    blackhole: spread(mmdefault - 2, m),
    unreachable: spread(mmdefault - 1, m),
    maxInterfaces: mmdefault - 3,
  };
}

/** Mark of interface id `id` (1-based). */
export function interfaceMark(id: number, mask: number): number {
  return spread(id, mask);
}

/** ip rule prefs as mwan3 has them. */
export const prefs = {
  iif: (id: number): number => 1000 + id,
  fwmark: (id: number): number => 2000 + id,
  unreachable: (id: number): number => 3000 + id,
  blackholeRule: (ms: MarkSpace): number => 2000 + ms.mmdefault - 2,
  unreachableRule: (ms: MarkSpace): number => 2000 + ms.mmdefault - 1,
};

/** True when `pref` lies in one of the ranges mwan owns (so the applier may remove it). */
export function isOwnPref(pref: number, ms: MarkSpace): boolean {
  return (pref > 1000 && pref <= 1000 + ms.maxInterfaces)
    || (pref > 2000 && pref <= 2000 + ms.mmdefault - 1)
    || (pref > 3000 && pref <= 3000 + ms.maxInterfaces);
}
