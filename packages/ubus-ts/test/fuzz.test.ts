import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSplits, makeInput, rng } from './fuzz.js';
import { loadWireFixtures } from './wire-fixtures.js';

test('fuzz (bounded, seeded): random bytes and mutated captures never crash the decoder, splits agree', () => {
  const seeds = loadWireFixtures().map((f) => f.raw);
  const rand = rng(0x5eed);
  for (let i = 0; i < 20000; i++) {
    const input = makeInput(rand, seeds);
    const fail = checkSplits(input, rand);
    assert.equal(fail, null, fail ? `input ${Buffer.from(fail.input).toString('hex')}: ${String(fail.error)}` : '');
  }
});
