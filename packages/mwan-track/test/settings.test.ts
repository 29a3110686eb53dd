import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings, machineConfig } from '../src/settings.js';
import { parseTrackArgs } from '../src/cli-args.js';
import { parseUpdate } from '../src/ubus-face.js';
import { SettingsError } from '../src/errors.js';
import { UbusStatusError } from 'ubus-ts';

test('mwan3 defaults', () => {
  const s = parseSettings({ trackIp: ['192.0.2.1'] });
  assert.deepEqual(
    [s.trackMethod, s.reliability, s.count, s.timeout, s.interval, s.failureInterval, s.recoveryInterval, s.down, s.up, s.size, s.maxTtl, s.checkQuality, s.failureLatency, s.recoveryLatency, s.failureLoss, s.recoveryLoss, s.initialState, s.family, s.mark],
    ['ping', 1, 1, 4, 10, 10, 10, 5, 5, 56, 60, false, 1000, 500, 40, 10, 'online', 'ipv4', 0x3f00],
  );
  assert.equal(parseSettings({ interval: 3 }).failureInterval, 3, 'failure_interval defaults to interval');
});

test('snake_case keys, UCI-style strings, fractional seconds, mark from mmx_mask', () => {
  const s = parseSettings({ track_ip: ['2001:db8::1'], family: 'ipv6', interval: '0.2', keep_failure_interval: '1', check_quality: 1, mmx_mask: '0xff0000', src_ip: '2001:db8::2' });
  assert.deepEqual(s.trackIp, ['2001:db8::1']);
  assert.equal(s.interval, 0.2);
  assert.equal(s.keepFailureInterval, true);
  assert.equal(s.checkQuality, true);
  assert.equal(s.mark, 0xff0000);
  assert.equal(machineConfig(s).intervalMs, 200);
});

test('bad values name the field and throw SettingsError', () => {
  const bad: [object, string][] = [
    [{ timeout: 'x' }, 'settings.timeout'],
    [{ count: 1.5 }, 'settings.count'],
    [{ up: 0 }, 'settings.up'],
    [{ trackIp: ['300.1.1.1'] }, 'settings.trackIp[0]'],
    [{ trackIp: ['192.0.2.1'], family: 'ipv6' }, 'settings.trackIp[0]'],
    [{ trackMethod: 'carrier-pigeon' }, 'settings.trackMethod'],
    [{ device: 'a/b' }, 'settings.device'],
    [{ device: 'averyveryverylongname' }, 'settings.device'],
    [{ initialState: 'maybe' }, 'settings.initialState'],
    [{ failureLoss: 101 }, 'settings.failureLoss'],
    [{ checkQuality: 'perhaps' }, 'settings.checkQuality'],
    [{ srcIp: '2001:db8::1' }, 'settings.srcIp'],
    [{ reliability: 0 }, 'settings.reliability'],
    [{ dnsQuery: 'a b' }, 'settings.dnsQuery'],
  ];
  for (const [input, field] of bad) {
    assert.throws(() => parseSettings(input), (e: unknown) => e instanceof SettingsError && e.code === 'ERR_TRACK_SETTINGS' && e.field === field, JSON.stringify(input));
  }
  assert.throws(() => parseSettings([]), SettingsError);
  // accepted as mwan3 does (mwan-config warns): such a WAN never passes a round
  assert.equal(parseSettings({ trackIp: ['192.0.2.1'], reliability: 2 }).reliability, 2);
});

test('command line: -s, -i, --settings; errors name the flag', () => {
  const a = parseTrackArgs(['-s', '/tmp/u.sock', '-i', 'wan', '--settings', '{"trackIp":["192.0.2.1"]}']);
  assert.equal(a.socketPath, '/tmp/u.sock');
  assert.equal(a.iface, 'wan');
  assert.deepEqual(a.settings.trackIp, ['192.0.2.1']);
  assert.throws(() => parseTrackArgs(['--settings', '{}']), (e: SettingsError) => e.field === '-i');
  assert.throws(() => parseTrackArgs(['-i', 'wan']), (e: SettingsError) => e.field === '--settings');
  assert.throws(() => parseTrackArgs(['-i', 'wan', '--settings', '{x']), (e: SettingsError) => e.field === '--settings');
  assert.throws(() => parseTrackArgs(['-i', 'wan', '--settings', '{}', '--bogus']), (e: SettingsError) => e.field === 'argv');
  assert.throws(() => parseTrackArgs(['-i', 'w an', '--settings', '{}']), (e: SettingsError) => e.field === '-i');
  assert.throws(() => parseTrackArgs(['-i', 'wan', '--settings', '{"trackIp":[]}']), (e: SettingsError) => e.field === 'settings.trackIp');
});

test('ubus update arguments: checked, INVALID_ARGUMENT naming the field', () => {
  assert.deepEqual(parseUpdate({ device: 'eth1', src_ip: '192.0.2.3', up: true }, 'ipv4'), { device: 'eth1', srcIp: '192.0.2.3', up: true });
  assert.deepEqual(parseUpdate({ src_ip: '', up: 0 }, 'ipv4'), { srcIp: null, up: false });
  for (const [args, field] of [[{ device: 'a b' }, 'device'], [{ src_ip: '2001:db8::1' }, 'src_ip'], [{ up: 'yes' }, 'up']] as const) {
    assert.throws(() => parseUpdate(args, 'ipv4'), (e: unknown) => e instanceof UbusStatusError && e.status === 2 && e.message.includes(`update.${field}`));
  }
});
