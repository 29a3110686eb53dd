import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internetChecksum, ipv4EchoReply } from '../src/index.js';

// An echo request 192.0.2.1 → 198.51.100.1 (id 0x1234, seq 1, payload "ab"), checksums valid.
function request(): Buffer {
  const icmp = Buffer.from([8, 0, 0, 0, 0x12, 0x34, 0, 1, 0x61, 0x62]);
  icmp.writeUInt16BE(internetChecksum(icmp), 2);
  const ip = Buffer.from([0x45, 0, 0, 30, 0, 0, 0, 0, 64, 1, 0, 0, 192, 0, 2, 1, 198, 51, 100, 1]);
  ip.writeUInt16BE(internetChecksum(ip), 10);
  return Buffer.concat([ip, icmp]);
}

test('checksum of a header that carries its own checksum is 0 (RFC 1071)', () => {
  const r = request();
  assert.equal(internetChecksum(r.subarray(0, 20)), 0);
  assert.equal(internetChecksum(r.subarray(20)), 0);
});

test('echo reply: addresses swapped, type 0, same id/seq/payload, valid checksums', () => {
  const reply = ipv4EchoReply(request())!;
  assert.deepEqual([...reply.subarray(12, 16)], [198, 51, 100, 1]);
  assert.deepEqual([...reply.subarray(16, 20)], [192, 0, 2, 1]);
  assert.equal(reply[20], 0);
  assert.deepEqual([...reply.subarray(24)], [0x12, 0x34, 0, 1, 0x61, 0x62]);
  assert.equal(internetChecksum(reply.subarray(0, 20)), 0);
  assert.equal(internetChecksum(reply.subarray(20)), 0);
  const notEcho = request();
  notEcho[20] = 0;
  assert.equal(ipv4EchoReply(notEcho), null);
});
