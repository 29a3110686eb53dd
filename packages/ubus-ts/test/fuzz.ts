/**
 * Fuzzing the frame decoder: random bytes, mutated captures, random splits. Used by the bounded
 * test in CI (fuzz.test.ts) and by the long run (`pnpm fuzz [seconds]`). Any non-UbusProtocolError
 * is a bug: the long run minimizes the input and writes it to test/fixtures/decoder-regressions/,
 * where the replay test (decoder-regressions.test.ts) runs it on every CI run from then on.
 */
import { FrameDecoder, decodeMessage, encodeMessage } from '../src/wire/index.js';
import { UbusProtocolError } from '../src/errors.js';

/** Small deterministic PRNG (mulberry32) so failures reproduce from a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzFailure { input: Uint8Array; error: unknown }

/** Splits `bytes` at random points and checks the decoder yields the same result as in one piece. */
export function checkSplits(bytes: Uint8Array, rand: () => number): FuzzFailure | null {
  let whole: unknown[] | UbusProtocolError;
  try { whole = new FrameDecoder().push(bytes); } catch (e) { if (!(e instanceof UbusProtocolError)) return { input: bytes, error: e }; whole = e; }
  const d = new FrameDecoder();
  const got: unknown[] = [];
  let err: unknown = null;
  let pos = 0;
  while (pos < bytes.length && !err) {
    const n = 1 + Math.floor(rand() * Math.min(64, bytes.length - pos));
    try { got.push(...d.push(bytes.subarray(pos, pos + n))); } catch (e) { err = e; }
    pos += n;
  }
  if (err && !(err instanceof UbusProtocolError)) return { input: bytes, error: err };
  if (whole instanceof UbusProtocolError) {
    if (!err) return { input: bytes, error: new Error('split feed accepted what the whole feed rejected') };
    return null;
  }
  if (err) return { input: bytes, error: new Error(`split feed rejected what the whole feed accepted: ${String(err)}`) };
  if (JSON.stringify(got, big) !== JSON.stringify(whole, big)) return { input: bytes, error: new Error('split feed gave different messages') };
  // every message that decodes must re-encode to something that decodes to the same message
  for (const m of got as ReturnType<typeof decodeMessage>[]) {
    try {
      const again = decodeMessage(encodeMessage(m));
      if (JSON.stringify(again, big) !== JSON.stringify(m, big)) return { input: bytes, error: new Error('re-encode changed the message') };
    } catch (e) { return { input: bytes, error: e }; }
  }
  return null;
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v);

/** One fuzz input: either pure noise with a plausible header, or a mutated seed message. */
export function makeInput(rand: () => number, seeds: Uint8Array[]): Uint8Array {
  if (seeds.length > 0 && rand() < 0.7) {
    const s = seeds[Math.floor(rand() * seeds.length)]!;
    const b = s.slice();
    const flips = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < flips; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    // often keep the header sane so the attribute parsers get exercised
    if (rand() < 0.8) { b[0] = 0; b[8] = 0; b[9] = 0; b[10] = (s[10]!); b[11] = s[11]!; b[1] = s[1]!; }
    return b;
  }
  const n = 12 + Math.floor(rand() * 120);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  b[0] = 0; b[1] = Math.floor(rand() * 12); b[8] = 0; b[9] = 0; b[10] = 0; b[11] = (n - 8) & 0xfc;
  return b;
}

/** Same checks, with the splits drawn from a fixed seed: one verdict per input, for minimizing and replays. */
export function checkFixed(bytes: Uint8Array, seed = 1): FuzzFailure | null {
  return checkSplits(bytes, rng(seed));
}

/** A failure's class, for keeping one reproducer per distinct bug: the error's name and message without numbers. */
export function signature(f: FuzzFailure): string {
  const e = f.error;
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.replace(/\d+/g, 'N').slice(0, 120);
}

/**
 * Shrinks a failing input (delta debugging over byte chunks, then single bytes toward 0) while it
 * still fails with the same signature. Bounded: at most `budget` checks.
 */
export function minimize(input: Uint8Array, check: (b: Uint8Array) => FuzzFailure | null = checkFixed, budget = 4000): Uint8Array {
  const first = check(input);
  if (!first) return input;
  const sig = signature(first);
  const fails = (b: Uint8Array): boolean => { const r = check(b); return r !== null && signature(r) === sig; };
  let cur = input;
  let left = budget;
  for (let chunk = Math.max(1, cur.length >> 1); chunk >= 1 && left > 0; chunk = chunk >> 1) {
    for (let at = 0; at + chunk <= cur.length && left > 0;) {
      const cand = new Uint8Array(cur.length - chunk);
      cand.set(cur.subarray(0, at), 0);
      cand.set(cur.subarray(at + chunk), at);
      left--;
      if (fails(cand)) cur = cand; else at += chunk;
    }
  }
  for (let i = 0; i < cur.length && left > 0; i++) {
    if (cur[i] === 0) continue;
    const cand = cur.slice();
    cand[i] = 0;
    left--;
    if (fails(cand)) cur = cand;
  }
  return cur;
}

/** A reproducer file: hex bytes, whitespace-separated; lines starting with # are comments. */
export function parseHexFixture(text: string): Uint8Array {
  const hex = text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join(' ').trim();
  if (hex === '') return new Uint8Array(0);
  const bytes = hex.split(/\s+/);
  for (const b of bytes) if (!/^[0-9a-fA-F]{2}$/.test(b)) throw new Error(`not a hex byte: '${b}'`);
  return Uint8Array.from(bytes.map((b) => parseInt(b, 16)));
}

export function formatHexFixture(bytes: Uint8Array, comment: string): string {
  return `# ${comment}\n${Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim()}\n`;
}
