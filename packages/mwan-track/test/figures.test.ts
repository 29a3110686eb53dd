import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeWindow, wanFigures } from '../src/figures.js';
import { spacingMs } from '../src/probes/types.js';
import { canonicalIp } from '../src/probes/address.js';
import { dnsAnswers, dnsQuery } from '../src/probes/wire.js';

test('probe window: bounded, loss and jitter over what it holds', () => {
  const w = new ProbeWindow(3);
  assert.deepEqual(w.figures(), { latencyMs: null, avgMs: null, jitterMs: null, lossPct: null, sent: 0, received: 0 });
  for (const x of [100, 10, null, 30]) w.push(x);
  assert.deepEqual(w.samples(), [10, null, 30]);
  const f = w.figures();
  assert.equal(f.latencyMs, 30);
  assert.equal(f.avgMs, 20);
  assert.equal(f.jitterMs, 20);
  assert.ok(Math.abs(f.lossPct! - 100 / 3) < 1e-9);
  w.push(null); w.push(null); w.push(null);
  assert.equal(w.figures().lossPct, 100);
  assert.equal(w.figures().latencyMs, 30, 'last answered RTT is kept');
});

test('WAN figures aggregate targets; no data gives null, not NaN', () => {
  assert.deepEqual(wanFigures([]), { latencyMs: null, jitterMs: null, lossPct: null });
  const a = { latencyMs: 1, avgMs: 10, jitterMs: 2, lossPct: 0, sent: 10, received: 10 };
  const b = { latencyMs: null, avgMs: null, jitterMs: null, lossPct: 100, sent: 10, received: 0 };
  assert.deepEqual(wanFigures([a, b]), { latencyMs: 10, jitterMs: 2, lossPct: 50 });
});

test('probe spacing: ping 1 s, squeezed into the timeout', () => {
  assert.equal(spacingMs({ count: 1, timeoutMs: 4000 }), 0);
  assert.equal(spacingMs({ count: 3, timeoutMs: 4000 }), 1000);
  assert.equal(spacingMs({ count: 5, timeoutMs: 200 }), 40);
});

test('addresses compare in one spelling', () => {
  assert.equal(canonicalIp('2001:DB8:0:0::1'), '2001:db8::1');
  assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
  assert.equal(canonicalIp('192.0.2.1'), '192.0.2.1');
});

test('DNS query bytes and answer check', () => {
  const q = dnsQuery(0x1234, 'example.org');
  assert.equal(q.toString('hex'), '123401000001000000000000' + '076578616d706c65036f726700' + '00020001');
  assert.equal(dnsQuery(1, '.').subarray(12).toString('hex'), '0000020001');
  const reply = Buffer.from(q); reply.writeUInt16BE(0x8180, 2);
  assert.equal(dnsAnswers(reply, 0x1234), true);
  assert.equal(dnsAnswers(reply, 0x1235), false, 'other id');
  reply.writeUInt16BE(0x8183, 2);
  assert.equal(dnsAnswers(reply, 0x1234), true, 'NXDOMAIN still proves the server answers');
  reply.writeUInt16BE(0x8182, 2);
  assert.equal(dnsAnswers(reply, 0x1234), false, 'SERVFAIL');
  assert.equal(dnsAnswers(q, 0x1234), false, 'a query is not an answer');
});
