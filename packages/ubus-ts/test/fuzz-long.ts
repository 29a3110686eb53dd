/**
 * Long fuzz run: `pnpm fuzz [seconds] [seed]`. Each distinct failure (by error signature) is
 * minimized and written to test/fixtures/decoder-regressions/ as crash-<seed>-<n>.hex; commit it
 * with the fix, and the replay test keeps it fixed. Exits 1 when anything failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSplits, formatHexFixture, makeInput, minimize, rng, signature } from './fuzz.js';
import { loadWireFixtures } from './wire-fixtures.js';

const seconds = Number(process.argv[2] ?? 60);
const seed = Number(process.argv[3] ?? Date.now() & 0xffffffff);
if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isInteger(seed)) {
  console.error('usage: pnpm fuzz [SECONDS] [SEED]');
  process.exit(64);
}
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'decoder-regressions');
const seeds = loadWireFixtures().map((f) => f.raw);
const rand = rng(seed);
const until = Date.now() + seconds * 1000;
const seen = new Map<string, number>();
let n = 0;
while (Date.now() < until) {
  for (let i = 0; i < 1000; i++, n++) {
    const fail = checkSplits(makeInput(rand, seeds), rand);
    if (!fail) continue;
    const sig = signature(fail);
    seen.set(sig, (seen.get(sig) ?? 0) + 1);
    if (seen.get(sig)! > 1) continue;
    const small = minimize(fail.input);
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `crash-${seed}-${n}.hex`);
    writeFileSync(file, formatHexFixture(small, `pnpm fuzz, seed ${seed}, input ${n}: ${sig}`));
    console.error(`crash: ${sig}\n  minimized to ${small.length} of ${fail.input.length} bytes: ${file}`);
  }
}
const crashes = [...seen.values()].reduce((a, b) => a + b, 0);
console.log(`fuzzed ${n} inputs in ${seconds}s (seed ${seed}): ${crashes} crashes, ${seen.size} distinct`);
for (const [sig, count] of seen) console.log(`  ${count}× ${sig}`);
process.exit(crashes ? 1 : 0);
