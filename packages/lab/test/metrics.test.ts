import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowStats, timeToMove, timeToReturn, type Observed } from '../src/metrics.js';

const reply = (flow: number, t: number, wan: string, first = true): Observed => ({ kind: 'reply', flow, t, via: '', rttMs: 1, first, wan });
const lost = (flow: number, t: number, first = true): Observed => ({ kind: 'lost', flow, t, first });

test('shares count flows, not packets', () => {
  const ev = [reply(1, 10, 'a'), reply(1, 20, 'a', false), reply(1, 30, 'a', false), reply(2, 15, 'b'), lost(3, 16)];
  const s = windowStats(ev, 0, 100, ['a', 'b', 'c']);
  assert.deepEqual(s.shares, { a: 0.5, b: 0.5, c: 0 });
  assert.equal(s.flows, 2);
  assert.equal(s.lost, 1);
});

test('time to move: first new flow after the fault from which all new flows succeed elsewhere', () => {
  const ev: Observed[] = [];
  let flow = 0;
  for (let t = 0; t < 5000; t += 50) {
    if (t < 1000) ev.push(reply(flow++, t, flow % 2 ? 'a' : 'b'));
    else if (t < 2300) ev.push(flow % 2 ? lost(flow++, t) : reply(flow++, t, 'b'));
    else ev.push(reply(flow++, t, 'b'));
  }
  assert.equal(timeToMove(ev, 1000, 'a'), 1300);
  assert.equal(timeToMove(ev.filter((e) => e.t < 2400), 1000, 'a'), undefined, 'not settled long enough');
  assert.equal(timeToReturn([...ev, reply(999, 4200, 'a')], 4000, 'a'), 200);
});
