/** Long fuzz run: `pnpm fuzz [seconds] [seed]`. Writes reproducers to test/fixtures/fuzz-crashes/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSplits, makeInput, rng } from './fuzz.js';
import { loadWireFixtures } from './wire-fixtures.js';

const seconds = Number(process.argv[2] ?? 60);
const seed = Number(process.argv[3] ?? Date.now() & 0xffffffff);
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'fuzz-crashes');
const seeds = loadWireFixtures().map((f) => f.raw);
const rand = rng(seed);
const until = Date.now() + seconds * 1000;
let n = 0;
let crashes = 0;
while (Date.now() < until) {
  for (let i = 0; i < 1000; i++, n++) {
    const input = makeInput(rand, seeds);
    const fail = checkSplits(input, rand);
    if (fail) {
      crashes++;
      mkdirSync(outDir, { recursive: true });
      const hexs = Buffer.from(fail.input).toString('hex').replace(/(..)/g, '$1 ').trim();
      writeFileSync(join(outDir, `crash-${seed}-${n}.hex`), hexs + '\n');
      console.error(`crash: ${String(fail.error)}\n  input: ${hexs}`);
    }
  }
}
console.log(`fuzzed ${n} inputs in ${seconds}s (seed ${seed}): ${crashes} crashes`);
process.exit(crashes ? 1 : 0);
