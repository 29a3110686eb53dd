import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConnected, formatExplain, formatInterfaces, formatPolicies, formatRules, hms } from '../src/commands/format.js';
import { toPrometheus } from '../src/commands/prometheus.js';

test('interfaces: mwan3 2.8.11+ text', () => {
  assert.equal(hms(3 * 3600 + 4 * 60 + 5), '03h:04m:05s');
  assert.equal(hms(345 * 3600 + 27 * 60 + 3), '345h:27m:03s');
  const text = formatInterfaces({
    wan: { status: 'online', online: 54, uptime: 71 * 3600 + 53 * 60 + 14, tracking: 'active' },
    wanb: { status: 'offline', online: 0, uptime: 0, tracking: 'paused' },
    wan6: { status: 'disabled', tracking: 'disabled' },
  });
  assert.equal(
    text,
    'Interface status:\n interface wan is online 00h:00m:54s, uptime 71h:53m:14s and tracking is active\n interface wanb is offline and tracking is paused\n interface wan6 is disabled and tracking is disabled\n\n',
  );
});

test('policies: sorted, percentages, last resort word', () => {
  const text = formatPolicies({
    wan_wanb: { ipv4: { active: 'members', members: [{ interface: 'wan', percent: 100 }] }, ipv6: { active: 'last_resort', last_resort: 'unreachable', members: [] } },
    balanced: { ipv4: { active: 'members', members: [{ interface: 'wan', percent: 60 }, { interface: 'wanb', percent: 40 }] }, ipv6: { active: 'last_resort', last_resort: 'default', members: [] } },
  });
  assert.equal(text, 'Current ipv4 policies:\nbalanced:\n wan (60%)\n wanb (40%)\nwan_wanb:\n wan (100%)\n\nCurrent ipv6 policies:\nbalanced:\n default\nwan_wanb:\n unreachable\n\n');
});

test('connected and rules', () => {
  assert.equal(formatConnected({ ipv4: ['192.168.1.0/24', '224.0.0.0/3'], ipv6: ['fe80::/64'] }), 'Directly connected ipv4 networks:\n192.168.1.0/24\n224.0.0.0/3\n\nDirectly connected ipv6 networks:\nfe80::/64\n\n');
  const text = formatRules([
    { name: 'https', policy: 'balanced', family: 'any', proto: 'tcp', src_ip: [], dest_ip: [], src_port: [], dest_port: ['443'], sticky: true, packets: 11, bytes: 851 },
    { name: 'v4only', policy: 'wan_wanb', family: 'any', proto: 'all', src_ip: ['10.0.0.0/8'], dest_ip: [], src_port: [], dest_port: [], sticky: false, packets: null, bytes: null },
  ]);
  const lines = text.split('\n');
  assert.equal(lines[0], 'Active ipv4 user rules:');
  assert.match(lines[1]!, /^ {3}11 {3}851 S https +tcp .*0\.0\.0\.0\/0 +0\.0\.0\.0\/0 +multiport dports 443$/);
  assert.match(lines[2]!, /^ {4}- {5}- - wan_wanb +all .*10\.0\.0\.0\/8 +0\.0\.0\.0\/0$/);
  assert.equal(lines[4], 'Active ipv6 user rules:');
  assert.match(lines[5]!, /S https +tcp .*::\/0 +::\/0 +multiport dports 443$/);
  assert.equal(lines[6], '', 'the ipv4-only rule is not listed for ipv6');
});

test('explain text', () => {
  const text = formatExplain({
    family: 'ipv4', src: '10.1.2.3', dst: '203.0.113.5', proto: 'tcp', port: 80, action: 'interface',
    interfaces: [{ interface: 'wan', percent: 100, device: 'eth1' }],
    skipped: [{ rule: 'https', reason: 'destination port 443' }],
    reasons: ['rule lan_b matches'],
  });
  assert.equal(text, 'Flow 10.1.2.3 -> 203.0.113.5 tcp port 80 (ipv4):\n rule https does not match: destination port 443\n rule lan_b matches\nResult: wan (eth1)\n');
});

test('explain text: the inbound interface and rules explain could not evaluate', () => {
  const text = formatExplain({
    family: 'ipv4', src: '10.1.2.3', dst: '203.0.113.5', proto: 'all', src_iface: 'lan', decision: 'rule', action: 'default',
    interfaces: [],
    skipped: [{ rule: 'vpn', reason: 'set vpn (ipv4) could not be read (table inet mwan does not exist): not evaluated', evaluated: false }],
    reasons: ['no rule matches: main routing table'],
  });
  assert.equal(text, 'Flow 10.1.2.3 -> 203.0.113.5 in on lan (ipv4):\n'
    + ' rule vpn not evaluated, passed over: set vpn (ipv4) could not be read (table inet mwan does not exist): not evaluated\n'
    + ' no rule matches: main routing table\nResult: main routing table (no mwan policy)\n');
});

test('prometheus exposition: HELP/TYPE once per family, labels escaped, nulls skipped', () => {
  const text = toPrometheus({
    controller: { events: 12, applies: 3, last_apply_ms: 4, uptime_s: 60 },
    interfaces: { wan: { usable: true, up: true, enabled: true, status: 'online', score: 6, latency_ms: 12.5, loss_pct: null, online: 30 } },
    policies: { 'bal"x': { ipv4: { active: 'members', members: [{ interface: 'wan', percent: 100 }] }, ipv6: { active: 'last_resort', members: [] } } },
    rules: { https: { packets: 11, bytes: 851 } },
  });
  assert.match(text, /^# HELP mwand_events_total Bus events received by mwand\n# TYPE mwand_events_total counter\nmwand_events_total 12\n/);
  assert.match(text, /\nmwand_last_apply_milliseconds 4\n/);
  assert.match(text, /\nmwand_uptime_seconds 60\n/);
  assert.match(text, /\nmwan_interface_usable\{interface="wan"\} 1\n/);
  assert.match(text, /\nmwan_interface_status\{interface="wan",status="online"\} 1\n/);
  assert.match(text, /\nmwan_interface_status\{interface="wan",status="offline"\} 0\n/);
  assert.match(text, /\nmwan_interface_latency_milliseconds\{interface="wan"\} 12.5\n/);
  assert.doesNotMatch(text, /loss_percent\{/);
  assert.match(text, /\nmwan_policy_share_percent\{policy="bal\\"x",family="ipv4",interface="wan"\} 100\n/);
  assert.match(text, /\nmwan_rule_bytes_total\{rule="https"\} 851\n/);
  assert.equal(text.match(/# TYPE mwan_interface_status /g)!.length, 1);
});
