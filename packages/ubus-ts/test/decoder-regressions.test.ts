/**
 * Replays test/fixtures/decoder-regressions/*.hex: minimized crashes found by `pnpm fuzz` and
 * hand-written boundary cases. Each must pass the fuzz checks (no untyped error, same result
 * whole or split, re-encodes to the same message); a file with `# expect:` must also give that
 * outcome (an error code, or a number of messages).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSplits, minimize, parseHexFixture, rng, signature } from './fuzz.js';
import { FrameDecoder } from '../src/wire/index.js';
import { UbusProtocolError } from '../src/errors.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'decoder-regressions');
const files = readdirSync(dir).filter((f) => f.endsWith('.hex')).sort();

test('decoder regressions: every fixture passes the fuzz checks under many splits', () => {
  assert.ok(files.length >= 9, `${files.length} fixtures in ${dir}`);
  for (const f of files) {
    const bytes = parseHexFixture(readFileSync(join(dir, f), 'utf8'));
    assert.ok(bytes.length >= 12, `${f}: at least a header`);
    for (let s = 1; s <= 50; s++) {
      const fail = checkSplits(bytes, rng(s));
      assert.equal(fail, null, fail ? `${f} (split seed ${s}): ${signature(fail)}` : '');
    }
  }
});

test('decoder regressions: each `# expect:` outcome holds', () => {
  let checked = 0;
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const want = /^# expect: (.+)$/m.exec(text)?.[1]?.trim();
    if (!want) continue;
    checked++;
    let got: string;
    try {
      const n = new FrameDecoder().push(parseHexFixture(text)).length;
      got = `${n} message${n === 1 ? '' : 's'}`;
    } catch (e) {
      assert.ok(e instanceof UbusProtocolError, `${f}: ${String(e)}`);
      got = e.code;
    }
    assert.equal(got, want, f);
  }
  assert.ok(checked >= 9, `${checked} fixtures with an expected outcome`);
});

test('fixture format: comments skipped, bad hex named', () => {
  assert.deepEqual(Array.from(parseHexFixture('# c\n00 ff\n# d\n1a')), [0, 0xff, 0x1a]);
  assert.throws(() => parseHexFixture('00 zz'), /not a hex byte: 'zz'/);
});

test('minimize: a failing input shrinks to what still fails the same way; a passing one is returned as is', () => {
  const rand = rng(7);
  const big = Uint8Array.from({ length: 64 }, () => Math.floor(rand() * 0xa0));
  big[20] = 0xab;
  big[41] = 0xcd;
  // a stand-in bug: any input holding 0xab followed later by 0xcd fails
  const bug = (b: Uint8Array) => {
    const i = b.indexOf(0xab);
    return i >= 0 && b.indexOf(0xcd, i) > i ? { input: b, error: new Error('boom') } : null;
  };
  assert.deepEqual(Array.from(minimize(big, bug)), [0xab, 0xcd]);
  const ok = parseHexFixture('00 00 00 01 00 00 00 00 00 00 00 04');
  assert.deepEqual(minimize(ok), ok);
});
