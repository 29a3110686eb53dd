/**
 * mwan3's mark/table/pref arithmetic (inventory section 2), for the dataplane and the checker.
 * A value is spread into the set bits of the mask from the lowest bit up, so non-contiguous
 * masks work exactly as in mwan3.
 */

/** Number of set bits in the mask. */
export function maskBitCount(mask: number): number {
  let n = 0;
  for (let m = mask >>> 0; m !== 0; m >>>= 1) n += m & 1;
  return n;
}

/** mwan3's `mmdefault`: all mask bits set, as an id (2^bits − 1). */
export function defaultId(mask: number): number {
  return 2 ** maskBitCount(mask) - 1;
}

/** Id used for blackholed traffic (mmdefault − 2). */
export function blackholeId(mask: number): number {
  return defaultId(mask) - 2;
}

/** Id used for unreachable traffic (mmdefault − 1). */
export function unreachableId(mask: number): number {
  return defaultId(mask) - 1;
}

/** How many interfaces fit the mask: 2^bits − 4 (60 for 0x3F00). Never negative. */
export function maxInterfaces(mask: number): number {
  return Math.max(0, defaultId(mask) - 3);
}

/** Spread `id` into the mask's set bits, lowest first: the fwmark value for that id. */
export function spreadIntoMask(id: number, mask: number): number {
  let out = 0;
  let rest = id;
  for (let bit = 0; bit < 32 && rest !== 0; bit++) {
    const b = 2 ** bit;
    if (Math.floor(mask / b) % 2 === 1) {
      if (rest % 2 === 1) out += b;
      rest = Math.floor(rest / 2);
    }
  }
  return out;
}

/** Mark, routing table and ip rule preferences of interface `id` (1-based). */
export interface InterfaceRouting {
  id: number;
  table: number;
  mark: number;
  mask: number;
  /** `iif <dev> lookup <table>` */
  prefIif: number;
  /** `fwmark <mark>/<mask> lookup <table>` */
  prefFwmark: number;
  /** `fwmark <mark>/<mask> unreachable` */
  prefUnreachable: number;
}

/** mwan3's numbers for interface `id` under `mask`. */
export function interfaceRouting(id: number, mask: number): InterfaceRouting {
  return {
    id,
    table: id,
    mark: spreadIntoMask(id, mask),
    mask,
    prefIif: 1000 + id,
    prefFwmark: 2000 + id,
    prefUnreachable: 3000 + id,
  };
}

/** Marks of the three special outcomes plus their ip rule prefs (2000 + id). */
export function specialMarks(mask: number): {
  default: number;
  blackhole: number;
  unreachable: number;
  prefBlackhole: number;
  prefUnreachable: number;
} {
  return {
    default: spreadIntoMask(defaultId(mask), mask),
    blackhole: spreadIntoMask(blackholeId(mask), mask),
    unreachable: spreadIntoMask(unreachableId(mask), mask),
    prefBlackhole: 2000 + blackholeId(mask),
    prefUnreachable: 2000 + unreachableId(mask),
  };
}
