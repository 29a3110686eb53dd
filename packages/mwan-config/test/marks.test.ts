import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceRouting, maxInterfaces, specialMarks, spreadIntoMask, maskBitCount } from '../src/index.js';

test("mark arithmetic matches mwan3 (inventory section 2)", () => {
  assert.equal(maskBitCount(0x3f00), 6);
  assert.equal(maxInterfaces(0x3f00), 60);
  assert.equal(maxInterfaces(0xff), 252);
  assert.equal(maxInterfaces(0x3), 0);
  assert.deepEqual(
    [1, 2, 3, 60].map((id) => interfaceRouting(id, 0x3f00).mark),
    [0x100, 0x200, 0x300, 0x3c00],
  );
  assert.deepEqual(specialMarks(0x3f00), { default: 0x3f00, blackhole: 0x3d00, unreachable: 0x3e00, prefBlackhole: 2061, prefUnreachable: 2062 });
  assert.deepEqual(interfaceRouting(7, 0x3f00), { id: 7, table: 7, mark: 0x700, mask: 0x3f00, prefIif: 1007, prefFwmark: 2007, prefUnreachable: 3007 });
});

test('non-contiguous masks spread the id over set bits, lowest first', () => {
  // mask bits 4, 8, 9: id 0b101 → bit4 + bit9
  assert.equal(spreadIntoMask(0b101, 0x310), 0x210);
  assert.equal(spreadIntoMask(0b111, 0x310), 0x310);
  assert.equal(spreadIntoMask(1, 0x80000000 + 0x1), 0x1);
  assert.equal(spreadIntoMask(2, 0x80000001), 0x80000000);
});
