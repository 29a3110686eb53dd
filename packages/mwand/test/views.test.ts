import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState } from '../src/core/model.js';
import { handle } from '../src/core/state.js';
import { resolveAll } from '../src/core/policy.js';
import { usableSet } from '../src/core/status.js';
import { interfacesView, policyShares, statusView } from '../src/views.js';
import { twoWan, up } from './fixtures.js';

test('status ages: online/offline/age/uptime in whole seconds from the injected clock, never NaN', () => {
  let st = emptyState(twoWan());
  st = handle(st, { kind: 'netifd', interface: 'wan', view: { ...up('eth1', 10_000), uptime: 100 } }, 10_000).state;
  st = handle(st, { kind: 'track', interface: 'wan', view: { state: 'online', score: 6, lost: 0, turn: 4, time: 70_000, targets: [{ ip: '192.0.2.1', status: 'up', latencyMs: 12.6, lossPct: 0 }] } }, 70_000).state;
  const now = 95_500;
  const s = statusView(st, resolveAll(st.config, usableSet(st)), now, new Set(['wan']));
  const wan = (s.interfaces as Record<string, Record<string, unknown>>).wan!;
  assert.deepEqual(wan, {
    age: 25, online: 85, offline: 0, uptime: 185, score: 6, lost: 0, turn: 4, status: 'online', enabled: true, running: true, tracking: 'active', up: true,
    track_ip: [{ ip: '192.0.2.1', status: 'up', latency: 13, packetloss: 0 }],
  });
  const wanb = (s.interfaces as Record<string, Record<string, unknown>>).wanb!;
  assert.deepEqual([wanb.status, wanb.online, wanb.offline, wanb.age, wanb.uptime, wanb.tracking], ['offline', 0, 85, 0, 0, 'paused']);
  assert.doesNotMatch(JSON.stringify(s), /null|NaN/);
});

test('interfaces view and policy share fingerprints', () => {
  let st = emptyState(twoWan());
  st = handle(st, { kind: 'netifd', interface: 'wan', view: { ...up('eth1'), ipv4: ['198.51.100.2/24'] } }, 1).state;
  st = handle(st, { kind: 'admin', interface: 'wan', action: 'ifdown' }, 2).state;
  const v = interfacesView(st, 3, new Set()).interfaces.wan as Record<string, unknown>;
  assert.deepEqual([v.status, v.usable, v.up, v.netifd_up, v.admin_down, v.device, v.addresses, v.tracking], ['offline', false, false, true, true, 'eth1', ['198.51.100.2/24'], 'paused']);
  const a = policyShares(resolveAll(st.config, usableSet(st)));
  const st2 = handle(st, { kind: 'admin', interface: 'wan', action: 'ifup' }, 4).state;
  const b = policyShares(resolveAll(st2.config, usableSet(st2)));
  assert.notEqual(a.get('wan_wanb'), b.get('wan_wanb'));
  assert.equal(b.get('wan_wanb'), JSON.stringify({ ipv4: [{ interface: 'wan', percent: 100 }], ipv6: 'unreachable' }));
});
