import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrackView } from '../src/track-view.js';

test('tracker figures out of range are dropped, not passed to the planner', () => {
  const v = parseTrackView({ interface: 'wan', state: 'online', latency_ms: -5, loss_pct: 140 }, 1);
  assert.ok(v);
  assert.equal(v.state, 'online');
  assert.equal(v.latencyMs, undefined);
  assert.equal(v.lossPct, undefined);
  const ok = parseTrackView({ interface: 'wan', state: 'online', latency_ms: 12.5, loss_pct: 3 }, 1);
  assert.equal(ok?.latencyMs, 12.5);
  assert.equal(ok?.lossPct, 3);
  assert.equal(parseTrackView({ interface: 'wan', state: 'bogus' }, 1), null);
});
